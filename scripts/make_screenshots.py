"""Regenerate screenshots/*.svg from the real app fed by the loopback SSE server.

    .venv/bin/python scripts/make_screenshots.py

Each picture is the real LlmxApp and the real Conversation (engine, transport,
built-in tools, bus approval gate) talking HTTP to tests/loopback.py, at
120x40 with a fixed clock so reruns give the same pictures.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tui")]

from tests.loopback import LoopbackServer, Reply  # noqa: E402
from tests.ui_helpers import (  # noqa: E402
    DEMO_ANSWER,
    DEMO_REASONING,
    loopback_text_step,
    loopback_tool_step,
    make_loopback_conversation,
)

from llmx_tui.ui.app import LlmxApp  # noqa: E402
from llmx_tui.ui.screens.approval import ApprovalScreen  # noqa: E402

OUT = REPO / "screenshots"
SIZE = (120, 40)
PROMPT = "How do I run the tests?"


async def wait_for(pilot: Any, condition: Callable[[], bool], tries: int = 300) -> None:
    for _ in range(tries):
        await pilot.pause(0.02)
        if condition():
            return
    raise RuntimeError("the app never reached the expected state")


async def shoot(
    name: str,
    theme: str,
    replies: list[Reply],
    drive: Callable[[Any, Any, LlmxApp], Awaitable[None]],
) -> None:
    server = LoopbackServer().start()
    try:
        # A fixed folder, so the paths in the pictures do not change between runs.
        work = Path(tempfile.gettempdir()) / "llmx-tui-demo"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        (work / "Makefile").write_text("test:\n\tpytest -q\nlint:\n\truff check .\n")
        server.add(*replies)
        conversation = make_loopback_conversation(server, work)
        app = LlmxApp(conversation, theme=theme, clock=lambda: 0.0, cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await drive(pilot, conversation, app)
            await pilot.pause(0.3)
            app.save_screenshot(f"{name}.svg", path=str(OUT))
            if conversation.busy:
                conversation.cancel()
                await wait_for(pilot, lambda: not conversation.busy)
    finally:
        server.stop()
    print(f"screenshots/{name}.svg")


def tool_then_answer() -> list[Reply]:
    return [
        Reply(
            body=loopback_tool_step(DEMO_REASONING, "call_1", "read_file", '{"path": "Makefile"}')
        ),
        Reply(body=loopback_text_step(DEMO_ANSWER)),
    ]


async def send(pilot: Any, text: str) -> None:
    pilot.app.screen.composer.load_text(text)
    await pilot.press("enter")


async def finished(pilot: Any, conversation: Any, app: LlmxApp) -> None:
    await send(pilot, PROMPT)
    await wait_for(pilot, lambda: "make test" in app.screen.renderer.last_reply)
    await wait_for(pilot, lambda: not conversation.busy)


async def mid_stream(pilot: Any, conversation: Any, app: LlmxApp) -> None:
    await send(pilot, PROMPT)
    await wait_for(
        pilot, lambda: "unit and" in getattr(app.screen.renderer.assistant, "source", "")
    )


async def approval(pilot: Any, conversation: Any, app: LlmxApp) -> None:
    await send(pilot, "Add a changelog entry")
    await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    await shoot("chat-dark", "llmx-dark", tool_then_answer(), finished)
    await shoot("chat-light", "llmx-light", tool_then_answer(), finished)
    stalled = loopback_text_step(DEMO_ANSWER)
    cut = len(stalled) * 3 // 5
    await shoot(
        "streaming",
        "fjord",
        [
            Reply(
                body=loopback_tool_step(
                    DEMO_REASONING, "call_1", "read_file", '{"path": "Makefile"}'
                )
            ),
            Reply(body=stalled, chunk_size=64, stall_after=cut),
        ],
        mid_stream,
    )
    args = '{"path": "CHANGELOG.md", "content": "## 0.1.0\\n\\n- First release.\\n"}'
    await shoot(
        "approval",
        "llmx-high-contrast",
        [
            Reply(
                body=loopback_tool_step(
                    "The user wants a changelog entry.", "call_9", "write_file", args
                )
            )
        ],
        approval,
    )


if __name__ == "__main__":
    asyncio.run(main())
