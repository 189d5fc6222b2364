"""Screens around the chat; each one is pushed by the app and answers with dismiss().

- SessionBrowser(store, *, export_dir=None) -> session id to open | None
- ModelPicker(settings, current_provider, current_model, *, fetch=models_for)
  -> (provider_name, model) | None
- PayloadInspector(last_request, *, secrets=()) -> None
- WelcomeScreen(*, config_path=None) -> "configured" | "demo" | None
- SystemPromptEditor(current) -> new text ("" = none) | None when cancelled
- ConfirmDialog(question, *, confirm_label="Yes") -> bool
"""

from __future__ import annotations

from llmx_tui.ui.dialogs.confirm import ConfirmDialog
from llmx_tui.ui.dialogs.fuzzy import fuzzy_filter, fuzzy_match
from llmx_tui.ui.dialogs.model_picker import ModelPicker
from llmx_tui.ui.dialogs.payload_inspector import PayloadInspector
from llmx_tui.ui.dialogs.session_browser import SessionBrowser
from llmx_tui.ui.dialogs.system_prompt import SystemPromptEditor
from llmx_tui.ui.dialogs.welcome import WelcomeScreen

__all__ = [
    "ConfirmDialog",
    "ModelPicker",
    "PayloadInspector",
    "SessionBrowser",
    "SystemPromptEditor",
    "WelcomeScreen",
    "fuzzy_filter",
    "fuzzy_match",
]
