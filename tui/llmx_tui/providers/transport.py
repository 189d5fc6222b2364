"""HTTP streaming: POST, retries with backoff, idle timeout, cancellation.

One shared ``httpx.AsyncClient`` per process; httpx-sse's decoders split the
event stream; a dialect parser turns each event into stream events.
"""

from __future__ import annotations

import asyncio
import codecs
import email.utils
import json
import logging
import random
import socket
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from httpx_sse import SSEError
from httpx_sse._decoders import SSEDecoder, SSELineDecoder

from llmx_tui.core.events import ReasoningDelta, RefusalDelta, Retrying, TextDelta, ToolCallStarted
from llmx_tui.providers.base import StepOutcome, StreamParser
from llmx_tui.providers.errors import ProviderError, message_from_body, redact

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 409, 429})
_CONTENT_EVENTS = ("text_delta", "reasoning_delta", "refusal_delta", "tool_call_arguments_delta")
_MAX_ERROR_BODY = 64 * 1024


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    # A server's Retry-After is honoured up to this many seconds.
    max_retry_after: float = 120.0


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    # Longest silence between bytes of a stream before the step fails.
    idle: float = 60.0
    # How long to wait for trailing events once the response has finished.
    finish_grace: float = 1.5


@dataclass(frozen=True)
class HttpRequest:
    url: str
    headers: dict[str, str]
    body: dict[str, Any]
    # Secrets in the headers, redacted from any message shown or logged.
    secrets: tuple[str, ...] = field(default=(), repr=False)


Emit = Callable[[Any], None]
Sleep = Callable[[float], Awaitable[None]]

_shared_client: httpx.AsyncClient | None = None


# How long an idle connection stays in the pool. httpx's default (5 s) is shorter than
# the time a reader takes to read a reply and type the next prompt, so each turn would
# connect (and shake hands) again. A connection the server has closed meanwhile is seen
# and dropped by the pool before it is used.
KEEPALIVE_EXPIRY = 60.0


def shared_client() -> httpx.AsyncClient:
    """The process-wide client (connection pooling across steps and turns)."""
    global _shared_client
    if _shared_client is None or _shared_client.is_closed:
        _shared_client = httpx.AsyncClient(
            timeout=httpx.Timeout(60.0, connect=10.0),
            limits=httpx.Limits(
                max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_EXPIRY
            ),
        )
    return _shared_client


async def close_shared_client() -> None:
    global _shared_client
    if _shared_client is not None:
        await _shared_client.aclose()
        _shared_client = None


def retry_delay(attempt: int, headers: httpx.Headers | None, policy: RetryPolicy) -> float:
    """Delay before retry number ``attempt`` (1-based): the server's word, else backoff."""
    if headers is not None:
        told = _retry_after(headers)
        if told is not None:
            return min(max(told, 0.0), policy.max_retry_after)
    backoff = min(policy.base_delay * 2.0 ** (attempt - 1), policy.max_delay)
    return backoff * random.uniform(0.75, 1.25)


def _retry_after(headers: httpx.Headers) -> float | None:
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return float(ms) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()


