"""A measured proposal, not used by the app: decode SSE per network read, not per event.

Profiling the parse benchmark shows httpx-sse costing about as much as all the
``json.loads`` calls together: its ``aiter_sse`` is an async generator over
``aiter_text`` and a line decoder, so every event pays for text decoding,
``rstrip``, ``partition`` and an async-generator round trip, and the
transport awaits once per event. ``EventSplitter`` below works on bytes and
returns every complete event of a read at once, so the transport could await
once per read and feed the parser in a plain loop. The parse benchmark runs it
as an extra candidate so the gain is measured beside the real client.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from bench.parse_clients import CHAT_BODY, OPENAI_HEADERS, SSE_HEADERS, _Chunks, make_parser
from llmx_tui.providers.base import StepOutcome
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser, _error_message

Event = tuple[str, str]


class EventSplitter:
    """Complete SSE events from bytes as they arrive (WHATWG rules: CR, LF or CRLF line ends,
    ``:`` comments, one optional space after the colon, multi-line ``data``)."""

    def __init__(self) -> None:
        self._pending = b""
        self._held_cr = False

    def feed(self, chunk: bytes) -> list[Event]:
        if self._held_cr:
            chunk = b"\r" + chunk
            self._held_cr = False
        if chunk.endswith(b"\r"):  # maybe the first half of CRLF: wait for the next read
            chunk, self._held_cr = chunk[:-1], True
        data = self._pending + chunk
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        blocks = data.split(b"\n\n")
        self._pending = blocks.pop()
        return [event for block in blocks if (event := _event(block)) is not None]

    def finish(self) -> list[Event]:
        rest, self._pending = self._pending, b""
        event = _event(rest.rstrip(b"\r\n")) if rest.strip() else None
        return [event] if event is not None else []


def _event(block: bytes) -> Event | None:
    if block.startswith(b"data: ") and b"\n" not in block:  # the usual shape: one data line
        return "", block[6:].decode()
    kind = ""
    data: list[bytes] = []
    for line in block.split(b"\n"):
        if not line or line.startswith(b":"):
            continue
        name, _, value = line.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        if name == b"data":
            data.append(value)
        elif name == b"event":
            kind = value.decode()
    if not data and not kind:
        return None
    return kind, b"\n".join(data).decode()


def _feed_all(parser: Any, events: list[Event], published: list[Any]) -> bool:
    for kind, data in events:
        published.extend(parser.feed(kind, data))
        if parser.ended:
            return True
    return False


async def proposal_decode(chunks: list[bytes], dialect: str = "openai-chat") -> StepOutcome:
    """As ``parse_clients.ours_decode``, with the splitter in place of httpx-sse."""
    return await _decode_with(make_parser(dialect), chunks)


async def _decode_with(parser: Any, chunks: list[bytes]) -> StepOutcome:
    response = httpx.Response(200, headers=SSE_HEADERS, stream=_Chunks(chunks))
    splitter = EventSplitter()
    published: list[Any] = []
    async for chunk in response.aiter_bytes():
        if _feed_all(parser, splitter.feed(chunk), published):
            return parser.outcome()
    _feed_all(parser, splitter.finish(), published)
    return parser.outcome()


async def proposal_fetch(base_url: str, client: httpx.AsyncClient) -> StepOutcome:
    """As ``parse_clients.ours_fetch`` (one POST, events published), with the splitter."""
    return await _fetch_with(make_parser("openai-chat"), base_url, client)


async def _fetch_with(parser: Any, base_url: str, client: httpx.AsyncClient) -> StepOutcome:
    splitter = EventSplitter()
    published: list[Any] = []
    async with client.stream(
        "POST", base_url + "/chat/completions", json=CHAT_BODY, headers=OPENAI_HEADERS
    ) as response:
        async for chunk in response.aiter_bytes():
            if _feed_all(parser, splitter.feed(chunk), published):
                break
        else:
            _feed_all(parser, splitter.finish(), published)
    return parser.outcome()


class FastPathParser(OpenAIChatParser):
    """Measured proposal for ``OpenAIChatParser.feed``: the commonest chunk — one choice,
    index 0, a ``delta`` of only ``content`` (and ``role``), no finish reason, usage, error
    or extras — goes straight to the text; anything else takes the full path. Reads the
    parser's private state, so it lives here only to be measured."""

    def feed(self, event: str, data: str) -> list[Any]:
        if event or self._ended or data.startswith("[DONE]"):
            return super().feed(event, data)
        try:
            chunk = json.loads(data)
        except ValueError:
            return super().feed(event, data)
        out: list[Any] = []
        content = _plain_content(chunk)
        if content is None:
            return self._full_path(chunk, data, out)
        if content:
            self._think.feed(content, out)
        return out

    def _full_path(self, chunk: Any, data: str, out: list[Any]) -> list[Any]:
        """The rest of ``OpenAIChatParser.feed``, on the chunk already decoded."""
        if not isinstance(chunk, dict):
            return out
        choices = chunk.get("choices")
        if choices and isinstance(choices, list):
            for choice in choices:
                if isinstance(choice, dict):
                    self._choice(choice, out)
        usage = chunk.get("usage")
        if usage is not None:
            self._merge_usage(self._usage, usage, out)
        groq = chunk.get("x_groq")
        if isinstance(groq, dict) and "usage" in groq:
            self._merge_usage(self._groq_usage, groq["usage"], out)
        if chunk.get("error"):
            self._fail(_error_message(chunk, data), out)
        return out


def _plain_content(chunk: Any) -> str | None:
    """The text of a plain content chunk, or None when the chunk needs the full parser."""
    if type(chunk) is not dict or chunk.get("usage") is not None:
        return None
    if "error" in chunk or "x_groq" in chunk:
        return None
    choices = chunk.get("choices")
    if type(choices) is not list or len(choices) != 1:
        return None
    choice = choices[0]
    if type(choice) is not dict or choice.get("index") or choice.get("finish_reason"):
        return None
    if "message" in choice:
        return None
    delta = choice.get("delta")
    if type(delta) is not dict or not delta.keys() <= _PLAIN_DELTA_KEYS:
        return None
    content = delta.get("content", "")
    return content if type(content) is str else None


_PLAIN_DELTA_KEYS = frozenset({"content", "role"})


async def fast_decode(chunks: list[bytes], dialect: str = "openai-chat") -> StepOutcome:
    """The splitter and, for OpenAI-style streams, the fast-path parser."""
    parser = (
        FastPathParser(usage_requested=True) if dialect == "openai-chat" else make_parser(dialect)
    )
    return await _decode_with(parser, chunks)


async def fast_fetch(base_url: str, client: httpx.AsyncClient) -> StepOutcome:
    return await _fetch_with(FastPathParser(usage_requested=True), base_url, client)
