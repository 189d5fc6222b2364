"""The HTTP client exists before the first request, so the first reply does not wait
for its TLS setup; closing the setup closes it."""

from __future__ import annotations

from pathlib import Path

from llmx_tui.cli import build_parser
from llmx_tui.core.bus import EventBus
from llmx_tui.providers import transport
from llmx_tui.session_setup import open_conversation


async def test_the_http_client_is_ready_before_the_first_request(tmp_path: Path) -> None:
    await transport.close_shared_client()
    argv = ["--provider", "openai-compatible", "--base-url", "http://127.0.0.1:9/v1"]
    argv += ["--model", "m", "--data-dir", str(tmp_path), "--no-tools"]
    setup = await open_conversation(build_parser().parse_args(argv), EventBus(), interactive=True)
    try:
        client = transport._shared_client
        assert client is not None and not client.is_closed
    finally:
        await setup.close()
    assert transport._shared_client is None
