"""Connections are reused across requests: a body is read to its end after its end marker.

httpx puts a connection back in its pool only once the response body has been
read to its end. A reader that stopped at ``[DONE]`` or ``message_stop`` left the
chunked body's last bytes unread, so httpx closed the connection and every step
of a turn connected again (a TLS handshake each, against a real provider).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from llmx_tui.providers.anthropic.parse import AnthropicParser
from llmx_tui.providers.base import StreamParser
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from llmx_tui.providers.transport import HttpRequest, Transport
from tests.loopback import openai_text_stream

ANTHROPIC = (
    b'event: message_start\ndata: {"type":"message_start","message":{"usage":'
    b'{"input_tokens":3}}}\n\n'
    b'event: content_block_start\ndata: {"type":"content_block_start","index":0,'
    b'"content_block":{"type":"text","text":""}}\n\n'
    b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
    b'"delta":{"type":"text_delta","text":"hi"}}\n\n'
    b'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},'
    b'"usage":{"output_tokens":1}}\n\n'
    b'event: message_stop\ndata: {"type":"message_stop"}\n\n'
)


class KeepAliveServer:
    """HTTP/1.1 on 127.0.0.1 that serves requests one after another on each connection.

    The body's terminating chunk follows its last event after ``end_delay`` seconds
    (None: never, the connection stays open), as a server's last write may.
    """

    def __init__(
        self, body: bytes, end_delay: float | None = 0.01, idle_timeout: float = 3600
    ) -> None:
        self.body = body
        self.end_delay = end_delay
        self.idle_timeout = idle_timeout  # closes a connection idle this long, as servers do
        self.connections = 0
        self.requests = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.idle_timeout)
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                self.requests += 1
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    b"transfer-encoding: chunked\r\n\r\n"
                    b"%x\r\n%s\r\n" % (len(self.body), self.body)
                )
                await writer.drain()
                if self.end_delay is None:
                    await asyncio.sleep(3600)
                await asyncio.sleep(self.end_delay)
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        except (
            TimeoutError,
            asyncio.IncompleteReadError,
            ConnectionError,
            asyncio.CancelledError,
        ):
            writer.close()


@asynccontextmanager
async def serving(server: KeepAliveServer) -> AsyncIterator[str]:
    handlers: set[asyncio.Task[Any]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        await server.handle(reader, writer)

    listening = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}/v1/x"
    finally:
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        listening.close()
        await listening.wait_closed()


async def steps(url: str, make_parser: type[StreamParser] | Any, count: int) -> list[str]:
    async with httpx.AsyncClient() as client:
        transport = Transport(client)
        request = HttpRequest(url=url, headers={}, body={"stream": True})
        return [
            (await transport.stream(request, make_parser(), lambda event: None)).text
            for _ in range(count)
        ]


async def test_openai_style_steps_share_one_connection() -> None:
    server = KeepAliveServer(openai_text_stream("hi"))
    async with serving(server) as url:
        assert await steps(url, OpenAIChatParser, 3) == ["hi", "hi", "hi"]
    assert (server.requests, server.connections) == (3, 1)


async def test_anthropic_steps_share_one_connection() -> None:
    server = KeepAliveServer(ANTHROPIC)
    async with serving(server) as url:
        assert await steps(url, AnthropicParser, 3) == ["hi", "hi", "hi"]
    assert (server.requests, server.connections) == (3, 1)


async def test_a_body_that_never_ends_after_done_costs_a_short_wait_and_a_new_connection() -> None:
    server = KeepAliveServer(openai_text_stream("hi"), end_delay=None)
    async with serving(server) as url:
        started = asyncio.get_running_loop().time()
        assert await asyncio.wait_for(steps(url, OpenAIChatParser, 2), 10) == ["hi", "hi"]
        assert asyncio.get_running_loop().time() - started < 5
    assert (server.requests, server.connections) == (2, 2)


async def test_a_turn_after_a_pause_uses_the_connection_of_the_turn_before() -> None:
    """The app's client keeps idle connections longer than httpx's 5 s default."""
    from llmx_tui.providers.transport import close_shared_client

    server = KeepAliveServer(openai_text_stream("hi"))
    async with serving(server) as url:
        transport = Transport()  # the process-wide client, as the app uses it
        request = HttpRequest(url=url, headers={}, body={"stream": True})
        try:
            await transport.stream(request, OpenAIChatParser(), lambda event: None)
            await asyncio.sleep(5.5)  # reading the reply, typing the next prompt
            await transport.stream(request, OpenAIChatParser(), lambda event: None)
        finally:
            await close_shared_client()
    assert (server.requests, server.connections) == (2, 1)


async def test_a_connection_the_server_closed_while_idle_is_replaced_without_a_retry() -> None:
    from llmx_tui.core.events import Retrying
    from llmx_tui.providers.transport import close_shared_client

    server = KeepAliveServer(openai_text_stream("hi"), idle_timeout=0.5)
    events: list[object] = []
    async with serving(server) as url:
        transport = Transport()
        request = HttpRequest(url=url, headers={}, body={"stream": True})
        try:
            first = await transport.stream(request, OpenAIChatParser(), events.append)
            await asyncio.sleep(1.0)  # the server has closed the idle connection
            second = await transport.stream(request, OpenAIChatParser(), events.append)
        finally:
            await close_shared_client()
    assert (first.text, second.text) == ("hi", "hi")
    assert (server.requests, server.connections) == (2, 2)
    assert not [event for event in events if isinstance(event, Retrying)]
