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

from typing import Any

import httpx

from bench.parse_clients import CHAT_BODY, OPENAI_HEADERS, SSE_HEADERS, _Chunks, make_parser
from llmx_tui.providers.base import StepOutcome

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
    parser = make_parser(dialect)
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
    parser = make_parser("openai-chat")
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
