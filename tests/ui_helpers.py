"""A scripted stand-in for ``engine.conversation.Conversation`` (same public API).

Each ``submit`` plays the next script: a list of events published on a real
EventBus, with ``Pause`` (wait on an asyncio.Event the test controls) and
``AwaitApproval`` (publish ApprovalRequested and wait for the UI's
ApprovalDecided) steps in between.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import (
    ApprovalDecided,
    ApprovalRequested,
    ErrorInfo,
    ItemDone,
    ReasoningDelta,
    ResponseCompleted,
    StepStarted,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStarted,
    ToolFinished,
    ToolRunning,
    TurnCancelled,
    TurnCompleted,
    TurnFailed,
    TurnStarted,
    Usage,
)
from llmx_tui.core.items import (
    AssistantMessage,
    Cancelled,
    Item,
    Reasoning,
    ToolCall,
    ToolOutput,
    TurnError,
    UserMessage,
)


@dataclass
class Pause:
    """Stop here until the test sets ``gate``."""

    gate: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class AwaitApproval:
    call_id: str
    name: str
    arguments: str
    description: str
    output: str = "ok"


def chunks(text: str, size: int = 7) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def text_turn(text: str, reasoning: str = "", *, usage: Usage | None = None) -> list[Any]:
    usage = usage or Usage(
        input_tokens=120,
        cached_input_tokens=20,
        output_tokens=80,
        reasoning_tokens=30 if reasoning else 0,
    )
    events: list[Any] = [StepStarted(step=0, provider="openai", model="gpt-test")]
    events += [ReasoningDelta(text=c) for c in chunks(reasoning)]
    events += [TextDelta(text=c) for c in chunks(text)]
    if reasoning:
        events.append(ItemDone(item=Reasoning(text=reasoning)))
    events += [
        usage,
        ItemDone(item=AssistantMessage(text=text)),
        ResponseCompleted(text=text, reasoning=reasoning, finish_reason="stop", usage=usage),
        TurnCompleted(finish_reason="stop", usage=usage),
    ]
    return events


def tool_turn(
    name: str,
    arguments: dict[str, Any],
    answer: str,
    *,
    approval: bool,
    output: str = "file contents",
    call_id: str = "call_1",
    reasoning: str = "",
) -> list[Any]:
    args = json.dumps(arguments)
    events: list[Any] = [StepStarted(step=0, provider="openai", model="gpt-test")]
    events += [ReasoningDelta(text=c) for c in chunks(reasoning)]
    if reasoning:
        events.append(ItemDone(item=Reasoning(text=reasoning)))
    events += [ToolCallStarted(index=0, call_id=call_id, name=name)]
    events += [ToolCallArgumentsDelta(index=0, fragment=c) for c in chunks(args, 5)]
    events += [
        ItemDone(item=ToolCall(call_id=call_id, name=name, arguments=args)),
        ResponseCompleted(text="", reasoning="", finish_reason="tool_calls"),
    ]
    if approval:
        events.append(AwaitApproval(call_id, name, args, f"{name} {args}", output))
    else:
        events += [
            ToolRunning(call_id=call_id, name=name, arguments=args),
            ToolFinished(call_id=call_id, name=name, output=output, duration=0.25),
            ItemDone(item=ToolOutput(call_id=call_id, output=output)),
        ]
    events += text_turn(answer)
    return events


def error_turn(message: str, partial: str = "") -> list[Any]:
    events: list[Any] = [StepStarted(step=0, provider="openai", model="gpt-test")]
    events += [TextDelta(text=c) for c in chunks(partial)]
    events += [
        ItemDone(item=TurnError(kind="http", message=message)),
        TurnFailed(error=ErrorInfo(kind="http", message=message, status=500), partial_text=partial),
    ]
    return events


class ScriptedConversation:
    def __init__(
        self, scripts: list[list[Any]] | None = None, *, history: list[Item] | None = None
    ) -> None:
        self.bus = EventBus()
        self.provider = "openai"
        self.model = "gpt-test"
        self.session_id: str | None = "s1"
        self.history: list[Item] = list(history or [])
        self.saved_usage = Usage()
        self.busy = False
        self.scripts = list(scripts or [])
        self.submitted: list[str] = []
        self.retries = 0
        self._cancel = asyncio.Event()
        self._turn = sum(1 for item in self.history if isinstance(item, UserMessage))

    async def submit(self, text: str) -> None:
        self.submitted.append(text)
        await self._run(text)

    async def retry(self) -> None:
        self.retries += 1
        last = self.submitted[-1] if self.submitted else ""
        await self._run(last, echo_user=False)

    def cancel(self) -> None:
        if self.busy:
            self._cancel.set()

    async def _run(self, text: str, *, echo_user: bool = True) -> None:
        self.busy = True
        self._cancel.clear()
        # As the engine numbers turns: how many prompts came before this one.
        turn = self._turn
        self._turn += 1
        script = self.scripts.pop(0) if self.scripts else text_turn("ok")
        partial = ""
        self._publish(TurnStarted(session_id=self.session_id, turn=turn))
        if echo_user:
            self._publish(ItemDone(item=UserMessage(text=text, turn=turn)))
        try:
            for step in script:
                if self._cancel.is_set():
                    self._publish(ItemDone(item=Cancelled()))
                    self._publish(TurnCancelled(partial_text=partial))
                    return
                if isinstance(step, Pause):
                    await self._wait_either(step.gate.wait())
                    continue
                if isinstance(step, AwaitApproval):
                    await self._approve(step)
                    continue
                if isinstance(step, TextDelta):
                    partial += step.text
                self._publish(step)
                await asyncio.sleep(0)
            if self._cancel.is_set():
                self._publish(TurnCancelled(partial_text=partial))
        finally:
            self.busy = False

    async def _wait_either(self, waitable: Any) -> None:
        _done, pending = await asyncio.wait(
            [asyncio.ensure_future(waitable), asyncio.ensure_future(self._cancel.wait())],
            return_when=asyncio.FIRST_COMPLETED,
        )
        for task in pending:
            task.cancel()

    async def _approve(self, step: AwaitApproval) -> None:
        sub = self.bus.subscribe(ApprovalDecided)
        request_id = f"req-{step.call_id}"
        self._publish(
            ApprovalRequested(
                request_id=request_id,
                call_id=step.call_id,
                name=step.name,
                arguments=step.arguments,
                description=step.description,
            )
        )
        while True:
            decided = await sub.get()
            if decided.request_id == request_id:
                break
        sub.close()
        if decided.decision == "deny":
            self._publish(
                ToolFinished(
                    call_id=step.call_id,
                    name=step.name,
                    output="denied by user",
                    is_error=True,
                    status="denied",
                )
            )
            if decided.stop:  # as the engine does: the turn ends after the denial
                self._cancel.set()
            return
        self._publish(ToolRunning(call_id=step.call_id, name=step.name, arguments=step.arguments))
        self._publish(
            ToolFinished(call_id=step.call_id, name=step.name, output=step.output, duration=0.5)
        )

    def _publish(self, event: Any) -> None:
        if isinstance(event, ItemDone):
            self.history.append(event.item)
        self.bus.publish(event)


def screen_text(app: Any) -> str:
    """What the terminal shows, as plain text lines (for assertions)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


