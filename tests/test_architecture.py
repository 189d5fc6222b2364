"""The core never imports Textual: checked in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "llmx_tui.core.items", "llmx_tui.core.events", "llmx_tui.core.bus",
    "llmx_tui.providers.transport", "llmx_tui.providers.dialects", "llmx_tui.providers.registry",
    "llmx_tui.providers.openai_chat.parse", "llmx_tui.providers.anthropic.parse",
    "llmx_tui.providers.gemini.parse", "llmx_tui.engine.turn", "llmx_tui.engine.conversation",
    "llmx_tui.config", "llmx_tui.headless", "llmx_tui.run_print", "llmx_tui.session_setup",
]


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import sys, importlib\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
