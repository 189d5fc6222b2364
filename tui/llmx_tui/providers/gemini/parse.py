"""Gemini ``streamGenerateContent?alt=sse`` parser (Gemini API and Vertex AI).

Each event is a whole GenerateContentResponse. Candidate 0's parts are text,
thought text (``thought: true``), or ``functionCall``; a ``thoughtSignature`` is
kept on the exact part it came on. Function-call arguments arrive as an object
(or, with Vertex's opt-in ``streamFunctionCallArguments``, as ``partialArgs``
pieces) and are published as one JSON string once the call is complete.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from llmx_tui.providers.base import StepOutcome
from llmx_tui.providers.stream_state import StreamState, decode_json
from llmx_tui.providers.usage import gemini_merger

logger = logging.getLogger(__name__)


class _OpenCall:
    """A Vertex call still streaming its arguments (``willContinue``)."""

    __slots__ = ("args", "continuing", "index")

    def __init__(self, index: int, args: dict[str, Any]) -> None:
        self.index = index
        self.args = args
        self.continuing: set[str] = set()  # string paths whose last piece said willContinue


class GeminiParser:
    """Parser for Gemini SSE streams."""

    def __init__(self) -> None:
        self._state = StreamState()
        self._usage = gemini_merger()
        self._open: _OpenCall | None = None
        # Plain attributes, not properties: the reader asks after every event.
        self.ended = False  # an error
        self.finished = False  # ended, or a finish reason and token counts have come

    def outcome(self) -> StepOutcome:
        outcome = self._state.outcome()
        outcome.usage = self._usage.usage  # the latest counts, published or not yet
        if self._open is not None and self._open.index < len(outcome.tool_calls):
            # Mid-stream: show the arguments assembled so far.
            outcome.tool_calls[self._open.index].arguments = _dumps(self._open.args)
        return outcome

    def feed(self, event: str, data: str) -> list[Any]:
        if self.ended:
            return []
        out: list[Any] = []
        payload = decode_json(data)
        if type(payload) is dict:
            self._response(payload, out)  # the usual event: one response
        elif event == "error" and not isinstance(payload, list):
            self._state.set_error(data.strip()[:500] or "stream error")
            self.ended = True
            self._state.set_usage(self._usage.usage, out)
        else:
            # A non-SSE body is one JSON array of responses; take it too.
            responses = payload if isinstance(payload, list) else [payload]
            for response in responses:
                if isinstance(response, dict):
                    self._response(response, out)
                else:
                    logger.debug("skipping unparseable gemini event: %.200r", data)
                if self.ended:
                    break
        if not self.finished:
            self.finished = self.ended or (
                self._state.finish_reason is not None and self._usage.seen
            )
        return out

    def _response(self, response: dict[str, Any], out: list[Any]) -> None:
        error = response.get("error")
        if error:
            self._close_call(out)
            self._state.set_error(_error_message(error))
            self.ended = True
            self._state.set_usage(self._usage.usage, out)
            return
        candidates = response.get("candidates")
        if type(candidates) is list and candidates and type(candidates[0]) is dict:
            candidate: dict[str, Any] | None = candidates[0]  # the usual: one candidate, index 0
            if candidate.get("index", 0) != 0:  # type: ignore[union-attr]
                candidate = _first_candidate(candidates)
        else:
            candidate = _first_candidate(candidates)
        if candidate is not None:
            content = candidate.get("content")
            parts = content.get("parts") if type(content) is dict else None
            if type(parts) is list:
                state = self._state
                for part in parts:
                    if type(part) is not dict:
                        continue
                    # The usual parts first: bare text, or thought text (a key each).
                    text = part.get("text")
                    if type(text) is str:
                        size = len(part)
                        if size == 1:
                            state.add_text(text, out)
                            continue
                        if size == 2 and part.get("thought") is True:
                            state.add_reasoning(text, out)
                            continue
                    self._part(part, out)
            reason = candidate.get("finishReason")
            if reason:
                self._close_call(out)
                self._state.set_finish_reason(reason)
        else:
            feedback = response.get("promptFeedback")
            if isinstance(feedback, dict) and feedback.get("blockReason"):
                self._state.set_finish_reason(feedback["blockReason"])
        usage = response.get("usageMetadata")
        if usage is not None:
            self._usage.fold(usage)
        if self._state.finish_reason is not None:
            # Usage is published once the response has finished (and again if it changes):
            # Gemini resends it, grown, on every chunk, and only the last counts.
            self._state.set_usage(self._usage.usage, out)

    def _part(self, part: dict[str, Any], out: list[Any]) -> None:
        signature = part.get("thoughtSignature")
        if not isinstance(signature, str) or not signature:
            signature = None
        call = part.get("functionCall")
        if isinstance(call, dict):
            self._function_call(call, signature, out)
            return
        text = part.get("text")
        if part.get("thought"):
            if type(text) is str:
                self._state.add_reasoning(text, out)
            if signature:
                self._state.reasoning_signature = signature
        else:
            if type(text) is str:
                self._state.add_text(text, out)
            if signature:
                self._state.text_signature = signature

    def _function_call(self, call: dict[str, Any], signature: str | None, out: list[Any]) -> None:
        name = call.get("name")
        if isinstance(name, str) and name:
            self._close_call(out)
            index = self._state.tool_count
            call_id = call.get("id")
            args = call.get("args")
            opened = _OpenCall(index, dict(args) if isinstance(args, dict) else {})
            self._state.add_tool_fragment(
                index, call_id if isinstance(call_id, str) and call_id else None, name, None, out
            )
            if signature:
                self._state.set_tool_signature(index, signature)
            self._open = opened
        elif self._open is None:
            return  # a stray continuation with no call to continue
        elif signature:
            self._state.set_tool_signature(self._open.index, signature)
        pieces = call.get("partialArgs")
        if isinstance(pieces, list):
            _apply_partial_args(self._open, pieces)
        if not call.get("willContinue"):
            self._close_call(out)

    def _close_call(self, out: list[Any]) -> None:
        """Publish the finished call's arguments as one JSON string."""
        opened, self._open = self._open, None
        if opened is None:
            return
        self._state.add_tool_fragment(opened.index, None, None, _dumps(opened.args), out)


