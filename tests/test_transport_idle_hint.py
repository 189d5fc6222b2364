"""The idle-timeout error names the real flag and config key that raise the limit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from llmx_tui.cli import build_parser
from llmx_tui.config import Settings
from llmx_tui.providers.errors import ProviderError
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from llmx_tui.providers.transport import HttpRequest, Timeouts, Transport
from tests.loopback import Reply, openai_text_stream


async def test_the_idle_timeout_error_says_how_to_raise_it(loopback: Any) -> None:
    loopback.add(Reply(body=openai_text_stream("hello world", pieces=2), stall_after=60))
    transport = Transport(httpx.AsyncClient(), timeouts=Timeouts(idle=0.3))
    request = HttpRequest(url=loopback.base_url + "/chat/completions", headers={}, body={})
    with pytest.raises(ProviderError) as caught:
        await transport.stream(request, OpenAIChatParser(), lambda event: None)
    message = caught.value.message
    assert "--idle-timeout SECONDS" in message
    assert "idle_timeout under [network]" in message
    # The names quoted are the real ones.
    args = build_parser().parse_args(["--idle-timeout", "90"])
    assert args.idle_timeout == 90
    network = Settings.model_validate({"network": {"idle_timeout": 90}}).network
    assert network.idle_timeout == 90
