"""One user turn: build → stream → publish → run tools → repeat.

The engine keeps the history list it is given up to date, publishes every
event on the bus, and announces every finished item with ``ItemDone`` (the
store's recorder persists them). It never raises for provider or tool
failures: a turn ends with TurnCompleted, TurnFailed or TurnCancelled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import (
    ErrorInfo,
    ItemDone,
    ParsedToolCall,
    ResponseCompleted,
    StepStarted,
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
    ToolStatus,
    TurnError,
    UserMessage,
)
from llmx_tui.engine.sendable import empty_request_error
from llmx_tui.engine.step_items import malformed_calls_error, step_items
from llmx_tui.engine.tools.base import ToolResult
from llmx_tui.providers.base import ReportEntry, RequestSettings, StepOutcome, ToolSpec
from llmx_tui.providers.dialects import get_dialect
from llmx_tui.providers.errors import ProviderError
from llmx_tui.providers.history_model import CANCELLED_OUTPUT
from llmx_tui.providers.resolve import ResolvedProvider
from llmx_tui.providers.transport import HttpRequest, Transport

log = logging.getLogger(__name__)

# Steps in a row whose every tool call had arguments that are not JSON before the turn
# stops. Such calls are left out of the next request (PAYLOAD-RULES rule 2), so that
# request is the previous one again: one more sample may come out whole (most often it
# does not: the arguments were cut at the token limit), more only cost the user.
MALFORMED_STEPS = 2
# What a tool call the turn ended before running says in the tool pane.
NOT_RUN_OUTPUT = "Not run: the turn ended before this call."


class ToolRunner(Protocol):
    """What the engine (and the conversation driving it) needs from the tools layer."""

    def specs(self) -> tuple[ToolSpec, ...]: ...

    def stop_requested(self) -> bool:
        """The user denied a call and asked to end the turn (asking clears it)."""
        ...

    def forget_session(self) -> None:
        """Another session begins: "allow for this session" answers no longer apply."""
        ...

    async def run(self, call: ToolCall, on_start: Callable[[], None]) -> ToolResult:
        """What one call came to (never raises but for cancellation).

        ``on_start`` is called when the tool begins its work (after any approval): a
        cancel from then on may have left it half done, a cancel before it ran nothing."""


@dataclass
class TurnOptions:
    system_prompt: str | None = None
    max_steps: int = 25
    max_tokens: int | None = None
    reasoning_effort: str | None = None


@dataclass
class LastRequest:
    """The last payload sent and the builder's report (for the payload inspector)."""

    url: str
    payload: dict[str, Any]
    report: list[ReportEntry] = field(default_factory=list)


