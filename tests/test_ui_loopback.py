"""The app driving the real Conversation against the loopback SSE server:
send, stream with reasoning, cancel mid-stream, error then retry."""

from __future__ import annotations

from typing import Any

import httpx

from llmx_tui.core.bus import EventBus
from llmx_tui.engine.conversation import Conversation
from llmx_tui.engine.turn import TurnEngine, TurnOptions
from llmx_tui.providers.registry import get_preset
from llmx_tui.providers.resolve import ResolvedProvider
from llmx_tui.providers.transport import RetryPolicy, Timeouts, Transport
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.widgets.notice_line import NoticeLine
from tests.loopback import Reply, openai_text_stream, sse_body
from tests.ui_helpers import screen_text


def make_conversation(server: Any) -> Conversation:
    provider = ResolvedProvider(
        name="deepseek",
        preset=get_preset("deepseek"),
        base_url=server.base_url,
        model="loop-model",
        api_key="k",
    )
    transport = Transport(
        httpx.AsyncClient(),
        retry=RetryPolicy(max_attempts=1),
        timeouts=Timeouts(idle=5, finish_grace=0.2),
    )
    engine = TurnEngine(
        bus=EventBus(), provider=provider, transport=transport, options=TurnOptions()
    )
    return Conversation(engine=engine)


async def wait_idle(pilot: Any, conversation: Conversation) -> None:
    for _ in range(250):
        await pilot.pause(0.02)
        if not conversation.busy:
            break
    await pilot.pause(0.15)


def reasoning_reply(reasoning: str, text: str) -> bytes:
    return sse_body(
        {"choices": [{"index": 0, "delta": {"reasoning_content": reasoning}}]},
        {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 4}},
    )


async def test_send_stream_cancel_and_retry_end_to_end(loopback: Any) -> None:
    loopback.add_stream(reasoning_reply("Weighing it up.", "## Answer\n\nIt is **42**."))
    stalled = openai_text_stream("Partial words then a long silence", pieces=4)
    loopback.add(Reply(body=stalled, chunk_size=40, stall_after=len(stalled) // 2))
    loopback.add(
        Reply(
            status=500,
            body=b'{"error": {"message": "server [b]broke[/b]"}}',
            content_type="application/json",
        )
    )
    loopback.add_stream(openai_text_stream("Back again."))
    conversation = make_conversation(loopback)
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"question", "enter")
        await wait_idle(pilot, conversation)
        text = screen_text(app)
        assert "Answer" in text and "It is 42." in text
        assert "turn 1 · thought for" in text
        assert "deepseek · loop-model" in text and "in 7" in text

        await pilot.press(*"second", "enter")
        for _ in range(100):
            await pilot.pause(0.02)
            if "Partial" in screen_text(app):
                break
        assert conversation.busy
        await pilot.press("escape")
        await wait_idle(pilot, conversation)
        text = screen_text(app)
        assert "Partial" in text and "cancelled" in text

        await pilot.press(*"third", "enter")
        await wait_idle(pilot, conversation)
        notices = [n for n in app.screen.query(NoticeLine) if n.kind == "error"]
        assert notices and "server [b]broke[/b]" in screen_text(app)
        await pilot.press("ctrl+r")
        await wait_idle(pilot, conversation)
        assert "Back again." in screen_text(app)
        assert app.is_running


async def test_tool_call_approval_end_to_end(loopback: Any, tmp_path: Any) -> None:
    from llmx_tui.ui.screens.approval import ApprovalScreen
    from llmx_tui.ui.widgets.tool_call_view import ToolCallView
    from tests.ui_helpers import loopback_text_step, loopback_tool_step, make_loopback_conversation

    args = '{"path": "notes.txt", "content": "hello"}'
    loopback.add_stream(loopback_tool_step("I will write the file.", "call_w", "write_file", args))
    loopback.add_stream(loopback_text_step("Wrote **notes.txt**."))
    conversation = make_loopback_conversation(loopback, tmp_path)
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"write it", "enter")
        for _ in range(200):
            await pilot.pause(0.02)
            if isinstance(app.screen, ApprovalScreen):
                break
        assert isinstance(app.screen, ApprovalScreen)
        assert "notes.txt" in screen_text(app)
        await pilot.press("a")
        await wait_idle(pilot, conversation)
        assert (tmp_path / "notes.txt").read_text() == "hello"
        view = app.screen.query_one(ToolCallView)
        assert view.state == "done"
        assert "Wrote notes.txt." in screen_text(app)
