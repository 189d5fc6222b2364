"""Chat Completions stream parser (OpenAI and every OpenAI-compatible host).

One SSE event in, stream events out. Plain ``json.loads`` and dict access:
this runs per chunk at thousands of chunks a second. The shapes handled, and
the traps, are listed in shared/wire-corpus/MANIFEST.md.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from llmx_tui.core.events import Usage
from llmx_tui.providers.base import StepOutcome
from llmx_tui.providers.stream_state import StreamState, ThinkTagSplitter, decode_json
from llmx_tui.providers.usage import openai_merger

logger = logging.getLogger(__name__)


class OpenAIChatParser:
    """Parser for ``/chat/completions`` with ``stream: true``.

    ``usage_requested``: the request asked for ``stream_options.include_usage``,
    so the response is not finished until its usage chunk has arrived too.
    """

    def __init__(self, *, usage_requested: bool = False) -> None:
        self._usage_requested = usage_requested
        self._state = StreamState()
        self._think = ThinkTagSplitter(self._state)
        self._usage = openai_merger()
        self._groq_usage = openai_merger()  # x_groq.usage, used only without top-level usage
        self._ended = False
        self._choice_done = False

    @property
    def ended(self) -> bool:
        return self._ended

    @property
    def finished(self) -> bool:
        if self._ended:
            return True
        if self._state.finish_reason is None:
            return False
        return not self._usage_requested or self._usage.seen or self._groq_usage.seen

    def outcome(self) -> StepOutcome:
        outcome = self._state.outcome()
        outcome.usage = self._latest_usage() or outcome.usage  # published or not yet
        return outcome

    def feed(self, event: str, data: str) -> list[Any]:
        if self._ended:
            return []
        out: list[Any] = []
        if event == "error":
            self._fail(_error_message(decode_json(data), data), out)
            return out
        if data.startswith("[DONE]"):
            self._think.flush(out)
            self._state.set_usage(self._latest_usage(), out)
            self._ended = True
            return out
        chunk = decode_json(data)
        content = _plain_content(chunk)
        if content is not None:
            # Most chunks: one token of text and nothing else (no need to walk the chunk).
            if content:
                self._think.feed(content, out)
            return out
        return self._chunk(chunk, data, out)

    def _chunk(self, chunk: Any, data: str, out: list[Any]) -> list[Any]:
        """Every part of a decoded chunk: choices, usage, Groq's usage, an in-band error."""
        if not isinstance(chunk, dict):
            logger.debug("skipping unparseable chat chunk: %.200r", data)
            return out
        choices = chunk.get("choices")
        if choices and isinstance(choices, list):
            for choice in choices:
                if isinstance(choice, dict):
                    self._choice(choice, out)
        usage = chunk.get("usage")
        if usage is not None:
            self._usage.fold(usage)
        groq = chunk.get("x_groq")
        if isinstance(groq, dict) and "usage" in groq:
            self._groq_usage.fold(groq["usage"])
        if self._state.finish_reason is not None:
            # Usage is published once choice 0 has finished (and again if it changes):
            # some hosts resend it, grown, on every chunk, and only the last counts.
            self._state.set_usage(self._latest_usage(), out)
        error = chunk.get("error")
        if error:
            self._fail(_error_message(chunk, data), out)
        return out

    # --- pieces of a chunk ------------------------------------------------------------------

    def _choice(self, choice: dict[str, Any], out: list[Any]) -> None:
        index = choice.get("index") or 0
        delta = choice.get("delta")
        if index != 0:
            if isinstance(delta, dict):
                self._other_choice(index, delta.get("content"))
            return
        state = self._state
        if isinstance(delta, dict):
            if self._reasoning(delta, out):
                self._think.disable(out)
            content = delta.get("content")
            if content:
                if type(content) is str:
                    self._think.feed(content, out)
                elif isinstance(content, list):
                    self._content_items(content, out)
            refusal = delta.get("refusal")
            if refusal and type(refusal) is str:
                state.add_refusal(refusal, out)
            calls = delta.get("tool_calls")
            if calls and isinstance(calls, list):
                for call in calls:
                    if isinstance(call, dict):
                        self._tool_call(call, out)
        message = choice.get("message")
        if isinstance(message, dict):
            self._final_message(message, out)
        reason = choice.get("finish_reason")
        if reason:
            state.set_finish_reason(reason)
            # Choice 0 has said everything: nothing can complete a held tag now.
            self._think.flush(out)

    def _reasoning(self, delta: dict[str, Any], out: list[Any]) -> bool:
        """Reasoning of one delta, counted once; True if any reasoning field was present."""
        piece = delta.get("reasoning_content")
        if not (piece and type(piece) is str):
            reasoning = delta.get("reasoning")
            piece = "" if reasoning is None else _reasoning_text(reasoning)
        details = delta.get("reasoning_details")
        if details and isinstance(details, list):
            from_details: list[str] = []
            for detail in details:
                if isinstance(detail, dict):
                    self._state.add_reasoning_detail(detail)
                    from_details.append(_detail_text(detail))
            # OpenRouter repeats the reasoning text in the details: only use them alone.
            if not piece:
                piece = "".join(from_details)
            self._state.add_reasoning(piece, out)
            return True
        if piece:
            self._state.add_reasoning(piece, out)
            return True
        return False

    def _content_items(self, items: list[Any], out: list[Any]) -> None:
        """Mistral's content array: ``text`` items are text, ``thinking`` items reasoning."""
        for item in items:
            if not isinstance(item, dict):
                continue
            kind = item.get("type")
            if kind == "text":
                text = item.get("text")
                if isinstance(text, str):
                    self._think.feed(text, out)
            elif kind == "thinking":
                self._think.disable(out)
                self._state.add_reasoning(_thinking_text(item.get("thinking")), out)

    def _other_choice(self, index: Any, content: Any) -> None:
        if not isinstance(index, int):
            return
        if type(content) is str:
            self._state.add_choice_text(index, content)
        elif isinstance(content, list):
            for item in content:
                if isinstance(item, dict) and item.get("type") == "text":
                    text = item.get("text")
                    if isinstance(text, str):
                        self._state.add_choice_text(index, text)

    def _tool_call(self, call: dict[str, Any], out: list[Any]) -> None:
        call_id = call.get("id")
        if not isinstance(call_id, str):
            call_id = None
        index = call.get("index")
        if not isinstance(index, int):
            # Some hosts omit the index and send each call whole.
            index = self._state.tool_index_for(call_id)
        function = call.get("function")
        name = arguments = None
        if isinstance(function, dict):
            name = function.get("name")
            arguments = function.get("arguments")
        self._state.add_tool_fragment(
            index,
            call_id,
            name if isinstance(name, str) else None,
            arguments if isinstance(arguments, str) else None,
            out,
        )

    def _final_message(self, message: dict[str, Any], out: list[Any]) -> None:
        """A final chunk's whole ``message``: only its reasoning, if none was streamed."""
        if self._state.has_reasoning:
            return
        piece = message.get("reasoning_content")
        if not (piece and type(piece) is str):
            piece = _reasoning_text(message.get("reasoning"))
        if piece:
            self._think.disable(out)
            self._state.add_reasoning(piece, out)

    def _latest_usage(self) -> Usage | None:
        """The merged usage; Groq's ``x_groq.usage`` only without a top-level one."""
        if self._usage.seen:
            return self._usage.usage
        if self._groq_usage.seen:
            return self._groq_usage.usage
        return None

    def _fail(self, message: str, out: list[Any]) -> None:
        self._think.flush(out)
        self._state.set_usage(self._latest_usage(), out)
        self._state.set_error(message)
        self._ended = True