DEMO_REASONING = (
    "The user wants the project's test command. I should read the Makefile first "
    "rather than guess, then answer with the exact command and a short explanation."
)
DEMO_ANSWER = """## Running the tests

The `Makefile` defines two targets:

| target | what it does |
|---|---|
| `test` | unit and Pilot tests |
| `lint` | ruff check and format |

```sh
make test
```

- Tests use a **loopback** server, never a real provider.
- Snapshot files live in `tests/__snapshots__/`.
"""
DEMO_MAKEFILE = "test:\n\tpytest -q\nlint:\n\truff check .\n"


def demo_scripts(*, pause_mid_answer: Pause | None = None) -> list[list[Any]]:
    """A turn with reasoning, a tool call and a Markdown answer (optionally held
    halfway through the answer, for mid-stream pictures)."""
    turn = tool_turn(
        "read_file",
        {"path": "Makefile"},
        DEMO_ANSWER,
        approval=False,
        output=DEMO_MAKEFILE,
        reasoning=DEMO_REASONING,
    )
    if pause_mid_answer is not None:
        first_text = next(i for i, e in enumerate(turn) if isinstance(e, TextDelta))
        turn.insert(first_text + len(DEMO_ANSWER) // 14, pause_mid_answer)
    return [turn]


async def wait_for(pilot: Any, condition: Any, tries: int = 200) -> None:
    for _ in range(tries):
        await pilot.pause(0.02)
        if condition():
            return
    raise AssertionError("condition never became true")


def ui_settled(app: Any, conversation: Any) -> bool:
    """The turn is over and the screen has applied every event it was sent."""
    screen = app.screen
    return (
        not conversation.busy
        and not screen._subscription.pending()
        and screen.renderer.assistant is None
        and screen.status.state == "idle"
    )


async def send_prompt(pilot: Any, text: str) -> None:
    composer = pilot.app.screen.composer
    composer.load_text(text)
    await pilot.press("enter")


def make_loopback_conversation(server: Any, workdir: Any, *, model: str = "loop-model") -> Any:
    """The real Conversation (engine, transport, built-in tools behind the bus
    approval gate) talking to the loopback server; no store."""
    import httpx

    from llmx_tui.engine.conversation import Conversation
    from llmx_tui.engine.tool_runner import RegistryToolRunner
    from llmx_tui.engine.tools.approval import BusApprovalGate
    from llmx_tui.engine.tools.registry import ToolRegistry
    from llmx_tui.engine.turn import TurnEngine, TurnOptions
    from llmx_tui.providers.registry import get_preset
    from llmx_tui.providers.resolve import ResolvedProvider
    from llmx_tui.providers.transport import RetryPolicy, Timeouts, Transport

    bus = EventBus()
    provider = ResolvedProvider(
        name="deepseek",
        preset=get_preset("deepseek"),
        base_url=server.base_url,
        model=model,
        api_key="k",
    )
    transport = Transport(
        httpx.AsyncClient(),
        retry=RetryPolicy(max_attempts=1),
        timeouts=Timeouts(idle=5, finish_grace=0.2),
    )
    tools = RegistryToolRunner(ToolRegistry.with_builtins(workdir), BusApprovalGate(bus))
    engine = TurnEngine(
        bus=bus, provider=provider, transport=transport, tools=tools, options=TurnOptions()
    )
    return Conversation(engine=engine)


def loopback_tool_step(reasoning: str, call_id: str, name: str, arguments: str) -> bytes:
    """One streamed step: reasoning, then a tool call (OpenAI-style, DeepSeek field)."""
    from tests.loopback import sse_body

    call = {
        "index": 0,
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }
    return sse_body(
        {"choices": [{"index": 0, "delta": {"reasoning_content": reasoning}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
        {
            "choices": [],
            "usage": {
                "prompt_tokens": 812,
                "completion_tokens": 64,
                "completion_tokens_details": {"reasoning_tokens": 41},
            },
        },
    )


def loopback_text_step(text: str, pieces: int = 40) -> bytes:
    from tests.loopback import sse_body

    size = max(1, len(text) // pieces)
    deltas = [
        {"choices": [{"index": 0, "delta": {"content": text[i : i + size]}}]}
        for i in range(0, len(text), size)
    ]
    return sse_body(
        *deltas,
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {"choices": [], "usage": {"prompt_tokens": 905, "completion_tokens": 153}},
    )


def burst(pilot: Any, *keys: str) -> None:
    """Keys arriving together, as from fast typing or tmux send-keys: pilot.press waits
    for the app to go idle after each key, which hides races with focus changes and
    with bindings run after the keys queued behind them."""
    from textual import events

    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(pilot.app)
        pilot.app._driver.send_message(event)
