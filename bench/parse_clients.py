"""The three ways of reading a stream that the parse benchmark compares.

* ours: httpx + httpx-sse + our dialect parser, the path the app takes
  (``Transport.stream`` over the network; the transport's own ``EventReader``
  over an in-memory response).
* the openai SDK: ``AsyncOpenAI.chat.completions.create(stream=True)`` over the
  network; its own ``AsyncStream`` decoding ``ChatCompletionChunk`` objects in memory.
* the floor: split the bytes into lines and ``json.loads`` each ``data:`` line
  (and, reported beside it, the same on text decoded once per piece).

Every reader returns what it understood so the runner can check they agree.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import httpx2
from httpx_sse._decoders import SSEDecoder, SSELineDecoder  # what EventReader drives
from openai import APIError, AsyncOpenAI
from openai._streaming import AsyncStream
from openai.types.chat import ChatCompletionChunk

from llmx_tui.providers.anthropic.parse import AnthropicParser
from llmx_tui.providers.base import StepOutcome, StreamParser
from llmx_tui.providers.gemini.parse import GeminiParser
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from llmx_tui.providers.stream_state import decode_json
from llmx_tui.providers.transport import EventReader, HttpRequest, Timeouts, Transport

SSE_HEADERS = {"content-type": "text/event-stream"}
# What providers.dialects sends to an OpenAI-style server without a key.
OPENAI_HEADERS = {"accept": "text/event-stream"}
CHAT_BODY = {
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "hi"}],
    "stream": True,
    "stream_options": {"include_usage": True},
}


def split_chunks(body: bytes, size: int = 4096) -> list[bytes]:
    """The body in the pieces a socket read would deliver."""
    return [body[start : start + size] for start in range(0, len(body), size)]


class _Chunks(httpx.AsyncByteStream, httpx2.AsyncByteStream):
    """A response body already in memory, handed out piece by piece.

    It stands in for the socket, so it costs as little as it can: a plain async
    iterator, not an async generator, which a reader that stops at an end marker
    would leave to the event loop's finaliser (a task per stream, charged to the
    reader though it is the stand-in's own cost).
    """

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _Pieces(iter(self._chunks))

    async def aclose(self) -> None:
        return None


class _Pieces:
    __slots__ = ("_pieces",)

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces = pieces

    def __aiter__(self) -> _Pieces:
        return self

    async def __anext__(self) -> bytes:
        for piece in self._pieces:
            return piece
        raise StopAsyncIteration


def make_parser(dialect: str) -> StreamParser:
    """The parser ``providers.dialects`` would pick (imported directly: parsing needs no payload
    builder)."""
    if dialect == "anthropic":
        return AnthropicParser()
    if dialect == "gemini":
        return GeminiParser()
    return OpenAIChatParser(usage_requested=True)


# --- in memory: the same bytes, no socket -------------------------------------------------


async def ours_decode(chunks: list[bytes], dialect: str = "openai-chat") -> StepOutcome:
    """What ``Transport.stream`` does with a response once it is open, events published."""
    parser = make_parser(dialect)
    response = httpx.Response(200, headers=SSE_HEADERS, stream=_Chunks(chunks))
    published: list[Any] = []
    await EventReader(Timeouts().finish_grace).read(response, parser, published.append)
    return parser.outcome()


def new_sdk_client(base_url: str = "http://127.0.0.1:9/v1") -> AsyncOpenAI:
    return AsyncOpenAI(api_key="bench-not-a-key", base_url=base_url, max_retries=0)


async def sdk_decode(chunks: list[bytes], client: AsyncOpenAI) -> str:
    """The SDK's stream decoding (its AsyncStream) over an in-memory response."""
    request = httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    response = httpx2.Response(200, headers=SSE_HEADERS, stream=_Chunks(chunks), request=request)
    stream = AsyncStream(cast_to=ChatCompletionChunk, response=response, client=client)
    return await _sdk_text(stream)


async def _sdk_text(stream: AsyncStream[ChatCompletionChunk]) -> str:
    """What an SDK user does with a stream: collect choice 0's text and tool arguments."""
    text: list[str] = []
    try:
        async for chunk in stream:
            for choice in chunk.choices:
                if choice.index != 0:
                    continue
                delta = choice.delta
                if isinstance(delta.content, str):
                    text.append(delta.content)
                for call in delta.tool_calls or ():
                    if call.function is not None and isinstance(call.function.arguments, str):
                        text.append(call.function.arguments)
    except (APIError, ValueError):
        pass  # an in-band error ends the SDK's stream with an exception
    return "".join(text)


