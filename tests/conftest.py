from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "wire-corpus"


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never touch the user's real folders or keys."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LLMX_TUI_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("LLMX_TUI_CONFIG_DIR", str(home / "config" / "llmx-tui"))
    monkeypatch.delenv("LLMX_TUI_LOG", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    for var in (
        "OPENAI_API_KEY",
        "ANTHROPIC_API_KEY",
        "OPENROUTER_API_KEY",
        "GEMINI_API_KEY",
        "GOOGLE_API_KEY",
        "DEEPSEEK_API_KEY",
        "GROQ_API_KEY",
        "MISTRAL_API_KEY",
        "XAI_API_KEY",
        "TOGETHER_API_KEY",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(autouse=True)
def _approvals_armed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests press keys as soon as the approval dialog shows; the delay that guards a
    user typing ahead has a test of its own (tests/test_approval_modal.py)."""
    monkeypatch.setattr("llmx_tui.ui.screens.approval.ApprovalScreen.ARMED_AFTER", 0.0)


@pytest.fixture
def loopback():
    from tests.loopback import LoopbackServer

    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()
