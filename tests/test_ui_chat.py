"""Pilot tests of the chat screen's key paths, driven by a scripted conversation."""

from __future__ import annotations

from typing import Any

from textual.content import Content

from llmx_tui.core.events import (
    ApprovalDecided,
    ItemDone,
    ReasoningDelta,
    StepStarted,
    TextDelta,
    Usage,
)
from llmx_tui.core.items import Reasoning
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.screens.approval import ApprovalScreen
from llmx_tui.ui.widgets.composer import Composer
from llmx_tui.ui.widgets.notice_line import NoticeLine
from llmx_tui.ui.widgets.tool_call_line import ToolCallLine
from llmx_tui.ui.widgets.tool_call_view import ToolCallView
from tests.ui_helpers import (
    Pause,
    ScriptedConversation,
    error_turn,
    screen_text,
    text_turn,
    tool_turn,
    ui_settled,
    wait_for,
)

SIZE = (120, 40)


def make_app(*scripts: list[Any], **kwargs: Any) -> tuple[LlmxApp, ScriptedConversation]:
    conversation = ScriptedConversation(list(scripts))
    return LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False, **kwargs), conversation


async def settle(pilot: Any, conversation: ScriptedConversation) -> None:
    """Wait until the scripted turn has ended and the UI has applied every event."""
    await wait_for(pilot, lambda: ui_settled(pilot.app, conversation), tries=500)
    await pilot.pause()  # and laid out and painted what it applied


async def send(pilot: Any, text: str) -> None:
    composer = pilot.app.screen.query_one(Composer)
    composer.focus()
    composer.load_text(text)
    await pilot.press("enter")


async def test_send_streams_markdown_reasoning_and_usage() -> None:
    reply = "# Title\n\nSome **bold** text.\n\n```python\nprint('hi')\n```\n\nThe end."
    app, conv = make_app(text_turn(reply, reasoning="First I consider the question."))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"hello", "enter")
        await settle(pilot, conv)
        assert conv.submitted == ["hello"]
        screen = app.screen
        assert screen.composer.text == ""
        text = screen_text(app)
        assert "hello" in text and "Title" in text and "print('hi')" in text
        assert "The end." in text and "**" not in text  # rendered, not raw
        assert "turn 1 · thought for" in text
        entry = screen.reasoning.query("ReasoningEntry").last()
        assert entry.text == "First I consider the question." and not entry.collapsed
        assert "in 120 (cached 20) out 80 (reasoning 30)" in screen.status.status_text()
        assert screen.renderer.last_reply == reply


def reasoning_titles(app: LlmxApp) -> list[str]:
    return [str(entry.title) for entry in app.screen.reasoning.query("ReasoningEntry")]


async def test_each_turn_s_reasoning_is_numbered_from_one() -> None:
    app, conv = make_app(
        text_turn("First answer.", reasoning="Think once."),
        text_turn("Second answer.", reasoning="Think twice."),
    )
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "one")
        await settle(pilot, conv)
        await send(pilot, "two")
        await settle(pilot, conv)
        titles = reasoning_titles(app)
        assert [title.split(" · ")[0] for title in titles] == ["turn 1", "turn 2"]


async def test_a_resumed_session_s_reasoning_is_one_entry_per_turn_with_its_length() -> None:
    from llmx_tui.core.items import AssistantMessage, UserMessage

    history = [
        UserMessage(text="one", turn=0),
        Reasoning(text="Think once.", turn=0),
        AssistantMessage(text="First answer.", turn=0),
        UserMessage(text="two", turn=1),
        AssistantMessage(text="Second answer, no reasoning.", turn=1),
        UserMessage(text="three", turn=2),
        Reasoning(text="Think a third time.", turn=2),
        Reasoning(text="Then once more.", turn=2),  # a second step of the same turn
        AssistantMessage(text="Third answer.", turn=2),
    ]
    conversation = ScriptedConversation([text_turn("Fourth.", reasoning="Again.")], history=history)
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert reasoning_titles(app) == [
            "turn 1 · 11 chars",
            "turn 3 · 36 chars",
        ]
        third = app.screen.reasoning.query("ReasoningEntry").last()
        assert third.text == "Think a third time.\n\nThen once more."
        await send(pilot, "four")
        await settle(pilot, conversation)
        assert reasoning_titles(app)[-1].startswith("turn 4 · thought for")


