"""The core never imports Textual: checked in a fresh interpreter over every core module."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

CORE_PACKAGES = ("core", "providers", "engine", "store", "demo")
CORE_TOP_MODULES = (
    "config",
    "headless",
    "run_print",
    "session_setup",
    "paths",
    "cli_sessions",
    "models_cache",
    "config_write",
    "logs",
)


def core_modules() -> list[str]:
    root = REPO / "tui" / "llmx_tui"
    names = [f"llmx_tui.{name}" for name in CORE_TOP_MODULES if (root / f"{name}.py").exists()]
    for package in CORE_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append("llmx_tui." + ".".join(parts))
    return names


def test_core_modules_do_not_import_textual() -> None:
    modules = core_modules()
    assert "llmx_tui.engine.turn" in modules and "llmx_tui.store.sqlite" in modules
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
