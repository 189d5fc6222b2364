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


def _pick_all(source: dict[str, Any], keys: tuple[str, ...], into: RawCounts) -> None:
    """``_pick`` for each of ``keys`` of one object, in one loop (per chunk for some hosts)."""
    for key in keys:
        value = source.get(key)
        if value is not None:
            if type(value) is not int or value < 0:
                value = _count(value)
                if value is None:
                    continue
            into[key] = value


# --- extraction: wire object -> flat raw counts -------------------------------------------

_OPENAI_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens", "prompt_cache_hit_tokens")
_ANTHROPIC_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
)
_GEMINI_KEYS = (
    "promptTokenCount",
    "candidatesTokenCount",
    "cachedContentTokenCount",
    "thoughtsTokenCount",
    "totalTokenCount",
)


def openai_counts(usage: dict[str, Any]) -> RawCounts:
    """Chat Completions ``usage`` (also Groq's ``x_groq.usage``)."""
    counts: RawCounts = {}
    _pick_all(usage, _OPENAI_KEYS, counts)
    _pick(usage.get("prompt_tokens_details"), "cached_tokens", counts)
    _pick(usage.get("completion_tokens_details"), "reasoning_tokens", counts)
    return counts


def anthropic_counts(usage: dict[str, Any]) -> RawCounts:
    """Messages ``message_start.message.usage`` or ``message_delta.usage``."""
    counts: RawCounts = {}
    _pick_all(usage, _ANTHROPIC_KEYS, counts)
    return counts


def gemini_counts(usage: dict[str, Any]) -> RawCounts:
    """``usageMetadata``; an object with only ``trafficType`` yields nothing."""
    counts: RawCounts = {}
    _pick_all(usage, _GEMINI_KEYS, counts)
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


NO_USAGE = Usage()  # nothing reported yet (frozen, so one instance serves every stream)


def same_usage(first: Usage, second: Usage) -> bool:
    """``first == second`` for two ``Usage`` values, without pydantic's generic ``__eq__``.

    Usage has no private or extra attributes, so its equality is its fields' (a
    per-chunk comparison for hosts that resend usage on every chunk).
    """
    return first.__dict__ == second.__dict__


class UsageMerger:
    """Running per-field merge of one dialect's raw usage objects.

    ``fold`` only records raw counts (hosts resend usage on every chunk); the
    normalised usage is built when it is asked for, and only if a count changed.
    """

    __slots__ = ("_extract", "_last_wire", "_normalise", "_raw", "_stale", "_usage")

    def __init__(
        self,
        extract: Callable[[dict[str, Any]], RawCounts],
        normalise: Callable[[RawCounts], Usage],
    ) -> None:
        self._extract = extract
        self._normalise = normalise
        self._raw: RawCounts = {}
        self._usage: Usage | None = None
        self._stale = False  # raw counts changed since ``_usage`` was built
        self._last_wire: dict[str, Any] | None = None

    @property
    def seen(self) -> bool:
        """At least one token count has arrived."""
        return bool(self._raw)

    @property
    def raw(self) -> RawCounts:
        return dict(self._raw)

    @property
    def usage(self) -> Usage:
        if self._stale:
            self._stale = False
            usage = self._normalise(self._raw)
            if self._usage is None or not same_usage(usage, self._usage):
                self._usage = usage
        return self._usage if self._usage is not None else NO_USAGE

    def fold(self, wire: Any) -> None:
        """Record one wire usage object's counts (a later non-null count replaces)."""
        if not isinstance(wire, dict):
            return
        if wire == self._last_wire:
            return  # the object just folded, resent (some hosts send it on every chunk)
        self._last_wire = wire
        counts = self._extract(wire)
        raw = self._raw
        if counts.items() <= raw.items():
            return  # every count already has that value
        raw.update(counts)
        self._stale = True

    def merge(self, wire: Any) -> Usage | None:
        """Fold one wire usage object in; returns the new normalised usage if it changed."""
        before = self._usage
        self.fold(wire)
        after = self.usage
        return None if after is before or after is NO_USAGE else after


def openai_merger() -> UsageMerger:
    return UsageMerger(openai_counts, normalise_openai)


def anthropic_merger() -> UsageMerger:
    return UsageMerger(anthropic_counts, normalise_anthropic)


class GeminiUsageMerger(UsageMerger):
    """``UsageMerger`` for Gemini, whose counts are all flat keys of ``usageMetadata``:
    Gemini resends its whole usage on every chunk with a count or two grown, so the
    keys are compared in place instead of extracted into a new dict first."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(gemini_counts, normalise_gemini)

    def fold(self, wire: Any) -> None:
        if not isinstance(wire, dict):
            return
        raw = self._raw
        for key in _GEMINI_KEYS:
            value = wire.get(key)
            if value is None or raw.get(key) == value:
                continue  # not reported, or the count already held (3.0 included for 3)
            if type(value) is not int or value < 0:
                value = _count(value)
                if value is None or raw.get(key) == value:
                    continue
            raw[key] = value
            self._stale = True


def gemini_merger() -> GeminiUsageMerger:
    return GeminiUsageMerger()