async def test_a_long_resumed_session_shows_its_last_reasoning_turns_however_far_back() -> None:
    """Turns with reasoning among hundreds without: all shown (the pane used to read only
    the last 200 items), and at most KEEP of them."""
    from llmx_tui.core.items import AssistantMessage, UserMessage
    from llmx_tui.ui.widgets.reasoning_pane import KEEP

    def session(turns: int, every: int) -> list[Any]:
        history: list[Any] = []
        for turn in range(turns):
            history.append(UserMessage(text=f"q{turn}", turn=turn))
            if turn % every == 0:
                history.append(Reasoning(text=f"thought {turn}", turn=turn))
            history.append(AssistantMessage(text=f"a{turn}", turn=turn))
        return history

    for history, expected in (
        (session(300, 25), [f"turn {t + 1} " for t in range(0, 300, 25)]),
        (
            session(KEEP + 10, 1),
            [f"turn {t + 1} " for t in range(10, KEEP + 10)],
        ),
    ):
        conversation = ScriptedConversation(history=history)
        app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            titles = reasoning_titles(app)
            assert len(titles) == len(expected)
            assert [t[: len(w)] for t, w in zip(titles, expected, strict=True)] == expected


async def test_a_resumed_session_s_tool_calls_are_in_the_tool_pane() -> None:
    from llmx_tui.core.items import AssistantMessage, ToolCall, ToolOutput, UserMessage

    history = [
        UserMessage(text="look"),
        ToolCall(call_id="c1", name="read_file", arguments='{"path":"a.txt"}'),
        ToolOutput(call_id="c1", output="alpha"),
        ToolCall(call_id="c2", name="run_shell", arguments='{"command":"false"}'),
        ToolOutput(call_id="c2", output="exit 1", is_error=True),
        ToolCall(call_id="c4", name="run_shell", arguments='{"command":"rm x"}'),
        ToolOutput(call_id="c4", output="The user denied it.", is_error=True, status="denied"),
        AssistantMessage(text="Done looking."),
        UserMessage(text="again"),
        ToolCall(call_id="c3", name="read_file", arguments='{"path":"b.txt"}'),  # cut off
    ]
    app = LlmxApp(ScriptedConversation(history=history), clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        views = list(app.screen.tools.query(ToolCallView))
        assert [(v.tool_name, v.state, v.output) for v in views] == [
            ("read_file", "done", "alpha"),
            ("run_shell", "failed", "exit 1"),
            ("run_shell", "denied", "The user denied it."),
            ("read_file", "not run", None),
        ]
        assert '"path": "b.txt"' in screen_text(app)  # pretty arguments, on screen
        assert "No tool calls yet." not in screen_text(app)
        assert "– tool read_file(" in screen_text(app) and "· not run" in screen_text(app)


async def test_past_tool_calls_go_above_a_live_call_that_came_first() -> None:
    from llmx_tui.core.items import ToolCall

    app, _conv = make_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen.tools
        pane.start_call(0, "live", "run_shell")
        await pilot.pause()
        pane.add_past([(ToolCall(call_id="old", name="read_file", arguments="{}"), "done", "x")])
        await pilot.pause()
        assert [view.call_id for view in pane.query(ToolCallView)] == ["old", "live"]


async def test_untrusted_text_is_shown_literally() -> None:
    nasty = (
        "A [bold red]x[/] and [link=http://x]y[/link] then \x1b[31mred and [@click=app.quit]q[/]"
    )
    app, conv = make_app(
        text_turn(nasty, reasoning="[bold]think[/bold] \x1b[2J"),
        tool_turn(
            "shell",
            {"cmd": "[red]ls[/]"},
            "ok",
            approval=False,
            output="[/bold] out \x1b]0;title\x07",
        ),
    )
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "one")
        await settle(pilot, conv)
        assert "[bold]think[/bold] ␛[2J" in screen_text(app)
        await send(pilot, "two")
        await settle(pilot, conv)
        text = screen_text(app)
        assert "[bold red]x[/]" in text
        assert "[link=http://x]y[/link]" in text
        assert "␛[31mred" in text and "\x1b" not in text
        assert "[@click=app.quit]q[/]" in text
        assert "[/bold] out ␛]0;title␇" in text
        assert app.is_running


