"""Requests that can never be sent (bad URL, bad header) fail at once, not after retries."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from llmx_tui.core.events import Retrying
from llmx_tui.providers.errors import ProviderError
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from llmx_tui.providers.transport import HttpRequest, RetryPolicy, Timeouts, Transport


async def _fails_at_once(url: str, headers: dict[str, str], secret: str = "") -> ProviderError:
    events: list[Any] = []
    sleeps: list[float] = []

    async def sleep(delay: float) -> None:
        sleeps.append(delay)

    transport = Transport(
        httpx.AsyncClient(),
        retry=RetryPolicy(max_attempts=4),
        timeouts=Timeouts(idle=5.0, connect=2.0),
        sleep=sleep,
    )
    request = HttpRequest(url=url, headers=headers, body={"model": "m"}, secrets=(secret,))
    with pytest.raises(ProviderError) as caught:
        await transport.stream(request, OpenAIChatParser(), events.append)
    assert not sleeps
    assert not [e for e in events if isinstance(e, Retrying)]
    assert caught.value.kind == "config"
    return caught.value


@pytest.mark.parametrize("url", ["ftp://example.com/v1/chat", "localhost:8080/v1/chat"])
async def test_an_unsupported_scheme_is_not_retried(url: str) -> None:
    error = await _fails_at_once(url, {})
    assert "check the base URL" in error.message


async def test_an_invalid_url_is_not_retried() -> None:
    error = await _fails_at_once("http://exa\x00mple.com/v1", {})
    assert "URL is not valid" in error.message


async def test_a_header_with_a_line_break_is_not_retried_and_its_value_is_not_shown(
    loopback: Any,
) -> None:
    secret = "sk-line\nbreak-secret"
    error = await _fails_at_once(
        loopback.base_url + "/chat/completions",
        {"authorization": f"Bearer {secret}", "x-ok": "fine"},
        secret,
    )
    assert "header authorization" in error.message
    assert "x-ok" not in error.message
    assert "break-secret" not in error.message
    assert not loopback.requests


async def test_a_non_ascii_key_is_not_retried(loopback: Any) -> None:
    error = await _fails_at_once(
        loopback.base_url + "/chat/completions", {"authorization": "Bearer sk-\u201ckey\u201d"}
    )
    assert "header authorization" in error.message
    assert "key" in error.message


async def test_a_body_that_cannot_be_encoded_is_not_blamed_on_a_header(loopback: Any) -> None:
    events: list[Any] = []
    transport = Transport(httpx.AsyncClient(), retry=RetryPolicy(max_attempts=4))
    request = HttpRequest(
        url=loopback.base_url + "/chat/completions",
        headers={"authorization": "Bearer sk-fine"},
        body={"messages": [{"role": "user", "content": "half an emoji \ud83d"}]},
    )
    with pytest.raises(ProviderError) as caught:
        await transport.stream(request, OpenAIChatParser(), events.append)
    assert caught.value.kind == "request"
    assert "cannot be encoded as UTF-8" in caught.value.message
    assert "header" not in caught.value.message
    assert not events and not loopback.requests
