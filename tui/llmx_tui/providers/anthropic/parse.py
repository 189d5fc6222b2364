"""Anthropic Messages stream parser.

Content arrives in indexed blocks: ``text`` (text_delta), ``thinking``
(thinking_delta, then signature_delta), ``redacted_thinking`` (opaque data in
content_block_start only) and client ``tool_use`` (input_json_delta). Server
tool blocks (``server_tool_use``, ``mcp_tool_use``), their results, compaction
and unknown block types are not the client's business and are skipped.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from llmx_tui.providers.base import StepOutcome
from llmx_tui.providers.stream_state import StreamState, decode_json
from llmx_tui.providers.usage import anthropic_merger

logger = logging.getLogger(__name__)

_TEXT, _THINKING, _REDACTED, _TOOL = "text", "thinking", "redacted_thinking", "tool_use"


class _Block:
    __slots__ = ("kind", "payload", "tool_index")

    def __init__(self, kind: str, payload: dict[str, Any], tool_index: int = -1) -> None:
        self.kind = kind
        self.payload = payload  # replay form for thinking blocks; start input for tool_use
        self.tool_index = tool_index


class AnthropicParser:
    """Parser for ``/v1/messages`` with ``stream: true``."""

    def __init__(self) -> None:
        self._state = StreamState()
        self._usage = anthropic_merger()
        self._blocks: dict[int, _Block] = {}
        self._thinking: list[tuple[int, dict[str, Any]]] = []
        # Plain attributes, not properties: the reader asks after every event.
        self.ended = False  # message_stop or an error
        self.finished = False  # ended, or message_delta carried a stop_reason

    def outcome(self) -> StepOutcome:
        return self._state.outcome()

    def feed(self, event: str, data: str) -> list[Any]:
        if self.ended:
            return []
        out: list[Any] = []
        message = decode_json(data)
        if type(message) is not dict:
            if event == "error":
                self._fail(data.strip()[:500] or "stream error")
            else:
                logger.debug("skipping unparseable %s event: %.200r", event, data)
            return out
        kind = message.get("type") or event
        if kind == "content_block_delta":
            # Most events of a stream; a text block's text_delta read here.
            delta = message.get("delta")
            if type(delta) is dict and delta.get("type") == "text_delta":
                index = message.get("index")
                block = self._blocks.get(index) if type(index) is int else None
                text = delta.get("text")
                if block is not None and block.kind == _TEXT and type(text) is str:
                    self._state.add_text(text, out)
                    return out
            self._delta(message, out)
        elif kind == "content_block_start":
            self._start(message, out)
        elif kind == "content_block_stop":
            self._stop(message, out)
        elif kind == "message_start":
            body = message.get("message")
            if isinstance(body, dict):
                self._state.set_usage(self._usage.merge(body.get("usage")), out)
        elif kind == "message_delta":
            delta = message.get("delta")
            if isinstance(delta, dict) and delta.get("stop_reason"):
                self._state.set_finish_reason(delta["stop_reason"])
                self.finished = True
            # Cumulative totals: each non-null field overrides message_start's.
            self._state.set_usage(self._usage.merge(message.get("usage")), out)
        elif kind == "message_stop":
            self.ended = self.finished = True
        elif kind == "error" or event == "error":
            self._fail(_error_message(message))
        # ping and unknown event types carry nothing for us.
        return out

    def _start(self, message: dict[str, Any], out: list[Any]) -> None:
        index = message.get("index")
        block = message.get("content_block")
        if not isinstance(index, int) or not isinstance(block, dict):
            return
        kind = block.get("type")
        if kind == _TEXT:
            self._blocks[index] = _Block(_TEXT, {})
            text = block.get("text")
            if isinstance(text, str):
                self._state.add_text(text, out)
        elif kind == _THINKING:
            thinking = _text_field(block, "thinking")
            signature = _text_field(block, "signature")
            replay = {"type": _THINKING, "thinking": thinking, "signature": signature}
            self._open_reasoning(index, _Block(_THINKING, replay))
            self._state.add_reasoning(thinking, out)
            if signature:
                self._state.reasoning_signature = signature
        elif kind == _REDACTED:
            replay = {"type": _REDACTED, "data": block.get("data", "")}
            self._open_reasoning(index, _Block(_REDACTED, replay))
        elif kind == _TOOL:
            tool_index = sum(1 for b in self._blocks.values() if b.kind == _TOOL)
            start_input = block.get("input")
            self._blocks[index] = _Block(
                _TOOL, start_input if isinstance(start_input, dict) else {}, tool_index
            )
            call_id, name = block.get("id"), block.get("name")
            self._state.add_tool_fragment(
                tool_index,
                call_id if isinstance(call_id, str) else None,
                name if isinstance(name, str) else None,
                None,
                out,
            )

    def _open_reasoning(self, index: int, block: _Block) -> None:
        self._blocks[index] = block
        self._thinking.append((index, block.payload))
        self._thinking.sort(key=lambda pair: pair[0])
        self._state.set_reasoning_blocks([payload for _, payload in self._thinking])

    def _delta(self, message: dict[str, Any], out: list[Any]) -> None:
        # Most events of a stream: _block_of inlined.
        index = message.get("index")
        block = self._blocks.get(index) if isinstance(index, int) else None
        delta = message.get("delta")
        if block is None or type(delta) is not dict:
            return  # server tool, compaction or unknown block: skipped
        kind = delta.get("type")
        if kind == "text_delta":
            if block.kind == _TEXT:
                text = delta.get("text")
                if type(text) is str:
                    self._state.add_text(text, out)
        elif kind == "thinking_delta" and block.kind == _THINKING:
            text = delta.get("thinking")
            if type(text) is str:
                block.payload["thinking"] += text
                self._state.add_reasoning(text, out)
        elif kind == "signature_delta" and block.kind == _THINKING:
            signature = delta.get("signature")
            if type(signature) is str:
                block.payload["signature"] += signature
                self._state.reasoning_signature = block.payload["signature"]
        elif kind == "input_json_delta" and block.kind == _TOOL:
            fragment = delta.get("partial_json")
            if type(fragment) is str:
                self._state.add_tool_fragment(block.tool_index, None, None, fragment, out)

    def _stop(self, message: dict[str, Any], out: list[Any]) -> None:
        block = self._block_of(message)
        if block is None or block.kind != _TOOL:
            return
        if not self._state.tool_arguments(block.tool_index):
            # No input streamed (a tool without parameters): the start input, "{}" at least.
            arguments = json.dumps(block.payload, separators=(",", ":"), ensure_ascii=False)
            self._state.add_tool_fragment(block.tool_index, None, None, arguments, out)

    def _block_of(self, message: dict[str, Any]) -> _Block | None:
        index = message.get("index")
        return self._blocks.get(index) if isinstance(index, int) else None

    def _fail(self, message: str) -> None:
        self._state.set_error(message)
        self.ended = self.finished = True


def _text_field(block: dict[str, Any], key: str) -> str:
    """A block's string field, or "" when it is missing or not a string."""
    value = block.get(key)
    return value if isinstance(value, str) else ""


def _error_message(message: dict[str, Any]) -> str:
    error = message.get("error")
    if isinstance(error, dict):
        text = error.get("message")
        if isinstance(text, str) and text:
            return text
        kind = error.get("type")
        if isinstance(kind, str) and kind:
            return kind
    return json.dumps(message, ensure_ascii=False)[:500]