async def test_escape_cancels_and_keeps_partial_reply_and_typed_text() -> None:
    pause = Pause()
    script = [
        *text_turn("Partial answer here", reasoning="")[:3],
        pause,
        TextDelta(text=" never shown"),
    ]
    app, conv = make_app(script, text_turn("Second reply"))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "question")
        await pilot.pause(0.2)
        assert conv.busy
        await pilot.press(*"draft")
        await pilot.press("escape")
        await settle(pilot, conv)
        assert not conv.busy
        text = screen_text(app)
        assert "Partial" in text and "never shown" not in text
        assert "cancelled — what had arrived is kept" in text
        assert app.screen.composer.text == "draft"
        await send(pilot, "next")
        await settle(pilot, conv)
        assert "Second reply" in screen_text(app)


async def test_cancelling_while_it_only_reasons_claims_no_partial_reply() -> None:
    pause = Pause()
    script = [
        StepStarted(step=0, provider="openai", model="gpt-test"),
        ReasoningDelta(text="Still thinking"),
        pause,
        TextDelta(text="never shown"),
    ]
    app, conv = make_app(script)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "question")
        await pilot.pause(0.2)
        await pilot.press("escape")
        await settle(pilot, conv)
        text = screen_text(app)
        assert "cancelled — what had arrived is kept" in text
        assert "partial reply" not in text and "never shown" not in text


async def test_reasoning_step_titles_in_double_asterisks_are_shown_bold() -> None:
    thought = "**Clarifying the goal**\n\nThe user asks *how*; [bold]tags[/] stay as written."
    app, conv = make_app(text_turn("Done.", reasoning=thought))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hello")
        await settle(pilot, conv)
        text = screen_text(app)
        assert "Clarifying the goal" in text and "**" not in text
        entry = app.screen.reasoning.query("ReasoningEntry").last()
        shown = entry.query(".reasoning-text").last().visual
        assert isinstance(shown, Content)
        # The rest as written: single asterisks and markup are text.
        assert shown.plain.endswith("The user asks *how*; [bold]tags[/] stay as written.")
        bold = [shown.plain[span.start : span.end] for span in shown.spans if span.style == "bold"]
        assert bold == ["Clarifying the goal"]


async def test_error_is_inline_then_retry_key_reruns_and_next_prompt_works() -> None:
    app, conv = make_app(
        error_turn("upstream exploded [b]500[/b]"), text_turn("Recovered"), text_turn("Fine again")
    )
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "try")
        await settle(pilot, conv)
        notices = list(app.screen.query(NoticeLine))
        assert len(notices) == 1 and notices[0].kind == "error"
        assert "upstream exploded [b]500[/b]" in screen_text(app)
        # No reply came: the notice says the next prompt would go out joined to this one.
        assert "ctrl+r retries; a new prompt is sent joined to this one" in str(notices[0].render())
        await pilot.press("ctrl+r")
        await settle(pilot, conv)
        assert conv.retries == 1 and "Recovered" in screen_text(app)
        await send(pilot, "again")
        await settle(pilot, conv)
        assert "Fine again" in screen_text(app)


async def test_a_turn_stopped_on_malformed_calls_says_the_next_prompt_is_joined() -> None:
    """Its calls are left out of requests (rule 2): the prompt stands unanswered."""
    from llmx_tui.core.items import ToolCall

    call = ToolCall(call_id="c1", name="read_file", arguments='{"path": "README.md", ')
    script = [
        StepStarted(step=0, provider="openai", model="gpt-test"),
        ItemDone(item=call),
        *error_turn("stopped: 2 times in a row the model called read_file with arguments")[1:],
    ]
    app, conv = make_app(script)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "badjson")
        await settle(pilot, conv)
        [notice] = app.screen.query(NoticeLine)
        assert "a new prompt is sent joined to this one" in str(notice.render())


async def test_a_resumed_session_that_ended_on_an_unanswered_failure_says_so() -> None:
    from llmx_tui.core.items import AssistantMessage, TurnError, UserMessage

    history = [
        UserMessage(text="one"),
        TurnError(kind="http", message="HTTP 500 earlier"),  # answered by the retry below
        UserMessage(text="one"),
        AssistantMessage(text="First answer."),
        UserMessage(text="two"),
        TurnError(kind="http", message="HTTP 400 last"),
    ]
    app = LlmxApp(ScriptedConversation(history=history), clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first, last = [str(n.render()) for n in app.screen.query(NoticeLine)]
        assert "joined" not in first and "(press ctrl+r to retry)" in first
        assert "a new prompt is sent joined to this one" in last


async def test_an_error_after_part_of_a_reply_only_offers_retry() -> None:
    app, conv = make_app(error_turn("cut off", partial="Half an answer"))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "try")
        await settle(pilot, conv)
        [notice] = app.screen.query(NoticeLine)
        assert "(press ctrl+r to retry)" in str(notice.render())
        assert "joined" not in str(notice.render())