class Transport:
    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._client = client
        self.retry = retry or RetryPolicy()
        self.timeouts = timeouts or Timeouts()
        self._sleep = sleep

    @property
    def client(self) -> httpx.AsyncClient:
        return self._client or shared_client()

    async def stream(self, request: HttpRequest, parser: StreamParser, emit: Emit) -> StepOutcome:
        """Streams one response into ``parser``, publishing through ``emit``.

        Raises ProviderError for failures before or during the stream; the
        parser keeps what had arrived, so ``parser.outcome()`` has the partial
        text. Never retries once content has streamed.
        """
        if log.isEnabledFor(logging.DEBUG):
            _log_request(request)
        attempt = 1
        while True:
            try:
                return await self._attempt(request, parser, emit)
            except _Retryable as retryable:
                if attempt >= self.retry.max_attempts:
                    raise retryable.error from None
                delay = retry_delay(attempt, retryable.headers, self.retry)
                attempt += 1
                reason = retryable.error.message
                emit(Retrying(attempt=attempt, delay=round(delay, 3), reason=reason))
                await self._sleep(delay)

    async def _attempt(self, request: HttpRequest, parser: StreamParser, emit: Emit) -> StepOutcome:
        timeout = httpx.Timeout(self.timeouts.idle, connect=self.timeouts.connect)
        reader = EventReader(self.timeouts.finish_grace)
        try:
            async with self.client.stream(
                "POST", request.url, json=request.body, headers=request.headers, timeout=timeout
            ) as response:
                if response.status_code >= 400:
                    await self._raise_for_status(request, response)
                if not is_event_stream(response):
                    await self._raise_not_a_stream(request, response)
                await reader.read(response, parser, emit)
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout):
                error = ProviderError(
                    "connection", f"could not connect to {_host(request.url)}: timed out"
                )
                if reader.streamed:
                    raise error from None
                raise _Retryable(error, None) from None
            raise ProviderError(
                "timeout",
                f"no data from {_host(request.url)} for {self.timeouts.idle:g} s; "
                "the server stalled (raise the limit with --idle-timeout SECONDS "
                "or idle_timeout under [network] in the config file)",
            ) from None
        except _NEVER_SUCCEEDS as exc:
            # A bad URL or header fails the same way on every attempt: no backoff.
            kind = "request" if _body_unsendable(request, exc) else "config"
            raise ProviderError(kind, _unsendable_message(request, exc)) from None
        except httpx.TransportError as exc:
            error = ProviderError("connection", _connection_message(request, exc))
            if reader.streamed:
                raise error from None
            raise _Retryable(error, None) from None
        return parser.outcome()

    async def _raise_not_a_stream(self, request: HttpRequest, response: httpx.Response) -> None:
        """A success that is no event stream: a web page or a login portal (a base URL
        that misses the API), or a whole JSON answer. Asking again gets the same."""
        body = await _error_body(response)
        content_type = response.headers.get("content-type", "") or "no content type"
        detail = redact(message_from_body(body, content_type), request.secrets)
        message = (
            f"{_host(request.url)} answered with {content_type.partition(';')[0]}, "
            "not an event stream"
        )
        if detail:
            message += f": {detail}"
        shown_url = redact(_loggable_url(request.url), request.secrets)
        message += f". Is the base URL the API's? ({shown_url})"
        raise ProviderError("response", message, response.status_code)

    async def _raise_for_status(self, request: HttpRequest, response: httpx.Response) -> None:
        body = await _error_body(response)
        detail = message_from_body(body, response.headers.get("content-type", ""))
        detail = redact(detail, request.secrets)
        reason = response.reason_phrase or ""
        message = f"HTTP {response.status_code} {reason}".strip()
        message += f" from {_host(request.url)}"
        if detail:
            message += f": {detail}"
        error = ProviderError("http", message, response.status_code)
        if response.status_code in RETRYABLE_STATUS or response.status_code >= 500:
            raise _Retryable(error, response.headers)
        raise error


