"""A real HTTP server on 127.0.0.1 that replays scripted SSE streams, with faults.

It runs its own asyncio loop in a thread, so async tests, sync tests and
subprocess tests (the real `llmx-tui` command) can all talk to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Reply:
    """One scripted response. ``body`` is sent in ``chunks`` pieces with ``delay`` between them."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunk_size: int = 4096
    delay: float = 0.0
    # Close the connection abruptly after this many body bytes (a cut stream).
    cut_after: int | None = None
    # Stop sending (but keep the connection open) after this many bytes (a stall).
    stall_after: int | None = None
    content_type: str = "text/event-stream"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def sse_body(*events: Any, done: bool = True) -> bytes:
    """``data:`` events from JSON-able objects, optionally closed by [DONE]."""
    out = [f"data: {json.dumps(e)}\n\n" for e in events]
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


def openai_text_stream(text: str, *, pieces: int = 1, usage: bool = True) -> bytes:
    """A minimal OpenAI chat stream saying ``text``."""
    size = max(1, len(text) // pieces) if pieces else len(text)
    chunks: list[Any] = [
        {"choices": [{"index": 0, "delta": {"role": "assistant", "content": text[i : i + size]}}]}
        for i in range(0, len(text), size)
    ]
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if usage:
        chunks.append({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 3}})
    return sse_body(*chunks)


def openai_tool_call_stream(call_id: str, name: str, arguments: str) -> bytes:
    delta = {
        "tool_calls": [
            {
                "index": 0,
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
        ]
    }
    return sse_body(
        {"choices": [{"index": 0, "delta": delta}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
        {"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 4}},
    )


class LoopbackServer:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.default: Reply | None = None
        self.requests: list[Received] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._stalled: list[asyncio.StreamWriter] = []
        self.port = 0

    # -- lifecycle -------------------------------------------------------
    def start(self) -> LoopbackServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(timeout=10)
        return self

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def _stop() -> None:
            for writer in self._stalled:
                writer.close()
            if self._server is not None:
                self._server.close()

        asyncio.run_coroutine_threadsafe(_stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- scripting -------------------------------------------------------
    def add(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def add_stream(self, body: bytes, **kwargs: Any) -> None:
        self.add(Reply(body=body, **kwargs))

    def add_corpus(self, path: Path, **kwargs: Any) -> None:
        self.add(Reply(body=path.read_bytes(), **kwargs))

    # -- serving ---------------------------------------------------------
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await self._serve_one(reader, writer)

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                key, value = line.split(":", 1)
                headers[key.strip().lower()] = value.strip()
        body = b""
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        self.requests.append(Received(method, path, headers, body))
        reply = self.replies.popleft() if self.replies else self.default
        if reply is None:
            reply = Reply(
                status=500,
                body=b'{"error": {"message": "no scripted reply"}}',
                content_type="application/json",
            )
        await self._send(reply, writer)

    async def _send(self, reply: Reply, writer: asyncio.StreamWriter) -> None:
        head = [
            f"HTTP/1.1 {reply.status} {_reason(reply.status)}",
            f"content-type: {reply.content_type}",
            "transfer-encoding: chunked",
            "connection: close",
        ]
        head += [f"{k}: {v}" for k, v in reply.headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        await writer.drain()
        sent = 0
        body = reply.body
        for start in range(0, len(body), reply.chunk_size):
            piece = body[start : start + reply.chunk_size]
            for limit, action in ((reply.cut_after, "cut"), (reply.stall_after, "stall")):
                if limit is not None and sent + len(piece) > limit:
                    piece = piece[: max(0, limit - sent)]
                    if piece:
                        writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                        await writer.drain()
                    if action == "cut":
                        writer.transport.abort()
                    else:
                        self._stalled.append(writer)
                    return
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()
            sent += len(piece)
            if reply.delay:
                await asyncio.sleep(reply.delay)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        writer.close()


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
