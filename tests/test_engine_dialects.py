"""Real recorded tool-call streams through the engine, per dialect: the next request is right."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from llmx_tui.core.bus import EventBus
from llmx_tui.core.items import Item, ToolCall
from llmx_tui.engine.tools.base import ToolResult
from llmx_tui.engine.turn import TurnEngine, TurnOptions
from llmx_tui.providers.base import ToolSpec
from llmx_tui.providers.registry import get_preset
from llmx_tui.providers.resolve import ResolvedProvider
from llmx_tui.providers.transport import RetryPolicy, Timeouts, Transport
from tests.conftest import CORPUS


class WeatherTools:
    def specs(self) -> tuple[ToolSpec, ...]:
        params = {"type": "object", "properties": {"location": {"type": "string"}}}
        return (
            ToolSpec("get_weather", "Weather now.", params),
            ToolSpec("get_country", "The country.", {"type": "object", "properties": {}}),
        )

    async def run(self, call: ToolCall, on_start: Callable[[], None]) -> ToolResult:
        on_start()
        return ToolResult(f"{call.name} says sunny", False, "done")

    def stop_requested(self) -> bool:
        return False

    def forget_session(self) -> None:
        pass


def engine(server: Any, preset: str, model: str) -> TurnEngine:
    provider = ResolvedProvider(
        name=preset, preset=get_preset(preset), base_url=server.root_url, model=model, api_key="k"
    )
    transport = Transport(
        httpx.AsyncClient(),
        retry=RetryPolicy(max_attempts=1),
        timeouts=Timeouts(idle=5, finish_grace=0.2),
    )
    return TurnEngine(
        bus=EventBus(),
        provider=provider,
        transport=transport,
        tools=WeatherTools(),
        options=TurnOptions(max_steps=3),
    )


async def test_anthropic_tool_use_is_answered_with_a_tool_result(loopback: Any) -> None:
    loopback.add_corpus(CORPUS / "anthropic__tool-use-fragments-padded__anthropic-sdk.sse")
    loopback.add_corpus(CORPUS / "anthropic__text-padded__anthropic-sdk.sse")
    history: list[Item] = []
    ending = await engine(loopback, "anthropic", "claude-haiku-4-5").run_turn(history, "weather?")
    assert ending == "completed"
    first, second = (r.json() for r in loopback.requests)
    assert loopback.requests[0].path == "/v1/messages"
    assert loopback.requests[0].headers["x-api-key"] == "k"
    assert first["max_tokens"] > 0 and first["stream"] is True
    assistant, results = second["messages"][1], second["messages"][2]
    assert assistant["role"] == "assistant"
    [use] = [b for b in assistant["content"] if b["type"] == "tool_use"]
    assert use == {
        "type": "tool_use",
        "id": "toolu_018acGYLtfR52q9yDbWaEdQZ",
        "name": "get_weather",
        "input": {"location": "San Francisco, CA", "units": "f"},
    }
    assert results["role"] == "user"
    assert results["content"][0] == {
        "type": "tool_result",
        "tool_use_id": "toolu_018acGYLtfR52q9yDbWaEdQZ",
        "content": "get_weather says sunny",
    }


def spliced_thinking_then_tool_use() -> bytes:
    """Recorded signed thinking (block 0) followed by a recorded client tool_use (block 1)."""

    def events(name: str) -> list[str]:
        raw = (CORPUS / name).read_text().replace("\r\n", "\n")
        return [e for e in raw.split("\n\n") if e.strip()]

    thinking = events("anthropic__thinking-signature-text__pydantic-ai.sse")
    tool = events("anthropic__tool-use-fragments-padded__anthropic-sdk.sse")
    head = thinking[: next(i for i, e in enumerate(thinking) if '"index":1' in e)]
    tool_blocks = [e.replace('"index":0', '"index":1') for e in tool[1:]]
    return ("\n\n".join(head + tool_blocks) + "\n\n").encode()


async def test_anthropic_signed_thinking_is_replayed_verbatim_in_the_tool_loop(
    loopback: Any,
) -> None:
    loopback.add_stream(spliced_thinking_then_tool_use())
    loopback.add_corpus(CORPUS / "anthropic__text-padded__anthropic-sdk.sse")
    history: list[Item] = []
    model = "claude-sonnet-4-20250514"
    assert await engine(loopback, "anthropic", model).run_turn(history, "go") == "completed"
    recorded = (CORPUS / "anthropic__thinking-signature-text__pydantic-ai.sse").read_text()
    signature = recorded.split('"signature":"', 2)[2].split('"', 1)[0]
    assistant = loopback.requests[1].json()["messages"][1]
    thinking, use = assistant["content"]
    assert thinking["type"] == "thinking" and thinking["signature"] == signature
    assert thinking["thinking"].startswith("This is a straig")
    assert use["type"] == "tool_use" and use["id"] == "toolu_018acGYLtfR52q9yDbWaEdQZ"


async def test_gemini_thought_signature_goes_back_on_the_function_call_part(loopback: Any) -> None:
    path = CORPUS / "gemini__functioncall-thought-signature__pydantic-ai.sse"
    raw = path.read_text()
    signature = json.loads(raw.split("data: ", 2)[1].split("\r\n")[0])["candidates"][0]["content"][
        "parts"
    ][0]["thoughtSignature"]
    loopback.add_corpus(path)
    loopback.add_corpus(CORPUS / "gemini__text-crlf__pydantic-ai.sse")
    history: list[Item] = []
    model = "gemini-3-pro-preview"
    assert await engine(loopback, "gemini", model).run_turn(history, "where?") == "completed"
    assert loopback.requests[0].path == (f"/v1beta/models/{model}:streamGenerateContent?alt=sse")
    assert loopback.requests[0].headers["x-goog-api-key"] == "k"
    contents = loopback.requests[1].json()["contents"]
    assert [c["role"] for c in contents] == ["user", "model", "user"]
    [part] = contents[1]["parts"]
    assert part["functionCall"]["name"] == "get_country"
    assert part["thoughtSignature"] == signature
    [response] = contents[2]["parts"]
    assert response["functionResponse"]["name"] == "get_country"