def _first_candidate(candidates: Any) -> dict[str, Any] | None:
    if not isinstance(candidates, list):
        return None
    if candidates:
        first = candidates[0]
        if type(first) is dict and first.get("index", 0) == 0:
            return first  # the usual: one candidate, candidate 0
    for candidate in candidates:
        if isinstance(candidate, dict) and candidate.get("index", 0) == 0:
            return candidate
    return None


def _error_message(error: Any) -> str:
    if isinstance(error, dict):
        message = error.get("message")
        if isinstance(message, str) and message:
            return message
        return json.dumps(error, ensure_ascii=False)[:500]
    return str(error)[:500]


# json.dumps with these options builds a new encoder on every call; this one is built once.
_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


# --- Vertex partialArgs ------------------------------------------------------------------


def _apply_partial_args(call: _OpenCall, pieces: list[Any]) -> None:
    """Set each ``{jsonPath, stringValue|numberValue|boolValue|nullValue}`` into the args.

    A string whose previous piece said ``willContinue`` is extended, not replaced.
    """
    for piece in pieces:
        if not isinstance(piece, dict):
            continue
        path = piece.get("jsonPath")
        if not isinstance(path, str) or not (keys := _parse_json_path(path)):
            logger.debug("skipping partialArgs piece with path %.100r", path)
            continue
        if "stringValue" in piece:
            value = piece["stringValue"]
            if path in call.continuing:
                previous = _lookup(call.args, keys)
                if isinstance(previous, str) and isinstance(value, str):
                    value = previous + value
            if piece.get("willContinue"):
                call.continuing.add(path)
            else:
                call.continuing.discard(path)
        elif "numberValue" in piece:
            value = piece["numberValue"]
        elif "boolValue" in piece:
            value = piece["boolValue"]
        elif "nullValue" in piece:
            value = None
        else:
            continue
        _assign(call.args, keys, value)


def _parse_json_path(path: str) -> list[str | int] | None:
    """``$.a.b[0]['c d']`` -> ``["a", "b", 0, "c d"]``; None when not understood."""
    if not path.startswith("$"):
        return None
    keys: list[str | int] = []
    i, size = 1, len(path)
    while i < size:
        if path[i] == ".":
            end = i + 1
            while end < size and path[end] not in ".[":
                end += 1
            if end == i + 1:
                return None
            keys.append(path[i + 1 : end])
            i = end
        elif path[i] == "[":
            end = path.find("]", i)
            if end < 0:
                return None
            inner = path[i + 1 : end]
            if inner.isdigit():
                keys.append(int(inner))
            elif len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
                keys.append(inner[1:-1])
            else:
                return None
            i = end + 1
        else:
            return None
    return keys


def _lookup(root: Any, keys: list[str | int]) -> Any:
    node = root
    for key in keys:
        if isinstance(key, int):
            if not isinstance(node, list) or key >= len(node):
                return None
        elif not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _assign(root: dict[str, Any], keys: list[str | int], value: Any) -> None:
    node: Any = root
    for key, following in zip(keys, [*keys[1:], None], strict=True):
        if following is None:
            child = value
        elif isinstance(following, int):
            child = []
        else:
            child = {}
        if isinstance(key, int):
            if not isinstance(node, list):
                return
            while len(node) <= key:
                node.append(None)
            if following is None or not isinstance(node[key], (dict, list)):
                node[key] = child
            node = node[key]
        else:
            if not isinstance(node, dict):
                return
            if following is None or not isinstance(node.get(key), (dict, list)):
                node[key] = child
            node = node[key]