async def test_approval_allow_once_runs_the_tool() -> None:
    app, conv = make_app(
        tool_turn(
            "write_file",
            {"path": "notes.txt", "text": "hi"},
            "Written.",
            approval=True,
            output="wrote 2 bytes",
        )
    )
    decisions = conv.bus.subscribe(ApprovalDecided)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "write it")
        for _ in range(100):
            await pilot.pause(0.02)
            if isinstance(app.screen, ApprovalScreen):
                break
        assert isinstance(app.screen, ApprovalScreen)
        modal_text = screen_text(app)
        assert "write_file" in modal_text and '"path": "notes.txt"' in modal_text
        await pilot.press("a")
        await settle(pilot, conv)
        assert [d.decision for d in decisions.drain()] == ["allow_once"]
        view = app.screen.query_one(ToolCallView)
        assert view.state == "done" and view.output == "wrote 2 bytes"
        assert app.screen.query_one(ToolCallLine).state == "done"
        assert "Written." in screen_text(app)


async def test_a_tool_call_line_shows_its_state_however_long_its_arguments() -> None:
    arguments = {"path": "notes.txt", "text": "a very long line of text for the file " * 6}
    app, conv = make_app(tool_turn("write_file", arguments, "Written.", approval=False))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "write it")
        await settle(pilot, conv)
        line = app.screen.query_one(ToolCallLine)
        shown = line.render_line(0).text.rstrip()
        assert shown.endswith("…) · done")  # the line's room goes to the arguments
        assert '{"path": "notes.txt"' in shown
        assert len(shown) <= line.size.width
        line.set_state("done", '{"path": "a.txt"}')  # short: the hint to the pane too
        assert line.render_line(0).text.rstrip().endswith('{"path": "a.txt"}) · done  [F3 tools]')


async def test_approval_deny_and_allow_for_session() -> None:
    app, conv = make_app(
        tool_turn("shell", {"cmd": "rm -rf build"}, "Not run.", approval=True),
        tool_turn("shell", {"cmd": "ls"}, "Listed.", approval=True, call_id="call_2"),
    )
    decisions = conv.bus.subscribe(ApprovalDecided)
    async with app.run_test(size=SIZE) as pilot:
        for text, key in (("delete", "d"), ("list", "s")):
            await send(pilot, text)
            for _ in range(100):
                await pilot.pause(0.02)
                if isinstance(app.screen, ApprovalScreen):
                    break
            assert "rm -rf build" in screen_text(app) or text == "list"
            await pilot.press(key)
            await settle(pilot, conv)
        assert [d.decision for d in decisions.drain()] == ["deny", "allow_session"]
        states = [v.state for v in app.screen.query(ToolCallView)]
        assert states == ["denied", "done"]


async def test_toggle_panes_and_copy_reply_and_code() -> None:
    reply = "Use this:\n\n```sh\nmake test\n```\n\nDone."
    app, conv = make_app(text_turn(reply))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "how")
        await settle(pilot, conv)
        screen = app.screen
        await pilot.press("f2")
        assert not screen.reasoning.display and screen.query_one("#side").display
        await pilot.press("f3")
        assert not screen.tools.display and not screen.query_one("#side").display
        await pilot.press("f2")
        assert screen.reasoning.display and screen.query_one("#side").display
        await pilot.press("f6")
        assert app.clipboard == reply
        await pilot.press("f7")
        assert app.clipboard == "make test\n"