# Every delta key the full walk reads besides ``content`` (``_choice``, ``_reasoning``):
# a delta with none of them is plain, whatever else it carries (``role``, Together's
# ``token_id``, ...). A key the walk starts reading must be added here.
_WALKED_DELTA_KEYS = frozenset(
    {"reasoning_content", "reasoning", "reasoning_details", "refusal", "tool_calls"}
)


def _plain_content(chunk: Any) -> str | None:
    """The text of a chunk that is only choice 0's content, else None (the full walk).

    Plain means: one choice, index 0, a ``delta`` whose only walked key is
    ``content`` (a string or null); no finish reason, final message, usage, error
    or Groq extras. ``_chunk`` does exactly the same with such a chunk, slower.
    """
    if type(chunk) is not dict:
        return None
    choices = chunk.get("choices")
    if type(choices) is not list or len(choices) != 1:
        return None
    if chunk.get("usage") is not None or "error" in chunk or "x_groq" in chunk:
        return None
    choice = choices[0]
    if type(choice) is not dict or choice.get("index") or choice.get("finish_reason"):
        return None
    delta = choice.get("delta")
    if type(delta) is not dict or "message" in choice:
        return None
    if not delta.keys().isdisjoint(_WALKED_DELTA_KEYS):
        return None
    content = delta.get("content")
    if content is None:
        return ""
    return content if type(content) is str else None


def _reasoning_text(value: Any) -> str:
    """``delta.reasoning``: a string, or an object with ``text`` or ``content``."""
    if type(value) is str:
        return value
    if isinstance(value, dict):
        for key in ("text", "content"):
            text = value.get(key)
            if isinstance(text, str) and text:
                return text
    return ""


def _detail_text(detail: dict[str, Any]) -> str:
    """Readable text of one reasoning detail; encrypted details have none."""
    if detail.get("type") == "reasoning.encrypted":
        return ""
    for key in ("text", "summary"):
        text = detail.get(key)
        if isinstance(text, str) and text:
            return text
    return ""


def _thinking_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            part.get("text", "")
            for part in value
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _error_message(payload: Any, raw: str) -> str:
    """The provider's message from ``{"error": {...}}``, a bare error object, or the raw text."""
    if isinstance(payload, dict):
        error = payload.get("error", payload)
        if isinstance(error, dict):
            message = error.get("message")
            if isinstance(message, str) and message:
                return message
            return json.dumps(error, ensure_ascii=False)[:500]
        if isinstance(error, str) and error:
            return error
    return raw.strip()[:500] or "stream error"
