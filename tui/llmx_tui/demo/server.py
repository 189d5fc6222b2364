"""The demo's in-process loopback server: real HTTP and SSE on 127.0.0.1, scripted replies."""

from __future__ import annotations

import asyncio
import contextlib
import json

from llmx_tui.demo import DEMO_MODEL, DEMO_PROVIDER
from llmx_tui.demo.http import LAST_CHUNK, chunk, read_request, response_head
from llmx_tui.demo.script import reply_for
from llmx_tui.providers.registry import Preset
from llmx_tui.providers.resolve import ResolvedProvider

# Pacing that reads like a fast model: events per write and pause between writes.
EVENTS_PER_WRITE = 3
PAUSE = 0.012


class DemoServer:
    def __init__(self, *, pause: float = PAUSE) -> None:
        self.pause = pause
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> DemoServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Cancellation here only means the app is shutting down mid-reply: end quietly.
        with contextlib.suppress(
            ConnectionError, asyncio.IncompleteReadError, ValueError, asyncio.CancelledError
        ):
            request = await read_request(reader)
            if request.method == "GET" and request.path.endswith("/models"):
                await self._models(writer)
                return
            body = reply_for(json.loads(request.body or b"{}"))
            writer.write(response_head(200, "text/event-stream"))
            events = body.split(b"\n\n")
            for start in range(0, len(events), EVENTS_PER_WRITE):
                group = b"\n\n".join(events[start : start + EVENTS_PER_WRITE])
                if start + EVENTS_PER_WRITE < len(events):
                    group += b"\n\n"
                if group:
                    writer.write(chunk(group))
                    await writer.drain()
                    await asyncio.sleep(self.pause)
            writer.write(LAST_CHUNK)
            await writer.drain()
        writer.close()

    async def _models(self, writer: asyncio.StreamWriter) -> None:
        payload = json.dumps({"object": "list", "data": [{"id": DEMO_MODEL, "object": "model"}]})
        writer.write(response_head(200, "application/json") + chunk(payload.encode()) + LAST_CHUNK)
        await writer.drain()
        writer.close()


def demo_provider(base_url: str) -> ResolvedProvider:
    """The provider the demo talks to: OpenAI-style, labelled "demo" everywhere."""
    preset = Preset(
        DEMO_PROVIDER,
        "openai-chat",
        base_url,
        None,
        "anchored",
        "reasoning_content",
        local=True,
        label="Demo (scripted)",
    )
    return ResolvedProvider(name=DEMO_PROVIDER, preset=preset, base_url=base_url, model=DEMO_MODEL)