async def test_side_panes_fold_away_on_a_narrow_screen_and_come_back_when_asked() -> None:
    app, _conv = make_app(text_turn("a"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        side = screen.query_one("#side")
        await pilot.pause()
        assert not side.display
        assert screen.conversation.size.width > 70  # the whole width, not 47 columns
        await pilot.press("f3")  # asked for: the tool pane alone, with the room there is
        assert side.display and screen.tools.display and not screen.reasoning.display
        await pilot.resize_terminal(90, 24)  # still narrow: what the user asked for stays
        await pilot.pause()
        assert side.display
        await pilot.press("f3")
        assert not side.display
        await pilot.resize_terminal(120, 40)  # wide: both panes, as they were when wide
        await pilot.pause()
        assert side.display and screen.reasoning.display and screen.tools.display
        await pilot.press("f3")  # the user's wide choice: reasoning only
        assert side.display and screen.reasoning.display and not screen.tools.display
        await pilot.resize_terminal(80, 24)  # narrow again: folded
        await pilot.pause()
        assert not side.display
        await pilot.press("f2")
        assert side.display and screen.reasoning.display and not screen.tools.display
        await pilot.resize_terminal(120, 40)  # wide: the wide choice comes back
        await pilot.pause()
        assert side.display and screen.reasoning.display and not screen.tools.display


async def test_composer_newline_and_prompt_recall() -> None:
    app, conv = make_app(text_turn("a"), text_turn("b"))
    async with app.run_test(size=SIZE) as pilot:
        composer = app.screen.composer
        await pilot.press(*"line1", "ctrl+j", *"line2")
        assert composer.text == "line1\nline2" and conv.submitted == []
        await pilot.press("enter")
        await settle(pilot, conv)
        await send(pilot, "second")
        await settle(pilot, conv)
        await pilot.press(*"dra")
        assert await composer_after(pilot, "up") == "second"
        assert await composer_after(pilot, "up") == "line1\nline2"
        assert await composer_after(pilot, "down", "down") == "dra"


async def composer_after(pilot: Any, *keys: str) -> str:
    """The composer's text once ``keys`` are pressed."""
    await pilot.press(*keys)
    return str(pilot.app.screen.composer.text)


async def test_up_recalls_a_resumed_session_s_prompts_before_new_ones() -> None:
    from llmx_tui.core.items import AssistantMessage, UserMessage

    history = [
        UserMessage(text="first saved"),
        AssistantMessage(text="one"),
        UserMessage(text="second saved"),
        AssistantMessage(text="two"),
    ]
    conversation = ScriptedConversation([text_turn("three")], history=history)
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        app.screen.composer.focus()
        assert await composer_after(pilot, "up") == "second saved"
        assert await composer_after(pilot, "up") == "first saved"
        assert await composer_after(pilot, "down", "down") == ""
        await send(pilot, "typed now")
        await settle(pilot, conversation)
        assert await composer_after(pilot, "up") == "typed now"
        assert await composer_after(pilot, "up") == "second saved"


async def test_typing_while_busy_keeps_text_and_does_not_send() -> None:
    pause = Pause()
    app, conv = make_app([*text_turn("x")[:2], pause, *text_turn("x")[2:]])
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first")
        await pilot.pause(0.1)
        await send(pilot, "second")
        await pilot.pause(0.1)
        assert conv.submitted == ["first"] and app.screen.composer.text == "second"
        pause.gate.set()
        await settle(pilot, conv)


async def test_reasoning_of_every_step_stays_in_one_entry_per_turn() -> None:
    first = tool_turn("read_file", {"path": "a"}, "Answer.", approval=False, reasoning="Step one.")
    # the answer step (after the tool) reasons too
    answer_step = next(i for i, e in enumerate(first) if i > 0 and e.type == "step_started")
    first.insert(answer_step + 1, ReasoningDelta(text="Step two."))
    first.insert(answer_step + 2, ItemDone(item=Reasoning(text="Step two.")))
    app, conv = make_app(first, text_turn("Next.", reasoning="Turn two."))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "go")
        await settle(pilot, conv)
        entries = list(app.screen.reasoning.query("ReasoningEntry"))
        assert [e.text for e in entries] == ["Step one.\n\nStep two."]
        await send(pilot, "again")
        await settle(pilot, conv)
        entries = list(app.screen.reasoning.query("ReasoningEntry"))
        assert [e.text for e in entries] == ["Step one.\n\nStep two.", "Turn two."]
        assert entries[0].collapsed and not entries[1].collapsed


async def test_tool_output_is_truncated_and_expands_and_skipped_calls_show() -> None:
    from llmx_tui.core.events import ToolFinished

    long_output = "\n".join(f"line {i}" for i in range(30))
    turn = tool_turn("list_directory", {"path": "."}, "Listed.", approval=False, output=long_output)
    skipped = ToolFinished(
        call_id="call_2", name="write_file", output="bad JSON", is_error=True, status="skipped"
    )
    second = tool_turn("write_file", {"path": "x"}, "Skipped it.", approval=False, call_id="call_2")
    finished_at = next(i for i, e in enumerate(second) if isinstance(e, ToolFinished))
    second[finished_at] = skipped
    app, conv = make_app(turn, second)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "list")
        await settle(pilot, conv)
        view = app.screen.query(ToolCallView).first()
        assert "22 more lines" in view.output_text() and "line 29" not in view.output_text()
        view.focus()
        await pilot.press("enter")
        assert view.expanded and "line 29" in view.output_text()
        await send(pilot, "write")
        await settle(pilot, conv)
        views = list(app.screen.query(ToolCallView))
        assert views[-1].state == "skipped"
        lines = list(app.screen.query(ToolCallLine))
        assert lines[-1].state == "skipped"


