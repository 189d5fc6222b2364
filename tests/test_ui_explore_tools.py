"""The tool pane's header of a call: a duration only for a call that ran."""

from __future__ import annotations

from llmx_tui.core.events import ToolFinished
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.screens.approval import ApprovalScreen
from llmx_tui.ui.widgets.tool_call_view import ToolCallView
from tests.ui_helpers import ScriptedConversation, tool_turn, ui_settled, wait_for


def header(view: ToolCallView) -> str:
    return str(view.query_one(".tool-header").render())


async def test_a_denied_call_shows_no_duration() -> None:
    """A denied call showed "denied · 8.9s": the time the user took to deny it."""
    turn = tool_turn("run_shell", {"command": "ls"}, "Not run, then.", approval=True)
    conv = ScriptedConversation([turn])
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"ls", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.press("d")
        await wait_for(pilot, lambda: ui_settled(app, conv))
        [view] = app.screen.query(ToolCallView)
        assert view.state == "denied"
        assert header(view) == "⊘ run_shell · denied"


async def test_calls_that_ran_keep_their_duration_and_those_never_run_have_none() -> None:
    app = LlmxApp(ScriptedConversation(), clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        renderer = app.screen.renderer
        expected = {
            "done": "✓ read_file · done · 1.5s",
            "skipped": "⚠ read_file · skipped",
            "not_run": "– read_file · not run",
            "failed": "✗ read_file · failed · 1.5s",
        }
        for index, status in enumerate(expected):
            app.screen.tools.start_call(index, f"c{index}", "read_file")
            renderer.apply(
                [
                    ToolFinished(
                        call_id=f"c{index}",
                        name="read_file",
                        output="",
                        status=status,  # type: ignore[arg-type]
                        duration=1.5,
                    )
                ]
            )
        await pilot.pause()
        headers = [header(view) for view in app.screen.query(ToolCallView)]
        assert headers == list(expected.values())


async def test_the_status_line_says_a_call_waits_for_approval_then_runs() -> None:
    """Both used to read "streaming", with nothing streaming."""
    from llmx_tui.core.events import ItemDone, StepStarted, ToolCallStarted, ToolRunning
    from llmx_tui.core.items import ToolCall
    from llmx_tui.ui.turn_renderer import WAITING
    from tests.ui_helpers import AwaitApproval, Pause, text_turn

    args = '{"command": "make"}'
    running = Pause()
    script = [
        StepStarted(step=0, provider="openai", model="gpt-test"),
        ToolCallStarted(index=0, call_id="c1", name="run_shell"),
        ItemDone(item=ToolCall(call_id="c1", name="run_shell", arguments=args)),
        ToolRunning(call_id="c1", name="run_shell", arguments=args),
        AwaitApproval("c1", "run_shell", args, "run_shell make"),
        *text_turn("Built."),
    ]
    # The scripted approval publishes the run at once: hold the turn while it "runs".
    script.insert(
        script.index(next(e for e in script if isinstance(e, AwaitApproval))) + 1, running
    )
    conv = ScriptedConversation([script])
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        status = app.screen.status
        await pilot.press(*"build", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await wait_for(pilot, lambda: status.state == WAITING)
        await pilot.pause(0.6)  # the allow keys are armed after half a second
        await pilot.press("a")
        await wait_for(pilot, lambda: status.state == "running run_shell")
        assert "│  running run_shell  │" in status.status_text()
        running.gate.set()
        await wait_for(pilot, lambda: ui_settled(app, conv))
        assert status.state == "idle"


def key_bar_line(app: LlmxApp) -> str:
    from tests.ui_helpers import screen_text

    return screen_text(app).splitlines()[-1]


async def test_enter_on_a_tool_call_is_offered_only_when_it_does_something() -> None:
    """The key bar said "⏎ Expand output" for an output shown whole, and still after
    expanding one."""
    long_output = "\n".join(f"row {i}" for i in range(20))
    turns = [
        tool_turn("read_file", {"path": "a"}, "ok", approval=False, output="one\ntwo"),
        tool_turn("read_file", {"path": "b"}, "ok", approval=False, output=long_output),
    ]
    conv = ScriptedConversation(turns)
    app = LlmxApp(conv, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for prompt in ("a", "b"):
            await pilot.press(prompt, "enter")
            await wait_for(pilot, lambda: ui_settled(app, conv))
        short, long = app.screen.query(ToolCallView)
        short.focus()
        await pilot.pause()
        assert "output" not in key_bar_line(app)
        long.focus()
        await wait_for(pilot, lambda: "⏎ Expand output" in key_bar_line(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "⏎ Collapse output" in key_bar_line(app))
        assert long.expanded and "row 19" in long.output_text()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "⏎ Expand output" in key_bar_line(app))
        assert not long.expanded and "12 more lines" in long.output_text()
