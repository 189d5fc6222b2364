"""One place that knows, per dialect: URL, headers, payload builder, stream parser."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from llmx_tui.core.items import Item
from llmx_tui.providers.base import Dialect, ReportEntry, RequestSettings, StreamParser

BuildPayload = Callable[[Sequence[Item], RequestSettings], tuple[dict[str, Any], list[ReportEntry]]]

ANTHROPIC_VERSION = "2023-06-01"


@dataclass(frozen=True)
class DialectAdapter:
    name: Dialect
    build_payload: BuildPayload
    make_parser: Callable[[RequestSettings], StreamParser]
    url: Callable[[str, str], str]
    headers: Callable[[str | None], dict[str, str]]


def _join(base: str, suffix: str, already: str) -> str:
    """``base`` + ``suffix``, without doubling a version segment the user typed."""
    base = base.rstrip("/")
    if base.endswith(already):
        base = base[: -len(already)]
    return base + suffix


def _openai_url(base: str, model: str) -> str:
    return base.rstrip("/") + "/chat/completions"


def _anthropic_url(base: str, model: str) -> str:
    return _join(base, "/v1/messages", "/v1")


def _gemini_url(base: str, model: str) -> str:
    return _join(base, f"/v1beta/models/{model}:streamGenerateContent?alt=sse", "/v1beta")


def _openai_headers(key: str | None) -> dict[str, str]:
    headers = {"accept": "text/event-stream"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    return headers


def _anthropic_headers(key: str | None) -> dict[str, str]:
    headers = {"accept": "text/event-stream", "anthropic-version": ANTHROPIC_VERSION}
    if key:
        headers["x-api-key"] = key
    return headers


def _gemini_headers(key: str | None) -> dict[str, str]:
    headers = {"accept": "text/event-stream"}
    if key:
        headers["x-goog-api-key"] = key
    return headers


def get_dialect(name: Dialect) -> DialectAdapter:
    # Imported here so that importing the registry stays cheap at startup.
    if name == "openai-chat":
        from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
        from llmx_tui.providers.openai_chat.payload import build_payload

        return DialectAdapter(
            name,
            build_payload,
            lambda s: OpenAIChatParser(usage_requested=s.include_usage),
            _openai_url,
            _openai_headers,
        )
    if name == "anthropic":
        from llmx_tui.providers.anthropic.parse import AnthropicParser
        from llmx_tui.providers.anthropic.payload import build_payload as build_anthropic

        return DialectAdapter(
            name, build_anthropic, lambda s: AnthropicParser(), _anthropic_url, _anthropic_headers
        )
    if name == "gemini":
        from llmx_tui.providers.gemini.parse import GeminiParser
        from llmx_tui.providers.gemini.payload import build_payload as build_gemini

        return DialectAdapter(
            name, build_gemini, lambda s: GeminiParser(), _gemini_url, _gemini_headers
        )
    raise ValueError(f"unknown dialect {name!r}")