async def test_a_call_the_turn_ended_before_running_says_not_run() -> None:
    from llmx_tui.core.events import ToolFinished
    from llmx_tui.engine.turn import NOT_RUN_OUTPUT

    turn = tool_turn("read_file", {"path": "x"}, "", approval=False, call_id="call_7")
    at = next(i for i, e in enumerate(turn) if isinstance(e, ToolFinished))
    ended = ToolFinished(
        call_id="call_7", name="read_file", output=NOT_RUN_OUTPUT, is_error=True, status="not_run"
    )
    turn = [*turn[: at - 1], ended, *error_turn("stopped after 1 step(s)")]
    app, conv = make_app(turn)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "read")
        await settle(pilot, conv)
        [view] = app.screen.query(ToolCallView)
        [line] = app.screen.query(ToolCallLine)
        assert view.state == line.state == "not run"
        assert view.output == NOT_RUN_OUTPUT and line.has_class("-not-run")


async def test_switching_conversation_shows_its_history_and_follows_its_bus() -> None:
    from llmx_tui.core.items import AssistantMessage, UserMessage

    app, conv = make_app(text_turn("Old reply"))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "old question")
        await settle(pilot, conv)
        other = ScriptedConversation(
            [text_turn("Fresh reply")],
            history=[UserMessage(text="resumed question"), AssistantMessage(text="Resumed answer")],
        )
        app.switch_conversation(other)
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Resumed answer" in text and "Old reply" not in text
        assert app.screen.renderer.last_reply == "Resumed answer"
        await send(pilot, "new question")
        await settle(pilot, other)
        assert other.submitted == ["new question"] and conv.submitted == ["old question"]
        assert "Fresh reply" in screen_text(app)
        assert "in 120" in app.screen.status.status_text()


async def test_the_end_of_a_turn_is_drawn_without_waiting_for_the_next_frame(
    monkeypatch: Any,
) -> None:
    from llmx_tui.ui.screens import chat

    monkeypatch.setattr(chat, "frame_gap", lambda work, drawing, **_: 60.0)  # frames far apart
    pause = Pause()
    turn = text_turn("The first words, then the rest, which ENDS HERE")
    app, _conv = make_app([*turn[:2], pause, *turn[2:]])
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "question")
        await wait_for(pilot, lambda: "The" in screen_text(app))  # one frame drawn
        pause.gate.set()
        await wait_for(pilot, lambda: "ENDS HERE" in screen_text(app))


async def test_frames_are_paced_by_what_drawing_the_screen_cost(monkeypatch: Any) -> None:
    """The pump spaces frames by Textual's whole screen update (layout, Markdown, paint)."""
    from llmx_tui.ui.screens import chat

    drawn: list[float] = []

    def gap(work: float, drawing: float, *, flooded: bool = False) -> float:
        drawn.append(drawing)
        return 0.02

    monkeypatch.setattr(chat, "frame_gap", gap)
    pause = Pause()
    turn = text_turn("# A heading\n\nSome words in a paragraph. " * 20)
    deltas = [i for i, event in enumerate(turn) if isinstance(event, TextDelta)]
    app, _conv = make_app([*turn[: deltas[-1]], pause, *turn[deltas[-1] :]])
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "question")
        await wait_for(pilot, lambda: "heading" in screen_text(app))
        await pilot.pause(0.1)
        pause.gate.set()
        await wait_for(pilot, lambda: not app.conversation.busy)
    # Frames after the first paint report time spent drawing the screen, once each.
    assert drawn and max(drawn) > 0.0
    assert sum(drawn) < 5.0


