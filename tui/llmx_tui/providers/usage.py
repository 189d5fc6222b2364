"""Token usage per dialect: merge the raw counts field by field, then normalise.

Normalised meaning (see docs/usage-mapping.md): ``input_tokens`` includes cached
input, ``output_tokens`` includes reasoning, ``None`` means "not reported".

Providers resend usage in several shapes (cumulative on every chunk, once at
the end, a partial object overridden later), so each raw field is merged on its
own: a later non-null value replaces the earlier one, a later null or missing
field never erases it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmx_tui.core.events import Usage

RawCounts = dict[str, int]


def _count(value: Any) -> int | None:
    """A token count, or None for anything that is not a plain non-negative integer."""
    if type(value) is int and value >= 0:
        return value
    if type(value) is float and value.is_integer() and value >= 0:
        return int(value)
    return None


def _pick(source: Any, key: str, into: RawCounts, name: str | None = None) -> None:
    if isinstance(source, dict):
        value = _count(source.get(key))
        if value is not None:
            into[name or key] = value


# --- extraction: wire object -> flat raw counts -------------------------------------------


def openai_counts(usage: dict[str, Any]) -> RawCounts:
    """Chat Completions ``usage`` (also Groq's ``x_groq.usage``)."""
    counts: RawCounts = {}
    _pick(usage, "prompt_tokens", counts)
    _pick(usage, "completion_tokens", counts)
    _pick(usage, "total_tokens", counts)
    _pick(usage, "prompt_cache_hit_tokens", counts)  # DeepSeek
    _pick(usage.get("prompt_tokens_details"), "cached_tokens", counts)
    _pick(usage.get("completion_tokens_details"), "reasoning_tokens", counts)
    return counts


def anthropic_counts(usage: dict[str, Any]) -> RawCounts:
    """Messages ``message_start.message.usage`` or ``message_delta.usage``."""
    counts: RawCounts = {}
    for key in (
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
    ):
        _pick(usage, key, counts)
    return counts


def gemini_counts(usage: dict[str, Any]) -> RawCounts:
    """``usageMetadata``; an object with only ``trafficType`` yields nothing."""
    counts: RawCounts = {}
    for key in (
        "promptTokenCount",
        "candidatesTokenCount",
        "cachedContentTokenCount",
        "thoughtsTokenCount",
        "totalTokenCount",
    ):
        _pick(usage, key, counts)
    return counts


# --- normalisation: raw counts -> Usage ---------------------------------------------------


def normalise_openai(raw: RawCounts) -> Usage:
    prompt = raw.get("prompt_tokens")
    completion = raw.get("completion_tokens")
    reasoning = raw.get("reasoning_tokens")
    cached = raw.get("cached_tokens", raw.get("prompt_cache_hit_tokens"))
    output = completion
    total = raw.get("total_tokens")
    # xAI leaves reasoning out of completion_tokens; its total gives it away.
    if (
        completion is not None
        and prompt is not None
        and reasoning
        and total == prompt + completion + reasoning
    ):
        output = completion + reasoning
    return Usage(
        input_tokens=prompt,
        cached_input_tokens=cached,
        output_tokens=output,
        reasoning_tokens=reasoning,
    )


def normalise_anthropic(raw: RawCounts) -> Usage:
    parts = [
        raw.get(key)
        for key in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
    ]
    present = [part for part in parts if part is not None]
    return Usage(
        input_tokens=sum(present) if present else None,
        cached_input_tokens=raw.get("cache_read_input_tokens"),
        output_tokens=raw.get("output_tokens"),
        reasoning_tokens=None,  # Anthropic does not report thinking tokens separately
    )


def normalise_gemini(raw: RawCounts) -> Usage:
    candidates = raw.get("candidatesTokenCount")
    thoughts = raw.get("thoughtsTokenCount")
    output = (
        None if candidates is None and thoughts is None else (candidates or 0) + (thoughts or 0)
    )
    return Usage(
        input_tokens=raw.get("promptTokenCount"),
        cached_input_tokens=raw.get("cachedContentTokenCount"),
        output_tokens=output,
        reasoning_tokens=thoughts,
    )


class UsageMerger:
    """Running per-field merge of one dialect's raw usage objects."""

    __slots__ = ("_extract", "_normalise", "_raw", "_usage")

    def __init__(
        self,
        extract: Callable[[dict[str, Any]], RawCounts],
        normalise: Callable[[RawCounts], Usage],
    ) -> None:
        self._extract = extract
        self._normalise = normalise
        self._raw: RawCounts = {}
        self._usage: Usage | None = None

    @property
    def seen(self) -> bool:
        """At least one token count has arrived."""
        return bool(self._raw)

    @property
    def raw(self) -> RawCounts:
        return dict(self._raw)

    @property
    def usage(self) -> Usage:
        return self._usage if self._usage is not None else Usage()

    def merge(self, wire: Any) -> Usage | None:
        """Fold one wire usage object in; returns the new normalised usage if it changed."""
        if not isinstance(wire, dict):
            return None
        counts = self._extract(wire)
        changed = False
        for key, value in counts.items():
            if self._raw.get(key) != value:
                self._raw[key] = value
                changed = True
        if not changed:
            return None
        usage = self._normalise(self._raw)
        if usage == self._usage:
            return None
        self._usage = usage
        return usage


def openai_merger() -> UsageMerger:
    return UsageMerger(openai_counts, normalise_openai)


def anthropic_merger() -> UsageMerger:
    return UsageMerger(anthropic_counts, normalise_anthropic)


def gemini_merger() -> UsageMerger:
    return UsageMerger(gemini_counts, normalise_gemini)
