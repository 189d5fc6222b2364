"""Screens around the chat; each one is pushed by the app and answers with dismiss().

- SessionBrowser(store, *, export_dir=None) -> session id to open | None
- ModelPicker(settings, current_provider, current_model, *, fetch=models_for)
  -> (provider_name, model) | None
- PayloadInspector(last_request, *, secrets=()) -> None
- WelcomeScreen(*, config_path=None) -> "configured" | "demo" | None
- SystemPromptEditor(current) -> new text ("" = none) | None when cancelled
- ConfirmDialog(question, *, confirm_label="Yes") -> bool

Each is loaded when first asked for: the app's first frame needs none of the dialogs
(nor the HTTP stack some of them use).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmx_tui.ui.dialogs.confirm import ConfirmDialog
    from llmx_tui.ui.dialogs.fuzzy import fuzzy_filter, fuzzy_match
    from llmx_tui.ui.dialogs.model_picker import ModelPicker
    from llmx_tui.ui.dialogs.payload_inspector import PayloadInspector
    from llmx_tui.ui.dialogs.session_browser import SessionBrowser
    from llmx_tui.ui.dialogs.system_prompt import SystemPromptEditor
    from llmx_tui.ui.dialogs.welcome import WelcomeScreen

_MODULES = {
    "ConfirmDialog": "confirm",
    "ModelPicker": "model_picker",
    "PayloadInspector": "payload_inspector",
    "SessionBrowser": "session_browser",
    "SystemPromptEditor": "system_prompt",
    "WelcomeScreen": "welcome",
    "fuzzy_filter": "fuzzy",
    "fuzzy_match": "fuzzy",
}

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


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