async def test_a_flood_of_text_is_drawn_with_what_follows_it(monkeypatch: Any) -> None:
    """More text than the screen holds, all at once, waits for the next frame (here: for
    the turn's end); a few words are drawn as they come."""
    from llmx_tui.ui.screens import chat

    monkeypatch.setattr(chat, "LONGEST_FRAME", 60.0)  # a held flood waits for news only
    flood = "word " * (SIZE[0] * SIZE[1] // 4) + "LASTWORD"  # more characters than cells
    pause, later = Pause(), Pause()
    events = [StepStarted(step=0, provider="openai", model="gpt-test"), TextDelta(text="Hi. ")]
    events += [pause, TextDelta(text=flood), later, *text_turn("Hi. " + flood)[-3:]]
    app, _conv = make_app(events)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "question")
        await wait_for(pilot, lambda: "Hi." in screen_text(app))  # a few words: at once
        pause.gate.set()
        for _ in range(5):
            await pilot.pause(0.02)
        assert "LASTWORD" not in screen_text(app)  # the flood is held
        later.gate.set()
        await wait_for(pilot, lambda: "LASTWORD" in screen_text(app))  # the end: drawn


async def test_the_reply_keeps_its_width_when_the_conversation_first_overflows() -> None:
    """The scrollbar's column is reserved, so nothing is rendered again at a new width."""
    pause = Pause()
    long = "A line of the reply that goes on.\n\n" * 40
    app, _conv = make_app(
        [*text_turn("Short.")[:2], pause, TextDelta(text=long), *text_turn("Short." + long)[-3:]]
    )
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.conversation
        await send(pilot, "question")
        await wait_for(pilot, lambda: "Short." in screen_text(app))
        width = view.scrollable_content_region.width
        assert view.max_scroll_y == 0
        pause.gate.set()
        await wait_for(pilot, lambda: view.max_scroll_y > 0)
        assert view.scrollable_content_region.width == width


def thirty_turns_app() -> LlmxApp:
    """The app on a resumed session of 30 turns, taller than the screen."""
    from llmx_tui.core.items import AssistantMessage, UserMessage

    history: list[Any] = []
    for i in range(30):
        history += [UserMessage(text=f"question {i}"), AssistantMessage(text=f"answer {i}\n\n" * 3)]
    return LlmxApp(ScriptedConversation(history=history), clock=lambda: 0.0, cursor_blink=False)


async def scrolled_to_the_end(pilot: Any) -> Any:
    view = pilot.app.screen.conversation
    await wait_for(pilot, lambda: "answer 29" in screen_text(pilot.app) and view.max_scroll_y > 0)
    return view


async def test_page_keys_scroll_the_conversation_while_typing() -> None:
    app = thirty_turns_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await scrolled_to_the_end(pilot)
        await pilot.press(*"draft")
        bottom = view.scroll_y
        await pilot.press("pageup")
        await wait_for(pilot, lambda: view.scroll_y < bottom)
        assert not view.follow
        for _ in range(3):
            await pilot.press("pagedown")
        await wait_for(pilot, lambda: view.follow)
        assert app.screen.composer.text == "draft"
        view.scroll_page_up()  # animated, as a focused view scrolls: not pulled back down
        await wait_for(pilot, lambda: view.scroll_y < bottom - 10)
        for _ in range(5):
            await pilot.pause(0.05)
        assert view.scroll_y < bottom and not view.follow


async def test_page_up_pressed_faster_than_frames_goes_a_page_per_press() -> None:
    """A held PageUp (key repeat) sends presses faster than the screen refreshes; each
    went to the same target, one page from where the view was drawn."""
    app = thirty_turns_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await scrolled_to_the_end(pilot)
        bottom = view.scroll_y
        page = view.scrollable_content_region.height
        screen = app.screen
        for _ in range(3):  # three presses handled before any refresh
            screen.action_scroll_conversation(-1)
        await pilot.pause()
        assert view.scroll_y == max(0, bottom - 3 * page)