class TurnEngine:
    def __init__(
        self,
        *,
        bus: EventBus,
        provider: ResolvedProvider,
        transport: Transport | None = None,
        tools: ToolRunner | None = None,
        options: TurnOptions | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bus = bus
        self.clock = clock  # times tool runs
        self.provider = provider
        self.transport = transport or Transport()
        self.tools = tools
        self.options = options or TurnOptions()
        # What a new conversation starts with: options.system_prompt is set per turn by the
        # conversation that sends it.
        self.configured_system_prompt = self.options.system_prompt
        self.last_request: LastRequest | None = None
        self._stopping = False  # a denial asked to end the turn after this step's calls

    # -- public ----------------------------------------------------------
    async def run_turn(
        self, history: list[Item], text: str, *, session_id: str | None = None, turn: int = 0
    ) -> str:
        """Runs one turn; returns how it ended: "completed", "failed" or "cancelled"."""
        self.bus.publish(TurnStarted(session_id=session_id, turn=turn))
        self._add(history, UserMessage(text=text, turn=turn))
        return await self.continue_turn(history, turn=turn)

    async def continue_turn(self, history: list[Item], *, turn: int) -> str:
        """Steps until a text answer, a failure, a cancel or the step limit."""
        total = Usage()
        step = 0
        malformed_steps = 0
        partial = _Partial()
        try:
            while True:
                step += 1
                result = await self._step(history, step, turn, partial)
                if result is None:
                    return "failed"
                outcome, calls = result
                total = total.plus(outcome.usage)
                if not calls:
                    finish = outcome.finish_reason
                    self.bus.publish(TurnCompleted(finish_reason=finish, usage=total))
                    return "completed"
                if step >= self.options.max_steps:
                    self._not_run(calls)
                    return self._fail(
                        history,
                        turn,
                        ErrorInfo(
                            kind="max_steps",
                            message=f"stopped after {step} step(s): the model still wanted to "
                            f"call tools ({', '.join(c.name for c in calls)}); "
                            "raise --max-steps to let it go on",
                        ),
                        "",
                    )
                statuses = await self._run_tools(history, calls, turn)
                if self._stopping:
                    self._stopping = False
                    self._cancelled(history, turn, partial)
                    return "cancelled"
                malformed_steps = malformed_steps + 1 if set(statuses) == {"skipped"} else 0
                if malformed_steps >= MALFORMED_STEPS:
                    error = malformed_calls_error(calls, malformed_steps, outcome.finish_reason)
                    return self._fail(history, turn, error, "")
        except asyncio.CancelledError:
            self._cancelled(history, turn, partial)
            raise
        except Exception as exc:  # a bug must end the turn, never the app
            log.exception("turn failed unexpectedly")
            outcome = partial.parser.outcome() if partial.parser is not None else StepOutcome()
            self._keep_partial(history, outcome, turn)
            error = ErrorInfo(
                kind="internal", message=f"internal error: {type(exc).__name__}: {exc}"
            )
            return self._fail(history, turn, error, outcome.text)

    # -- steps -----------------------------------------------------------
    async def _step(
        self, history: list[Item], step: int, turn: int, partial: _Partial
    ) -> tuple[StepOutcome, list[ToolCall]] | None:
        provider = self.provider
        dialect = get_dialect(provider.preset.dialect)
        settings = self._settings()
        payload, report = dialect.build_payload(history, settings)
        empty = empty_request_error(dialect.name, payload)
        if empty is not None:  # never sent: the provider's own error would not say why
            self._fail(history, turn, empty, "")
            return None
        url = dialect.url(provider.base_url, provider.model)
        headers = {**dialect.headers(provider.api_key), **provider.headers}
        self.last_request = LastRequest(url=url, payload=payload, report=report)
        self.bus.publish(StepStarted(step=step, provider=provider.name, model=provider.model))
        parser = dialect.make_parser(settings)
        partial.parser = parser
        request = HttpRequest(url=url, headers=headers, body=payload, secrets=provider.secrets)
        try:
            outcome = await self.transport.stream(request, parser, self.bus.publish)
        except ProviderError as exc:
            partial.parser = None
            self._failed_step(history, turn, parser.outcome(), exc.kind, exc.message, exc.status)
            return None
        partial.parser = None
        if outcome.error:
            self._failed_step(history, turn, outcome, "in_band", outcome.error, None)
            return None
        items = step_items(outcome, turn, self._origin())
        for item in items:
            self._add(history, item)
        calls = [item for item in items if isinstance(item, ToolCall)]
        self.bus.publish(
            ResponseCompleted(
                text=outcome.text,
                reasoning=outcome.reasoning,
                tool_calls=[
                    ParsedToolCall(id=c.call_id, name=c.name, arguments=c.arguments) for c in calls
                ],
                finish_reason=outcome.finish_reason,
                usage=outcome.usage,
            )
        )
        return outcome, calls

    def _settings(self) -> RequestSettings:
        provider = self.provider
        return RequestSettings(
            provider=provider.preset.name,
            model=provider.model,
            reasoning_policy=provider.preset.reasoning_policy,
            reasoning_field=provider.reasoning_field,
            system_prompt=self.options.system_prompt,
            tools=self.tools.specs() if self.tools else (),
            max_tokens=self.options.max_tokens,
            reasoning_effort=self.options.reasoning_effort,
            include_usage=provider.preset.supports_stream_options,
        )

    def _origin(self) -> dict[str, Any]:
        # Reasoning and signatures are replayed only to the same preset and model.
        return {"provider": self.provider.preset.name, "model": self.provider.model}

    # -- tools -----------------------------------------------------------
    async def _run_tools(
        self, history: list[Item], calls: Sequence[ToolCall], turn: int
    ) -> list[ToolStatus]:
        """Runs the calls in order; returns each one's status."""
        statuses: list[ToolStatus] = []
        for index, call in enumerate(calls):
            self.bus.publish(
                ToolRunning(call_id=call.call_id, name=call.name, arguments=call.arguments)
            )
            if self.tools is None:
                result = ToolResult(
                    f"Tool {call.name!r} is not available: tools are disabled.", True, "failed"
                )
                duration = 0.0
            else:
                result, duration = await self._run_tool(self.tools, history, call, turn)
            self.bus.publish(
                ToolFinished(
                    call_id=call.call_id,
                    name=call.name,
                    output=result.output,
                    is_error=result.is_error,
                    status=result.status,
                    duration=duration,
                )
            )
            self._add(history, result.as_item(call))
            statuses.append(result.status)
            if self._stop_requested():
                # Denied, and the user ends the turn here: the rest of the step is not run.
                self._not_run(calls[index + 1 :])
                self._stopping = True
                break
        return statuses

    async def _run_tool(
        self, tools: ToolRunner, history: list[Item], call: ToolCall, turn: int
    ) -> tuple[ToolResult, float]:
        """Runs one call; returns what it came to and how long the tool itself worked,
        from ``on_start`` (the user's time to approve is not its run; 0 if it never began).
        A cancel that lands while the tool works is saved with the call, so a resumed
        session still says it was cancelled, not that it never ran."""
        started_at: float | None = None

        def on_start() -> None:
            nonlocal started_at
            started_at = self.clock()

        try:
            result = await tools.run(call, on_start)
        except asyncio.CancelledError:
            if started_at is not None:
                # The text the payload builder gave such a call before it was saved
                # (PAYLOAD-RULES rule 3): the model reads what it read before.
                output = ToolOutput(
                    call_id=call.call_id,
                    output=CANCELLED_OUTPUT,
                    is_error=True,
                    status="cancelled",
                    turn=turn,
                )
                self._add(history, output)
            raise
        return result, (0.0 if started_at is None else self.clock() - started_at)

    def _stop_requested(self) -> bool:
        return self.tools is not None and self.tools.stop_requested()

    def _not_run(self, calls: Sequence[ToolCall]) -> None:
        """Calls the turn ends without running are shown as such, not as waiting. No output
        is recorded: the payload answers them as interrupted (PAYLOAD-RULES rule 3)."""
        for call in calls:
            self.bus.publish(
                ToolFinished(
                    call_id=call.call_id,
                    name=call.name,
                    output=NOT_RUN_OUTPUT,
                    is_error=True,
                    status="not_run",
                )
            )

    # -- endings ---------------------------------------------------------
    def _add(self, history: list[Item], item: Item) -> None:
        history.append(item)
        self.bus.publish(ItemDone(item=item))

    def _keep_partial(self, history: list[Item], outcome: StepOutcome, turn: int) -> None:
        """Whatever text and reasoning streamed before a failure or cancel is kept."""
        origin = self._origin()
        if outcome.reasoning:
            self._add(history, Reasoning(text=outcome.reasoning, turn=turn, **origin))
        if outcome.text:
            self._add(history, AssistantMessage(text=outcome.text, turn=turn, **origin))

    def _failed_step(
        self,
        history: list[Item],
        turn: int,
        outcome: StepOutcome,
        kind: str,
        message: str,
        status: int | None,
    ) -> None:
        self._keep_partial(history, outcome, turn)
        self._fail(
            history, turn, ErrorInfo(kind=kind, message=message, status=status), outcome.text
        )

    def _fail(self, history: list[Item], turn: int, error: ErrorInfo, partial_text: str) -> str:
        self._add(history, TurnError(kind=error.kind, message=error.message, turn=turn))
        self.bus.publish(TurnFailed(error=error, partial_text=partial_text))
        return "failed"

    def _cancelled(self, history: list[Item], turn: int, partial: _Partial) -> None:
        outcome = partial.parser.outcome() if partial.parser is not None else StepOutcome()
        self._keep_partial(history, outcome, turn)
        self._add(history, Cancelled(turn=turn))
        self.bus.publish(TurnCancelled(partial_text=outcome.text))


class _Partial:
    """The parser of the step in flight, so a cancel can keep its partial text."""

    parser: Any = None
