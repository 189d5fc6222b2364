"""The streaming client against a real loopback HTTP server, with faults."""

from __future__ import annotations

import asyncio
import email.utils
import socket
import time
from typing import Any

import httpx
import pytest

from llmx_tui.core.events import Retrying, TextDelta
from llmx_tui.providers.errors import ProviderError
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from llmx_tui.providers.transport import HttpRequest, RetryPolicy, Timeouts, Transport, retry_delay
from tests.loopback import Reply, openai_text_stream, sse_body


class Recorder:
    def __init__(self) -> None:
        self.events: list[Any] = []
        self.sleeps: list[float] = []

    def emit(self, event: Any) -> None:
        self.events.append(event)

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)

    def text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, TextDelta))

    def retries(self) -> list[Retrying]:
        return [e for e in self.events if isinstance(e, Retrying)]


def make(rec: Recorder, **timeouts: float) -> Transport:
    return Transport(
        httpx.AsyncClient(),
        retry=RetryPolicy(max_attempts=4),
        timeouts=Timeouts(**{"idle": 5.0, "finish_grace": 0.3, **timeouts}),
        sleep=rec.sleep,
    )


def request(server: Any, key: str = "sk-test-secret") -> HttpRequest:
    return HttpRequest(
        url=server.base_url + "/chat/completions",
        headers={"authorization": f"Bearer {key}"},
        body={"model": "m", "stream": True},
        secrets=(key,),
    )


async def test_streams_text_and_sends_the_request(loopback: Any) -> None:
    loopback.add_stream(openai_text_stream("Hello there, friend.", pieces=5), chunk_size=7)
    rec = Recorder()
    outcome = await make(rec).stream(request(loopback), OpenAIChatParser(), rec.emit)
    assert outcome.text == "Hello there, friend."
    assert rec.text() == "Hello there, friend."
    sent = loopback.requests[0]
    assert sent.path == "/v1/chat/completions"
    assert sent.json() == {"model": "m", "stream": True}
    assert sent.headers["authorization"] == "Bearer sk-test-secret"


async def test_429_with_retry_after_seconds_is_retried(loopback: Any) -> None:
    loopback.add(
        Reply(
            status=429,
            body=b'{"error":{"message":"slow down"}}',
            headers={"retry-after": "7"},
            content_type="application/json",
        ),
        Reply(body=openai_text_stream("ok")),
    )
    rec = Recorder()
    outcome = await make(rec).stream(request(loopback), OpenAIChatParser(), rec.emit)
    assert outcome.text == "ok"
    assert rec.sleeps == [7.0]
    [retry] = rec.retries()
    assert retry.attempt == 2 and retry.delay == 7.0
    assert "429" in retry.reason and "slow down" in retry.reason


async def test_retry_after_ms_and_http_date_are_honoured(loopback: Any) -> None:
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    loopback.add(
        Reply(status=503, body=b"busy", headers={"retry-after-ms": "250"}),
        Reply(status=429, body=b"later", headers={"retry-after": future}),
        Reply(body=openai_text_stream("done")),
    )
    rec = Recorder()
    await make(rec).stream(request(loopback), OpenAIChatParser(), rec.emit)
    assert rec.sleeps[0] == pytest.approx(0.25)
    assert 25 < rec.sleeps[1] <= 31


async def test_5xx_and_408_409_backoff_then_give_up_after_max_attempts(loopback: Any) -> None:
    for status in (500, 408, 409, 502):
        loopback.add(Reply(status=status, body=b'{"message": "upstream sad"}'))
    rec = Recorder()
    with pytest.raises(ProviderError) as caught:
        await make(rec).stream(request(loopback), OpenAIChatParser(), rec.emit)
    assert len(loopback.requests) == 4
    assert [r.attempt for r in rec.retries()] == [2, 3, 4]
    # exponential backoff with jitter: 0.5, 1, 2 (each +-25%)
    for delay, base in zip(rec.sleeps, (0.5, 1.0, 2.0), strict=True):
        assert base * 0.75 <= delay <= base * 1.25
    assert caught.value.status == 502
    assert "upstream sad" in caught.value.message


