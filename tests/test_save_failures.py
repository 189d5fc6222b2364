"""A turn the store could not save is never a silent loss: headless exits 1 with a line on
stderr, the app says so after the turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main
from llmx_tui.store.async_store import AsyncSessionStore
from llmx_tui.store.errors import StoreError
from llmx_tui.ui.app import LlmxApp
from tests.ui_helpers import ScriptedConversation, text_turn, wait_for


def test_headless_says_when_the_reply_could_not_be_saved(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async def full_disk(self: Any, *args: Any, **kwargs: Any) -> None:
        raise StoreError("database or disk is full")

    monkeypatch.setattr(AsyncSessionStore, "record", full_disk)
    code = main(["--demo", "--print", "hi", "--data-dir", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.strip()  # the reply was printed
    assert (
        "llmx-tui: error: the session could not be saved: database or disk is full"
        in captured.err.splitlines()
    )


async def test_the_app_says_when_a_turn_could_not_be_saved() -> None:
    conversation = ScriptedConversation([text_turn("one"), text_turn("two")])
    failures: list[BaseException] = []

    async def save_failures() -> list[BaseException]:
        return list(failures)

    conversation.save_failures = save_failures  # type: ignore[attr-defined]
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)

    def messages() -> list[str]:
        return [n.message for n in app._notifications]

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"first", "enter")
        await wait_for(pilot, lambda: not conversation.busy and conversation.submitted)
        await pilot.pause()
        assert not any("Could not save" in m for m in messages())
        failures.append(StoreError("database or disk is full"))
        await pilot.press(*"second", "enter")
        await wait_for(pilot, lambda: any("Could not save" in m for m in messages()))
        [note] = [m for m in messages() if "Could not save" in m]
        assert note.startswith("Could not save this session: database or disk is full.")
