"""Startup (issue 6): what the first frame does not need is not loaded before it.

Nothing here is timed. A fresh interpreter runs the real launch path
(``cli.main``, headless), and records which heavy modules are loaded when the
app runs its after-first-frame hook, which builds the engine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from llmx_tui.core.bus import EventBus
from llmx_tui.providers.registry import get_preset
from llmx_tui.providers.resolve import ResolvedProvider
from llmx_tui.session_setup import DeferredConversation

# Not needed to draw the first frame: the HTTP stack and engine, the tools package,
# the recorder, Markdown rendering, dialogs, MCP.
HEAVY = (
    "httpx",
    "llmx_tui.providers.transport",
    "llmx_tui.engine.turn",
    "llmx_tui.engine.conversation",
    "llmx_tui.engine.tool_runner",
    "llmx_tui.engine.tools.registry",
    "llmx_tui.engine.tools.execute",
    "llmx_tui.store.recorder",
    "rich.markdown",
    "markdown_it",
    "mcp",
)

LAUNCH = """
import gc, json, sys
from llmx_tui import cli, session_setup
from llmx_tui.ui.app import LlmxApp

HEAVY = {heavy!r}
report = {{}}

def loaded():
    names = [m for m in HEAVY if m in sys.modules]
    names += sorted(m for m in sys.modules if m.startswith("llmx_tui.ui.dialogs."))
    return sorted(names)

original_finish = session_setup.Setup.finish

def finish(self):
    report["before_build"] = loaded()
    report["gc_paused_until_then"] = not gc.isenabled()
    original_finish(self)
    report["after_build"] = loaded()
    report["built"] = getattr(self.conversation, "built", True)

session_setup.Setup.finish = finish

async def headless(self):
    # The real launch path, with Textual's headless driver instead of the terminal.
    async with self.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            if "after_build" in report:
                break
            await pilot.pause(0.02)
        await pilot.pause(0.05)
        report["model"] = self.conversation.model
        LlmxApp.last = self
        report["gc_enabled_after"] = gc.isenabled()
        report["startup_frozen"] = gc.get_freeze_count() > 0

LlmxApp.run_async = headless
# Textual's headless driver needs no terminal: the launch's check for one is skipped.
from llmx_tui import launch
launch.terminal_problem = lambda: None
report["exit"] = cli.main([
    "--provider", "openai-compatible", "--base-url", "http://127.0.0.1:9/v1",
    "--model", "startup-model", "--data-dir", sys.argv[1], *sys.argv[2:],
])
report["history"] = len(LlmxApp.last.conversation.history) if hasattr(LlmxApp, "last") else None
print(json.dumps(report))
"""


def launch(tmp_path: Any, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH.format(heavy=HEAVY), str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_a_resumed_launch_also_draws_its_first_frame_before_the_engine(tmp_path: Any) -> None:
    from llmx_tui.core.items import AssistantMessage, UserMessage
    from llmx_tui.store.sqlite import SessionStore

    with SessionStore.open(tmp_path / "history.db") as store:
        session_id = store.create_session(title="saved")
        store.append_items(session_id, [UserMessage(text="hi"), AssistantMessage(text="hello")])
    report = launch(tmp_path, "--resume", session_id)
    assert report["exit"] == 0
    # Drawing the saved answer needs the Markdown renderer; nothing else heavy.
    assert report["before_build"] == ["markdown_it", "rich.markdown"]
    assert report["history"] == 2


def test_first_frame_is_drawn_before_the_engine_and_tools_load(tmp_path: Any) -> None:
    report = launch(tmp_path)
    assert report["exit"] == 0
    assert report["before_build"] == []
    # The list means something: these are what the deferred build brings in.
    assert "httpx" in report["after_build"]
    assert "llmx_tui.engine.tool_runner" in report["after_build"]
    assert report["built"] is True
    assert report["model"] == "startup-model"
    # The cyclic GC waits for the first frame, then runs again (startup objects frozen).
    assert report["gc_paused_until_then"] is True
    assert report["gc_enabled_after"] is True and report["startup_frozen"] is True


class _Real:
    """A stand-in Conversation: what the deferred one must hand calls to."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self.provider = "real-provider"
        self.model = "real-model"
        self.session_id: str | None = "s1"
        self.history: list[Any] = []
        self.busy = True
        self.sent: list[str] = []

    async def submit(self, text: str) -> str:
        self.sent.append(text)
        return "completed"


def _deferred() -> tuple[DeferredConversation, list[_Real]]:
    bus = EventBus()
    built: list[_Real] = []

    def build() -> Any:
        built.append(_Real(bus))
        return built[-1]

    provider = ResolvedProvider(
        name="openai-compatible",
        preset=get_preset("openai-compatible"),
        base_url="http://127.0.0.1:9/v1",
        model="m1",
    )
    return DeferredConversation(bus, provider, None, ["item"], build), built


def test_deferred_conversation_answers_the_first_frame_without_building() -> None:
    deferred, built = _deferred()
    assert (deferred.provider, deferred.model) == ("openai-compatible", "m1")
    assert deferred.session_id is None and deferred.history == ["item"]
    assert deferred.busy is False and deferred.built is False
    assert built == []


async def test_a_prompt_sent_before_the_build_builds_once_and_goes_to_the_engine() -> None:
    deferred, built = _deferred()
    assert await deferred.submit("early") == "completed"
    assert len(built) == 1 and built[0].sent == ["early"]
    assert deferred.finish() is built[0] and len(built) == 1
    # Once built, everything reads from the real conversation.
    assert (deferred.provider, deferred.model, deferred.session_id) == (
        "real-provider",
        "real-model",
        "s1",
    )
    assert deferred.busy is True and deferred.history is built[0].history
    deferred.title = "Renamed"
    assert built[0].title == "Renamed"  # type: ignore[attr-defined]


VERSION = """
import contextlib, io, json, sys
from llmx_tui.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main([sys.argv[1]])
print(json.dumps(sorted(name for name in sys.modules if name.startswith("llmx_tui"))))
"""


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_load_only_the_command_line(flag: str) -> None:
    """``--version`` and ``--help`` are answered from the argument parser: the tables that
    make JSON safe for a terminal (``safe_text``) load when JSON is first written."""
    done = subprocess.run(
        [sys.executable, "-c", VERSION, flag], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert "llmx_tui.core.safe_text" not in loaded
    assert all(not name.startswith("llmx_tui.ui") for name in loaded)
