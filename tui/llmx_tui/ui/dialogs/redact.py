"""Hide secrets in a request before it is shown: secret-named keys and key-shaped strings.

Pure functions over JSON-like data; the original payload is never modified.

A configured key is hidden everywhere it occurs when it is long enough to be a real
secret. A short one (under ``EMBEDDED_MIN`` characters, such as ``k``) and the dummy
keys local servers suggest (``ollama``, ``EMPTY``, ``lm-studio``...) are hidden only
where they stand as a whole value: a string equal to them, or the credential of an
``Authorization``-style value (``Bearer ollama``). Hidden everywhere, ``k`` turned
"thinktool" into "thin«redacted»tool" and ``ollama`` blanked every mention of Ollama.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

REDACTED = "«redacted»"

_SECRET_KEYS = frozenset(
    {
        "api_key",
        "apikey",
        "authorization",
        "proxy_authorization",
        "x_api_key",
        "x_goog_api_key",
        "access_token",
        "refresh_token",
        "client_secret",
        "secret",
        "password",
        "bearer",
        "key",
    }
)
# Shapes of provider keys and bearer credentials inside free text.
_KEY_SHAPES = re.compile(
    r"(?:Bearer\s+)[A-Za-z0-9._~+/=-]{8,}"
    r"|\bsk-[A-Za-z0-9_-]{16,}"
    r"|\bAIza[0-9A-Za-z_-]{30,}"
    r"|\bgsk_[A-Za-z0-9]{20,}"
    r"|\bxai-[A-Za-z0-9]{20,}"
)
# A secret shorter than this is too short to be worth hiding inside other words.
EMBEDDED_MIN = 8
# Keys local servers tell their users to set: not secrets, and words in their own right.
_PLACEHOLDER_KEYS = frozenset(
    {"ollama", "empty", "lm-studio", "sk-no-key-required", "none", "dummy", "not-needed"}
)
_SCHEME = re.compile(r"(\s*(?:Bearer|Basic|Token|Key)\s+)(.*?)(\s*)", re.I | re.S)
_URL_PART = re.compile(r"[^/?&=#@:;]+")  # path segments, parameter names and values
_URL_SECRET_PARAMS = re.compile(r"([?&](?:key|api_key|apikey|access_token)=)[^&#]*", re.I)


def is_secret_key(name: str) -> bool:
    return name.lower().replace("-", "_") in _SECRET_KEYS


def _whole_value_only(secret: str) -> bool:
    return len(secret) < EMBEDDED_MIN or secret.lower() in _PLACEHOLDER_KEYS


def _redact_whole(text: str, secret: str) -> str:
    """``text`` with ``secret`` hidden where it is the whole value or its credential."""
    if text.strip() == secret:
        return REDACTED
    scheme = _SCHEME.fullmatch(text)
    if scheme and scheme.group(2) == secret:
        return scheme.group(1) + REDACTED + scheme.group(3)
    return text


def redact_text(text: str, secrets: Sequence[str] = ()) -> str:
    for secret in secrets:
        if not secret:
            continue
        if _whole_value_only(secret):
            text = _redact_whole(text, secret)
        else:
            text = text.replace(secret, REDACTED)
    return _KEY_SHAPES.sub(REDACTED, text)


def redact_url(url: str, secrets: Sequence[str] = ()) -> str:
    url = _URL_SECRET_PARAMS.sub(lambda m: m.group(1) + REDACTED, url)
    # A short real key (not a placeholder) is a whole part of a URL wherever it is in one:
    # a parameter's value, a path segment, the user or password.
    short = {
        s for s in secrets if s and len(s) < EMBEDDED_MIN and s.lower() not in _PLACEHOLDER_KEYS
    }
    if short:
        url = _URL_PART.sub(lambda m: REDACTED if m.group() in short else m.group(), url)
    return redact_text(url, secrets)


def redact(value: Any, secrets: Sequence[str] = ()) -> Any:
    """A copy of ``value`` with secret-named entries and key-shaped strings replaced."""
    if isinstance(value, dict):
        return {
            key: REDACTED
            if is_secret_key(str(key)) and isinstance(item, str | int) and item != ""
            else redact(item, secrets)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact(item, secrets) for item in value]
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value
