"""Usage merge and normalisation per dialect (docs/usage-mapping.md)."""

from __future__ import annotations

from llmx_tui.core.events import Usage
from llmx_tui.providers.usage import (
    anthropic_merger,
    gemini_merger,
    normalise_anthropic,
    normalise_gemini,
    normalise_openai,
    openai_counts,
    openai_merger,
)


def test_openai_mapping() -> None:
    wire = {
        "prompt_tokens": 339,
        "completion_tokens": 83,
        "total_tokens": 422,
        "prompt_tokens_details": {"cached_tokens": 320},
        "completion_tokens_details": {"reasoning_tokens": 39},
    }
    assert normalise_openai(openai_counts(wire)) == Usage(
        input_tokens=339, cached_input_tokens=320, output_tokens=83, reasoning_tokens=39
    )


def test_deepseek_cache_hit_is_the_cached_fallback() -> None:
    wire = {"prompt_tokens": 10, "completion_tokens": 2, "prompt_cache_hit_tokens": 8}
    assert normalise_openai(openai_counts(wire)).cached_input_tokens == 8
    both = {**wire, "prompt_tokens_details": {"cached_tokens": 6}}
    assert normalise_openai(openai_counts(both)).cached_input_tokens == 6


def test_xai_reasoning_outside_completion_is_added_to_output() -> None:
    xai = {
        "prompt_tokens": 307,
        "completion_tokens": 26,
        "total_tokens": 560,
        "completion_tokens_details": {"reasoning_tokens": 227},
    }
    assert normalise_openai(openai_counts(xai)).output_tokens == 253
    # Everyone else counts reasoning inside completion_tokens already.
    inside = {**xai, "completion_tokens": 253, "total_tokens": 560}
    assert normalise_openai(openai_counts(inside)).output_tokens == 253
    no_total = {k: v for k, v in xai.items() if k != "total_tokens"}
    assert normalise_openai(openai_counts(no_total)).output_tokens == 26


def test_later_null_or_missing_fields_never_erase_but_values_replace() -> None:
    merger = openai_merger()
    assert merger.merge({"prompt_tokens": 5, "prompt_tokens_details": {"cached_tokens": 2}})
    assert merger.merge({"prompt_tokens": None, "completion_tokens": 1}) == Usage(
        input_tokens=5, cached_input_tokens=2, output_tokens=1
    )
    assert merger.merge({"prompt_tokens_details": None}) is None  # nothing changed
    assert merger.merge({"prompt_tokens_details": {"cached_tokens": 0}}) == Usage(
        input_tokens=5, cached_input_tokens=0, output_tokens=1
    )
    assert merger.merge(None) is None and merger.merge("junk") is None


def test_non_integer_counts_are_ignored() -> None:
    merger = openai_merger()
    merger.merge({"prompt_tokens": "12", "completion_tokens": True, "total_tokens": -1})
    assert not merger.seen
    merger.merge({"prompt_tokens": 12.0})
    assert merger.usage.input_tokens == 12


def test_anthropic_input_includes_cache_reads_and_writes() -> None:
    raw = {
        "input_tokens": 4,
        "cache_read_input_tokens": 100,
        "cache_creation_input_tokens": 20,
        "output_tokens": 9,
    }
    assert normalise_anthropic(raw) == Usage(
        input_tokens=124, cached_input_tokens=100, output_tokens=9, reasoning_tokens=None
    )
    assert normalise_anthropic({"output_tokens": 3}).input_tokens is None


def test_anthropic_message_delta_overrides_message_start() -> None:
    merger = anthropic_merger()
    merger.merge({"input_tokens": 100, "cache_read_input_tokens": 55096, "output_tokens": 7})
    merger.merge({"input_tokens": 181, "cache_read_input_tokens": 0, "output_tokens": 8})
    assert merger.usage == Usage(input_tokens=181, cached_input_tokens=0, output_tokens=8)


def test_gemini_output_includes_thoughts() -> None:
    raw = {
        "promptTokenCount": 34,
        "candidatesTokenCount": 469,
        "thoughtsTokenCount": 787,
        "cachedContentTokenCount": 30,
    }
    assert normalise_gemini(raw) == Usage(
        input_tokens=34, cached_input_tokens=30, output_tokens=1256, reasoning_tokens=787
    )
    assert normalise_gemini({"promptTokenCount": 1}).output_tokens is None


def test_gemini_metadata_without_counts_is_not_usage() -> None:
    merger = gemini_merger()
    assert merger.merge({"trafficType": "ON_DEMAND"}) is None
    assert not merger.seen
    merger.merge({"promptTokenCount": 15, "candidatesTokenCount": 1})
    merger.merge({"promptTokenCount": 13, "candidatesTokenCount": 8})
    assert merger.usage == Usage(input_tokens=13, output_tokens=8)