async def test_the_status_line_is_written_shorter_on_a_narrow_screen() -> None:
    usage = Usage(input_tokens=1500, output_tokens=955)
    app, conv = make_app(text_turn("a", usage=usage))
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "hi")
        await settle(pilot, conv)
        status = app.screen.status
        line = screen_text(app).split("\n")[22]
        assert line.rstrip().endswith("session in 1500 out 955")  # not cut off at the edge
        assert "cached" not in line
        assert status.status_text(50).endswith("session ↑1500 ↓955")  # shorter still
        await pilot.resize_terminal(200, 24)
        await pilot.pause()
        line = screen_text(app).split("\n")[22]
        assert "session in 1500 (cached –) out 955 (reasoning –)" in line
        assert status.status_text() in line


async def test_a_prompt_that_could_not_be_sent_goes_back_to_the_composer() -> None:
    """A damaged history database fails the session's creation: the prompt is not lost,
    and the message is the error's, not a repr."""
    from llmx_tui.store.errors import StoreError

    app, conv = make_app()

    async def submit(text: str) -> None:
        conv.submitted.append(text)
        raise StoreError("the history database /tmp/h.db is damaged (file is not a database)")

    conv.submit = submit  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "keep this prompt")
        await wait_for(pilot, lambda: app.screen.composer.text == "keep this prompt")
        assert app.screen.composer.cursor_location == (0, len("keep this prompt"))
        notes = [n.message for n in app._notifications]
        assert any(
            note.startswith("Could not send: the history database /tmp/h.db is damaged")
            and note.endswith("Your prompt is back in the composer.")
            for note in notes
        ), notes
        assert conv.submitted == ["keep this prompt"]


async def test_an_approved_call_shows_running_and_a_cancel_while_it_runs_says_so() -> None:
    """The state after approval was 'waiting' until the call finished, and stayed so
    when Esc cancelled the turn while the call ran."""
    from llmx_tui.core.events import ApprovalRequested, ToolCallStarted
    from llmx_tui.core.items import ToolCall

    args = '{"command": "sleep 30"}'
    running = Pause()
    script = [
        StepStarted(step=0, provider="openai", model="gpt-test"),
        ToolCallStarted(index=0, call_id="call_s", name="run_shell"),
        ItemDone(item=ToolCall(call_id="call_s", name="run_shell", arguments=args)),
        ApprovalRequested(
            request_id="req-s", call_id="call_s", name="run_shell", arguments=args, description=""
        ),
        running,  # the command runs until the turn is cancelled
    ]
    app, conv = make_app(script)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "sleep")
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        await pilot.press("a")
        [line] = app.screen.query(ToolCallLine)
        await wait_for(pilot, lambda: line.state == "running")
        [view] = app.screen.query(ToolCallView)
        assert view.state == "running"
        await pilot.press("escape")
        await settle(pilot, conv)
        assert line.state == view.state == "cancelled"


async def test_a_resumed_tool_call_cancelled_while_it_ran_says_cancelled() -> None:
    from llmx_tui.core.items import Cancelled, ToolCall, ToolOutput, UserMessage

    history = [
        UserMessage(text="build it"),
        ToolCall(call_id="c1", name="run_shell", arguments='{"command":"make"}'),
        ToolOutput(call_id="c1", output="cancelled", is_error=True, status="cancelled"),
        Cancelled(),
    ]
    app = LlmxApp(ScriptedConversation(history=history), clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        views = list(app.screen.tools.query(ToolCallView))
        assert [(v.tool_name, v.state) for v in views] == [("run_shell", "cancelled")]
        text = screen_text(app)
        assert "⊘ tool run_shell(" in text and "· cancelled" in text
        assert "failed" not in text and "✗" not in text


async def test_at_80_columns_the_status_says_the_model_is_thinking_and_how_to_see_it() -> None:
    pause = Pause()
    script = [
        StepStarted(step=0, provider="openai", model="gpt-test"),
        ReasoningDelta(text="Weighing the options"),
        pause,
        TextDelta(text="The answer."),
    ]
    app, _conv = make_app(script)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "question")
        await wait_for(pilot, lambda: "thinking" in app.screen.status.state)
        assert not app.screen.reasoning_shown()  # folded away at 80 columns
        assert "thinking… (F2 shows it)" in screen_text(app)
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.screen.status.state == "thinking…")
        assert "Weighing the options" in screen_text(app)
        pause.gate.set()
        await wait_for(pilot, lambda: "The answer." in screen_text(app))
        assert app.screen.status.state == "streaming"
