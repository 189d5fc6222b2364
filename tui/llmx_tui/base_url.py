"""A provider's base URL is checked where it is given (--base-url, the config), not on the
first request: a URL without ``http://`` would otherwise be retried as a network error."""

from __future__ import annotations

from urllib.parse import urlsplit


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a provider's base URL, or None when it can."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        return f"{url!r} is not a usable URL ({exc})"
    if parts.scheme.lower() in ("http", "https"):
        return None if parts.hostname else f"{url!r} names no host"
    hint = f" (did you mean http://{text}?)" if text and "://" not in text else ""
    return f"{url!r} is not an http:// or https:// URL{hint}"
