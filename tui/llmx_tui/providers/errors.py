"""Provider failures as one clear line, whatever the server sent."""

from __future__ import annotations

import json
import re
from html import unescape

ErrorKind = str  # "http", "connection", "timeout", "in_band", "config"

_MAX_MESSAGE = 300


class ProviderError(Exception):
    """A step that failed; ``message`` is one line fit for a user."""

    def __init__(self, kind: ErrorKind, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status


def message_from_body(body: bytes, content_type: str = "") -> str:
    """The provider's own message from an error body: JSON in any common shape, HTML, or text."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is not None:
        found = _message_from_json(data)
        if found:
            return _one_line(found)
    if "html" in content_type.lower() or text.lstrip().lower().startswith(("<!doctype", "<html")):
        return _one_line(_text_of_html(text))
    return _one_line(text)


def _message_from_json(data: object) -> str | None:
    if isinstance(data, list) and data:
        return _message_from_json(data[0])
    if isinstance(data, str):
        return data
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict):
        inner = _message_from_json(error)
        if inner:
            return inner
    elif isinstance(error, str) and error:
        message = data.get("message")
        return f"{error}: {message}" if isinstance(message, str) and message else error
    for key in ("message", "detail", "error_description", "msg"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list | dict):
            nested = _message_from_json(value)
            if nested:
                return nested
    return None


def _text_of_html(html: str) -> str:
    title = re.search(r"<title[^>]*>(.*?)</title>", html, re.I | re.S)
    if title and title.group(1).strip():
        return unescape(title.group(1))
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.I | re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 1] + "…"


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """Remove secrets a server may echo back (some quote part of a bad key)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text