async def sse_floor_decode(chunks: list[bytes]) -> int:
    """The least a reader built on httpx-sse does (reported, not judged): its line and
    event decoders over the same in-memory response, ``json.loads`` on each event's
    data, nothing else; returns how many were decoded."""
    response = httpx.Response(200, headers=SSE_HEADERS, stream=_Chunks(chunks))
    to_text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode
    lines, events = SSELineDecoder(), SSEDecoder()
    decoded = 0
    async for chunk in response.aiter_raw():
        decoded += _sse_floor_lines(lines.decode(to_text(chunk)), events)
    return decoded + _sse_floor_lines(lines.decode(to_text(b"", True)) + lines.flush(), events)


def _sse_floor_lines(lines: list[str], events: SSEDecoder) -> int:
    decoded = 0
    for line in lines:
        sse = events.decode(line)
        if sse is not None and sse.data and sse.data != "[DONE]":
            try:
                json.loads(sse.data)
            except ValueError:
                continue
            decoded += 1
    return decoded


class JsonOnlyParser:
    """A parser that only decodes each event's JSON: publishes nothing, never finishes."""

    ended = False
    finished = False

    def feed(self, event: str, data: str) -> list[Any]:
        decode_json(data)
        return []

    def outcome(self) -> StepOutcome:
        return StepOutcome()


async def reader_decode(chunks: list[bytes]) -> None:
    """Our ``EventReader`` over the same response with ``JsonOnlyParser`` (reported, not
    judged): what reading costs before any dialect's parsing."""
    response = httpx.Response(200, headers=SSE_HEADERS, stream=_Chunks(chunks))
    await EventReader(Timeouts().finish_grace).read(response, JsonOnlyParser(), _discard)


def _discard(event: object) -> None:
    return None


async def floor_decode_response(chunks: list[bytes]) -> int:
    """The floor reading an in-memory response, as ours and the SDK read theirs."""
    return await floor_read(httpx.Response(200, headers=SSE_HEADERS, stream=_Chunks(chunks)))


async def floor_read(response: httpx.Response) -> int:
    """Split lines, ``json.loads`` every ``data:`` payload of a response's body, read with
    ``aiter_bytes()``; returns how many were decoded."""
    decoded = 0
    pending = b""
    async for chunk in response.aiter_bytes():
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        decoded += _floor_lines(lines)
    return decoded + _floor_lines([pending])


def floor_decode(chunks: list[bytes]) -> int:
    """The floor on pieces already in a list, no response around them (reported, not
    judged); returns how many ``data:`` payloads were decoded."""
    decoded = 0
    pending = b""
    for chunk in chunks:
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        decoded += _floor_lines(lines)
    return decoded + _floor_lines([pending])


def floor_decode_text(chunks: list[bytes]) -> int:
    """The floor on text: each piece decoded once, ``json.loads`` on ``str`` lines.

    Reported beside the floor, not judged: ``json.loads`` on bytes detects the
    encoding and decodes every line again, which a reader need not do.
    """
    decode = codecs.getincrementaldecoder("utf-8")(errors="replace").decode
    decoded = 0
    pending = ""
    for chunk in chunks:
        lines = (pending + decode(chunk)).split("\n")
        pending = lines.pop()
        decoded += _floor_text_lines(lines)
    return decoded + _floor_text_lines([pending + decode(b"", True)])


def _floor_text_lines(lines: list[str]) -> int:
    decoded = 0
    for line in lines:
        if line.startswith("data:"):
            data = line[5:].strip()
            if data and data != "[DONE]":
                try:
                    json.loads(data)
                except ValueError:
                    continue
                decoded += 1
    return decoded


def _floor_lines(lines: list[bytes]) -> int:
    decoded = 0
    for line in lines:
        if line.startswith(b"data:"):
            data = line[5:].strip()
            if data and data != b"[DONE]":
                try:
                    json.loads(data)
                except ValueError:
                    continue
                decoded += 1
    return decoded


# --- over the network: the loopback server ------------------------------------------------


async def ours_fetch(base_url: str, client: httpx.AsyncClient) -> StepOutcome:
    request = HttpRequest(
        url=base_url + "/chat/completions", headers=OPENAI_HEADERS, body=CHAT_BODY
    )
    published: list[Any] = []
    return await Transport(client).stream(request, make_parser("openai-chat"), published.append)


async def sdk_fetch(client: AsyncOpenAI) -> str:
    stream = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    return await _sdk_text(stream)


async def floor_fetch(base_url: str, client: httpx.AsyncClient) -> int:
    async with client.stream("POST", base_url + "/chat/completions", json=CHAT_BODY) as response:
        return await floor_read(response)


async def raw_fetch(base_url: str, client: httpx.AsyncClient) -> int:
    """Only receive the bytes: what the socket and httpx cost by themselves."""
    size = 0
    async with client.stream("POST", base_url + "/chat/completions", json=CHAT_BODY) as response:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
    return size