class EventReader:
    """Feeds one response's SSE events to a parser and publishes what it yields.

    ``streamed`` tells, even after a failure mid-stream, whether content has
    been published (a step is never retried after that). Once the parser is
    finished, each further event is waited for ``finish_grace`` seconds at most.
    After an end marker nothing more is parsed, but the rest of the body is read
    (``_drain``), so that httpx can reuse the connection for the next step.

    httpx-sse's own line and event decoders are driven here once per network
    read: ``EventSource.aiter_sse()`` decodes the same way but costs two or three
    async-generator steps per event (BENCHMARKS.md section 1). They live in the
    private ``httpx_sse._decoders``, hence the exact pin in pyproject.toml and
    tests/test_sse_decoders.py. The bytes are read as ``aiter_text()`` would
    read them (see ``_body``), minus its per-stream costs.

    Consecutive text pieces of one kind (text, reasoning, refusal) that come in
    one network read are published as one event: they arrived at the same
    instant, and every published event costs each subscriber a call. At full
    loopback speed a 4 kB read holds about 30 tokens.
    """

    __slots__ = ("finish_grace", "streamed")

    def __init__(self, finish_grace: float) -> None:
        self.finish_grace = finish_grace
        self.streamed = False

    async def read(self, response: httpx.Response, parser: StreamParser, emit: Emit) -> None:
        content_type = _require_event_stream(response)
        to_text = _text_decoder(response, content_type)
        lines, events = SSELineDecoder(), SSEDecoder()
        chunks = _body(response)
        try:
            # No deadline while the parser is unfinished: the common path pays for none.
            async for chunk in chunks:
                text = to_text(chunk)
                if text:
                    state = self._take(lines.decode(text), events, parser, emit)
                    if state is _FINISHED:
                        await self._read_trailing(chunks, to_text, lines, events, parser, emit)
                        return
                    if state is _ENDED:
                        await _drain(chunks)
                        return
            self._finish(to_text, lines, events, parser, emit)
        finally:
            # Closed here, not left half-read to the event loop's async-generator finaliser.
            await chunks.aclose()

    async def _read_trailing(
        self,
        chunks: AsyncIterator[bytes],
        to_text: _ToText,
        lines: SSELineDecoder,
        events: SSEDecoder,
        parser: StreamParser,
        emit: Emit,
    ) -> None:
        """The parser is finished: each further event is waited for ``finish_grace`` at most;
        after an end marker, the rest of the body is dropped under the same deadline."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(loop.time() + self.finish_grace) as grace:
                async for chunk in chunks:
                    text = to_text(chunk)
                    if not text:
                        continue
                    state = self._take(lines.decode(text), events, parser, emit)
                    if state is _ENDED:
                        # No second timer: the one armed already bounds the drain too.
                        grace.reschedule(loop.time() + DRAIN_AFTER_END)
                        await _drop_rest(chunks)
                        return
                    if state is _FINISHED:
                        grace.reschedule(loop.time() + self.finish_grace)
                self._finish(to_text, lines, events, parser, emit)
        except TimeoutError:
            if not grace.expired():
                raise

    def _take(
        self, lines: list[str], events: SSEDecoder, parser: StreamParser, emit: Emit
    ) -> object:
        """Feeds one read's complete lines: ``_ENDED`` at an end marker (the rest is
        dropped), ``_FINISHED`` if an event came while the parser was finished."""
        state = _READING
        decode, feed, streamed = events.decode, parser.feed, self.streamed
        # Text pieces of one kind in a row, published joined (see the class docstring).
        run_kind: type | None = None
        head: Any = None
        run: list[str] = []
        try:
            for line in lines:
                sse = decode(line)
                if sse is None:
                    continue
                published = feed(sse.event, sse.data)
                if published:
                    if not streamed:
                        streamed = self.streamed = any(_is_content(event) for event in published)
                    for event in published:
                        kind = type(event)
                        if kind is run_kind:
                            run.append(event.text)
                            continue
                        if run_kind is not None:
                            emit(head if len(run) == 1 else run_kind("".join(run)))
                        if kind in _TEXT_PIECES:
                            run_kind, head, run = kind, event, [event.text]
                        else:
                            run_kind = None
                            emit(event)
                # Ended implies finished: one property read per event, not two.
                if parser.finished:
                    if parser.ended:
                        return _ENDED
                    state = _FINISHED
            return state
        finally:
            # Also when the parser raises: what came before the error was published.
            if run_kind is not None:
                emit(head if len(run) == 1 else run_kind("".join(run)))

    def _finish(
        self,
        to_text: _ToText,
        lines: SSELineDecoder,
        events: SSEDecoder,
        parser: StreamParser,
        emit: Emit,
    ) -> None:
        """The body has ended: what the text decoder and the line decoder still hold."""
        tail = to_text(b"", True)
        if tail and self._take(lines.decode(tail), events, parser, emit) is _ENDED:
            return
        self._take(lines.flush(), events, parser, emit)


_TEXT_PIECES = frozenset({TextDelta, ReasoningDelta, RefusalDelta})
# How long the rest of a body is read after its end marker (``_drain``).
DRAIN_AFTER_END = 0.25

# What ``EventReader._take`` reports about one read.
_READING, _FINISHED, _ENDED = object(), object(), object()

_ToText = Callable[..., str]
_UTF8 = codecs.getincrementaldecoder("utf-8")


async def _drain(chunks: AsyncIterator[bytes]) -> None:
    """The rest of a body after its end marker ([DONE], message_stop, an in-band error),
    read and dropped for ``DRAIN_AFTER_END`` seconds at most.

    httpx puts a connection back in its pool only once the body has been read to
    its end; closed before, the connection is closed, and the next request connects
    again (TLS handshake included). Servers end the body right after the marker.
    """
    try:
        async with asyncio.timeout(DRAIN_AFTER_END):
            await _drop_rest(chunks)
    except TimeoutError:
        pass


async def _drop_rest(chunks: AsyncIterator[bytes]) -> None:
    """Reads the body to its end; a failure now loses nothing."""
    try:
        async for _ in chunks:
            pass
    except httpx.TransportError:
        pass


def _body(response: httpx.Response) -> AsyncGenerator[bytes, None]:
    """The body as ``aiter_bytes()`` gives it, closable as one async generator.

    Without a Content-Encoding, ``aiter_bytes()`` is ``aiter_raw()`` through an
    identity decoder in one more async generator, which ``aclose()`` would not
    close (the event loop's finaliser would, later, at the cost of a task).
    A response already read (``is_stream_consumed``) is replayed by ``aiter_bytes()``.
    Both are async generators, though httpx declares them as async iterators.
    """
    if response.is_stream_consumed or "content-encoding" in response.headers:
        return cast(AsyncGenerator[bytes, None], response.aiter_bytes())
    return cast(AsyncGenerator[bytes, None], response.aiter_raw())


def _text_decoder(response: httpx.Response, content_type: str) -> _ToText:
    """What ``aiter_text()`` decodes with: ``response.encoding``, errors replaced.

    ``response.encoding`` parses the header with ``email.message`` (a few µs, a
    tenth of a short stream's reading), so the two usual headers are read here:
    no parameters (the client's default encoding, when it is a name) and
    ``charset=utf-8``. Anything else asks ``response.encoding``.
    """
    parameters = content_type.partition(";")[2].strip().lower()
    if parameters == "charset=utf-8":
        encoding: str | None = "utf-8"
    else:
        default = response.default_encoding
        encoding = response.encoding if parameters or not isinstance(default, str) else default
    if encoding is None or encoding.lower() in ("utf-8", "utf8"):
        return _UTF8(errors="replace").decode
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode


async def _error_body(response: httpx.Response) -> bytes:
    """The start of a body that is not a stream: enough for the server's message."""
    body = b""
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > _MAX_ERROR_BODY:
            break
    return body


def is_event_stream(response: httpx.Response) -> bool:
    """The check ``aiter_sse()`` makes first: a Content-Type naming an event stream."""
    return "text/event-stream" in response.headers.get("content-type", "").partition(";")[0]


def _host_unknown(exc: httpx.TransportError) -> bool:
    """The resolver says the host name does not exist: most often a typo in the base URL,
    which the message then points at. Still retried: macOS answers the same while the
    machine is offline, and the retries show the message at once."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return cause.errno == socket.EAI_NONAME
        cause = cause.__cause__ or cause.__context__
    return False


def _require_event_stream(response: httpx.Response) -> str:
    """``is_event_stream``, with ``aiter_sse()``'s error, for a reader given a response
    directly (``Transport`` answers a response that is no stream before it reads).

    Returns the whole Content-Type header."""
    header: str = response.headers.get("content-type", "")
    if not is_event_stream(response):
        content_type = header.partition(";")[0]
        raise SSEError(
            "Expected response header Content-Type to contain 'text/event-stream', "
            f"got {content_type!r}"
        )
    return header


def _is_content(event: Any) -> bool:
    return event.type in _CONTENT_EVENTS or isinstance(event, ToolCallStarted)


class _Retryable(Exception):
    def __init__(self, error: ProviderError, headers: httpx.Headers | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.headers = headers


def _host(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except Exception:
        return url
    return f"{parsed.host}:{parsed.port}" if parsed.port else parsed.host


# Header and URL-parameter values shown as they are in the debug log; every other
# value is "[redacted]" (auth headers, api-key, ?key=, a user's own token headers).
_PLAIN_HEADERS = frozenset(
    {"accept", "content-type", "anthropic-version", "anthropic-beta", "user-agent"}
)
_PLAIN_PARAMS = frozenset({"alt", "api-version"})
_REDACTED = "[redacted]"


def _log_request(request: HttpRequest) -> None:
    """Logs a request at debug level: URL, headers and JSON body, with secrets redacted.

    ASCII-only JSON, so model text in the body cannot drive a terminal showing the log."""
    headers = {
        name: value if name.lower() in _PLAIN_HEADERS else _REDACTED
        for name, value in request.headers.items()
    }
    try:
        body = json.dumps(request.body)
    except (TypeError, ValueError) as exc:
        body = f"<not JSON: {exc}>"
    log.debug(
        "POST %s headers=%s body=%s",
        redact(_loggable_url(request.url), request.secrets),
        redact(json.dumps(headers), request.secrets),
        redact(body, request.secrets),
    )


def _loggable_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    authority, slash, tail = rest.partition("/")
    if sep and "@" in authority:  # user:password@host: a secret too
        url = f"{scheme}://{_REDACTED}@{authority.rsplit('@', 1)[1]}{slash}{tail}"
    path, mark, _query = url.partition("?")
    if not mark:
        return ascii(url)[1:-1]
    try:
        params = httpx.URL(url).params.multi_items()
    except Exception:
        return ascii(path)[1:-1] + "?" + _REDACTED
    shown = "&".join(
        f"{name}={value if name.lower() in _PLAIN_PARAMS else _REDACTED}" for name, value in params
    )
    return ascii(path + "?" + shown)[1:-1]


# Errors that no retry can cure: the URL or a header is wrong. UnicodeEncodeError is
# httpx refusing a header value that is not ASCII (a key pasted with a smart quote), or
# a body holding a lone surrogate.
_NEVER_SUCCEEDS = (
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
    httpx.LocalProtocolError,
    UnicodeEncodeError,
)


def _unsendable_message(request: HttpRequest, exc: Exception) -> str:
    """Why the request cannot be sent, never quoting a header's value (it may be a key)."""
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        detail = redact(_short(exc), request.secrets)
        return f"cannot send the request: the URL is not valid ({detail}); check the base URL"
    if _body_unsendable(request, exc):
        return (
            f"cannot send the request to {_host(request.url)}: its text holds a character "
            f"that cannot be encoded as UTF-8 ({_short(exc)})"
        )
    names = [name for name, value in request.headers.items() if not _sendable(value)]
    which = f"header {', '.join(names)}" if names else "a header"
    return (
        f"cannot send the request to {_host(request.url)}: {which} holds a line break, "
        "a control character or a non-ASCII character; check the API key and headers"
    )


def _body_unsendable(request: HttpRequest, exc: Exception) -> bool:
    """A UnicodeEncodeError from the body (a lone surrogate), not from a header."""
    return isinstance(exc, UnicodeEncodeError) and all(
        _sendable(value) for value in request.headers.values()
    )


def _sendable(value: str) -> bool:
    return value.isascii() and all(c == "\t" or " " <= c <= "~" for c in value)


def _connection_message(request: HttpRequest, exc: httpx.TransportError) -> str:
    host = _host(request.url)
    if isinstance(exc, httpx.ConnectError):
        if _host_unknown(exc):
            return f"could not connect to {host}: no such host (check the base URL)"
        return f"could not connect to {host}: {_short(exc) or 'connection refused'}"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return f"the connection to {host} was cut: {_short(exc) or 'incomplete response'}"
    return f"network error talking to {host}: {_short(exc) or type(exc).__name__}"


def _short(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]
