"""The usage merge's shortcuts change nothing: same result as the plain field-by-field merge.

``UsageMerger.merge`` skips an object equal to the one just merged, skips counts
already held, and compares usages by their fields instead of pydantic's
``__eq__``; the extraction reads flat keys in one loop. ``ReferenceMerger`` below
is the merge as it was written before those shortcuts; both are fed the same
generated sequences of wire objects and must agree after every one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmx_tui.core.events import TextDelta, Usage
from llmx_tui.providers import usage as usage_module
from llmx_tui.providers.gemini.parse import GeminiParser
from llmx_tui.providers.stream_state import StreamState
from llmx_tui.providers.usage import NO_USAGE, UsageMerger, same_usage


def _count(value: Any) -> int | None:
    if type(value) is int and value >= 0:
        return value
    if type(value) is float and value.is_integer() and value >= 0:
        return int(value)
    return None


def _pick(source: Any, key: str, into: dict[str, int]) -> None:
    if isinstance(source, dict):
        value = _count(source.get(key))
        if value is not None:
            into[key] = value


def reference_counts(dialect: str, wire: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    if dialect == "openai":
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            _pick(wire, key, counts)
        _pick(wire, "prompt_cache_hit_tokens", counts)
        _pick(wire.get("prompt_tokens_details"), "cached_tokens", counts)
        _pick(wire.get("completion_tokens_details"), "reasoning_tokens", counts)
    elif dialect == "anthropic":
        for key in (
            "input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
        ):
            _pick(wire, key, counts)
    else:
        for key in (
            "promptTokenCount",
            "candidatesTokenCount",
            "cachedContentTokenCount",
            "thoughtsTokenCount",
            "totalTokenCount",
        ):
            _pick(wire, key, counts)
    return counts


class ReferenceMerger:
    def __init__(self, dialect: str, normalise: Callable[[dict[str, int]], Usage]) -> None:
        self.dialect = dialect
        self.normalise = normalise
        self.raw: dict[str, int] = {}
        self.usage: Usage | None = None

    def merge(self, wire: Any) -> Usage | None:
        if not isinstance(wire, dict):
            return None
        changed = False
        for key, value in reference_counts(self.dialect, wire).items():
            if self.raw.get(key) != value:
                self.raw[key] = value
                changed = True
        if not changed:
            return None
        usage = self.normalise(self.raw)
        if usage == self.usage:
            return None
        self.usage = usage
        return usage


MERGERS = {
    "openai": (usage_module.openai_merger, usage_module.normalise_openai),
    "anthropic": (usage_module.anthropic_merger, usage_module.normalise_anthropic),
    "gemini": (usage_module.gemini_merger, usage_module.normalise_gemini),
}
KEYS = {
    "openai": ["prompt_tokens", "completion_tokens", "total_tokens", "prompt_cache_hit_tokens"],
    "anthropic": [
        "input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "cache_creation_input_tokens",
    ],
    "gemini": [
        "promptTokenCount",
        "candidatesTokenCount",
        "cachedContentTokenCount",
        "thoughtsTokenCount",
        "totalTokenCount",
    ],
}
_value = st.one_of(
    st.integers(-2, 6),
    st.sampled_from([None, True, False, 3.0, 2.5, -1.0, "4", float("nan")]),
)


def wire_objects(dialect: str) -> st.SearchStrategy[Any]:
    keys = st.sampled_from([*KEYS[dialect], "trafficType", "serviceTier"])
    flat = st.dictionaries(keys, _value, max_size=4)
    if dialect == "openai":
        details = st.one_of(
            st.none(),
            st.dictionaries(st.sampled_from(["cached_tokens", "reasoning_tokens"]), _value),
        )
        flat = st.builds(
            lambda base, prompt, completion: {
                **base,
                "prompt_tokens_details": prompt,
                "completion_tokens_details": completion,
            },
            flat,
            details,
            details,
        )
    return st.one_of(flat, st.none(), st.just("junk"), st.just([]))


def sequences(dialect: str) -> st.SearchStrategy[list[Any]]:
    # Resending the previous object as is (as some hosts do) is drawn often on purpose.
    return st.lists(wire_objects(dialect), max_size=8).flatmap(
        lambda objects: st.lists(st.sampled_from(objects), max_size=12) if objects else st.just([])
    )


def check_same(dialect: str, objects: list[Any]) -> None:
    make, normalise = MERGERS[dialect]
    merger, reference = make(), ReferenceMerger(dialect, normalise)
    state, reference_published = StreamState(), []
    published: list[Any] = []
    for wire in objects:
        got, expected = merger.merge(wire), reference.merge(wire)
        assert got == expected, (dialect, wire)
        state.set_usage(got, published)
        if expected is not None and expected != (reference_published or [Usage()])[-1]:
            reference_published.append(expected)
        assert merger.raw == reference.raw
        assert merger.seen == bool(reference.raw)
        assert merger.usage == (reference.usage or Usage())
    assert published == reference_published


@pytest.mark.parametrize("dialect", sorted(MERGERS))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_merge_agrees_with_the_plain_field_by_field_merge(dialect: str, data: Any) -> None:
    check_same(dialect, data.draw(sequences(dialect)))


def test_gemini_usage_is_published_once_the_response_finishes_then_on_each_change() -> None:
    """Gemini resends its usage, grown, on every chunk: only the finished response's is
    published (one usage line in headless output, not one per chunk)."""
    parser = GeminiParser()
    chunk = (
        '{"candidates":[{"content":{"parts":[{"text":"%s"}]},"index":0%s}],'
        '"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":%d}}'
    )
    streaming = [parser.feed("message", chunk % (text, "", n)) for text, n in [("a", 1), ("b", 2)]]
    assert all(not isinstance(event, Usage) for events in streaming for event in events)
    assert parser.outcome().usage == Usage(input_tokens=5, output_tokens=2)  # held, not lost
    last = parser.feed("message", chunk % ("c", ',"finishReason":"STOP"', 3))
    again = parser.feed("message", chunk % ("", "", 3))
    later = parser.feed("message", chunk % ("", "", 4))
    assert last == [TextDelta("c"), Usage(input_tokens=5, output_tokens=3)]
    assert all(not isinstance(event, Usage) for event in again)
    assert later == [Usage(input_tokens=5, output_tokens=4)]
    assert parser.outcome().usage == Usage(input_tokens=5, output_tokens=4)


def test_gemini_usage_held_at_an_in_band_error_is_published_with_it() -> None:
    parser = GeminiParser()
    parser.feed("message", '{"candidates":[],"usageMetadata":{"promptTokenCount":7}}')
    events = parser.feed("message", '{"error":{"message":"overloaded"}}')
    assert events == [Usage(input_tokens=7)] and parser.ended
    assert parser.outcome().error == "overloaded"


def test_same_usage_is_usage_equality() -> None:
    values = [None, 0, 1, 7]
    usages = [
        Usage(input_tokens=a, cached_input_tokens=b, output_tokens=c, reasoning_tokens=d)
        for a in values[:3]
        for b in values[1:3]
        for c in values
        for d in values[::3]
    ]
    for first in usages:
        for second in usages:
            assert same_usage(first, second) == (first == second)
    assert same_usage(NO_USAGE, Usage()) and Usage() == NO_USAGE


def test_an_empty_merger_reports_no_usage() -> None:
    merger: UsageMerger = usage_module.gemini_merger()
    assert merger.usage == Usage() and not merger.seen
    assert StreamState().outcome().usage == Usage()