@pytest.mark.parametrize(
    ("status", "body", "ctype", "expected"),
    [
        (
            401,
            b'{"error": {"message": "Incorrect API key provided: sk-test-secret"}}',
            "application/json",
            "Incorrect API key provided: [redacted]",
        ),
        (400, b"model not found, plain text", "text/plain", "model not found, plain text"),
        (
            404,
            b"<!DOCTYPE html><html><head><title>404 Not Found</title></head>"
            b"<body><h1>Nope</h1></body></html>",
            "text/html",
            "404 Not Found",
        ),
        (
            422,
            b'{"detail": [{"msg": "Extra inputs are not permitted"}]}',
            "application/json",
            "Extra inputs are not permitted",
        ),
    ],
)
async def test_other_4xx_fail_at_once_with_the_providers_message(
    loopback: Any, status: int, body: bytes, ctype: str, expected: str
) -> None:
    loopback.add(Reply(status=status, body=body, content_type=ctype))
    rec = Recorder()
    with pytest.raises(ProviderError) as caught:
        await make(rec).stream(request(loopback), OpenAIChatParser(), rec.emit)
    assert len(loopback.requests) == 1 and rec.sleeps == []
    assert caught.value.kind == "http" and caught.value.status == status
    assert expected in caught.value.message
    assert "sk-test-secret" not in caught.value.message
    assert "\n" not in caught.value.message


async def test_cut_before_content_is_retried(loopback: Any) -> None:
    loopback.add(
        Reply(body=openai_text_stream("x"), cut_after=0),
        Reply(body=openai_text_stream("second try")),
    )
    rec = Recorder()
    outcome = await make(rec).stream(request(loopback), OpenAIChatParser(), rec.emit)
    assert outcome.text == "second try"
    assert len(rec.retries()) == 1


async def test_cut_after_content_is_not_retried_and_keeps_partial_text(loopback: Any) -> None:
    body = openai_text_stream("abcdefghij" * 20, pieces=20)
    loopback.add(
        Reply(body=body, cut_after=len(body) // 2, chunk_size=64),
        Reply(body=openai_text_stream("must not be used")),
    )
    rec = Recorder()
    parser = OpenAIChatParser()
    with pytest.raises(ProviderError) as caught:
        await make(rec).stream(request(loopback), parser, rec.emit)
    assert caught.value.kind == "connection"
    assert len(loopback.requests) == 1
    partial = parser.outcome().text
    assert partial and ("abcdefghij" * 20).startswith(partial)
    assert rec.text() == partial


async def test_stall_fails_with_the_idle_timeout(loopback: Any) -> None:
    body = openai_text_stream("hello world", pieces=2)
    loopback.add(Reply(body=body, stall_after=60))
    rec = Recorder()
    with pytest.raises(ProviderError) as caught:
        await make(rec, idle=0.4).stream(request(loopback), OpenAIChatParser(), rec.emit)
    assert caught.value.kind == "timeout"
    assert "0.4 s" in caught.value.message


async def test_slow_trickle_within_the_idle_timeout_succeeds(loopback: Any) -> None:
    loopback.add(Reply(body=openai_text_stream("trickle", pieces=7), chunk_size=40, delay=0.02))
    rec = Recorder()
    outcome = await make(rec, idle=1.0).stream(request(loopback), OpenAIChatParser(), rec.emit)
    assert outcome.text == "trickle"


async def test_a_finished_stream_that_goes_quiet_does_not_hang(loopback: Any) -> None:
    body = sse_body(
        {"choices": [{"index": 0, "delta": {"content": "fin"}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        done=False,
    )
    loopback.add(Reply(body=body, stall_after=len(body)))
    rec = Recorder()
    started = time.monotonic()
    outcome = await make(rec, idle=30.0, finish_grace=0.2).stream(
        request(loopback), OpenAIChatParser(usage_requested=False), rec.emit
    )
    assert outcome.text == "fin" and outcome.finish_reason == "stop"
    assert time.monotonic() - started < 10  # far below the 30 s idle timeout


async def test_in_band_error_ends_the_step_with_partial_text(loopback: Any) -> None:
    body = sse_body(
        {"choices": [{"index": 0, "delta": {"content": "partial "}}]},
        {"error": {"message": "Token limit reached", "code": 400}},
    )
    loopback.add(Reply(body=body))
    rec = Recorder()
    outcome = await make(rec).stream(request(loopback), OpenAIChatParser(), rec.emit)
    assert outcome.error == "Token limit reached"
    assert outcome.text == "partial "


async def test_connection_refused_is_retried_then_reported() -> None:
    rec = Recorder()
    req = HttpRequest(url="http://127.0.0.1:9/v1/chat/completions", headers={}, body={})
    with pytest.raises(ProviderError) as caught:
        await make(rec).stream(req, OpenAIChatParser(), rec.emit)
    assert caught.value.kind == "connection"
    assert "could not connect to 127.0.0.1:9" in caught.value.message
    assert len(rec.retries()) == 3


async def test_cancel_closes_the_stream_promptly_and_keeps_partial_text(loopback: Any) -> None:
    loopback.add(
        Reply(body=openai_text_stream("word " * 400, pieces=400), chunk_size=50, delay=0.01)
    )
    rec = Recorder()
    parser = OpenAIChatParser()
    task = asyncio.create_task(make(rec).stream(request(loopback), parser, rec.emit))
    while not rec.text():
        await asyncio.sleep(0.01)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 2
    assert parser.outcome().text == rec.text()
    assert len(parser.outcome().text) < len("word " * 400)


def test_retry_delay_without_headers_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    assert 0.75 <= retry_delay(1, None, policy) <= 1.25
    assert 3.0 <= retry_delay(3, None, policy) <= 5.0
    assert retry_delay(10, None, policy) <= 6.25
    assert retry_delay(1, httpx.Headers({"retry-after": "99999"}), policy) == 120.0


async def no_sleep(delay: float) -> None:
    return None


def _resolver_failure(errno: int) -> httpx.MockTransport:
    """What httpx raises when the host name does not resolve (no network needed)."""

    def handler(request: httpx.Request) -> httpx.Response:
        cause = socket.gaierror(errno, "resolver says no")
        raise httpx.ConnectError(f"[Errno {errno}] resolver says no", request=request) from cause

    return httpx.MockTransport(handler)


async def test_a_host_that_does_not_exist_says_to_check_the_base_url() -> None:
    rec = Recorder()
    req = HttpRequest(url="http://api.exmaple.invalid/v1/chat/completions", headers={}, body={})
    async with httpx.AsyncClient(transport=_resolver_failure(socket.EAI_NONAME)) as client:
        transport = Transport(client, retry=RetryPolicy(max_attempts=4), sleep=no_sleep)
        with pytest.raises(ProviderError) as caught:
            await transport.stream(req, OpenAIChatParser(), rec.emit)
    assert caught.value.kind == "connection"
    message = "could not connect to api.exmaple.invalid: no such host (check the base URL)"
    assert caught.value.message == message
    # Retried all the same (macOS says the same while offline), the reason shown at once.
    assert [event.reason for event in rec.retries()] == [message] * 3


async def test_a_resolver_that_fails_for_now_is_retried() -> None:
    rec = Recorder()
    req = HttpRequest(url="http://api.example.invalid/v1/chat/completions", headers={}, body={})
    async with httpx.AsyncClient(transport=_resolver_failure(socket.EAI_AGAIN)) as client:
        transport = Transport(client, retry=RetryPolicy(max_attempts=3), sleep=no_sleep)
        with pytest.raises(ProviderError):
            await transport.stream(req, OpenAIChatParser(), rec.emit)
    assert len(rec.retries()) == 2
