"""fuzzy_match: subsequence matching with a score that ranks tight matches first."""

from __future__ import annotations

from llmx_tui.ui.dialogs.fuzzy import fuzzy_filter, fuzzy_match


def test_subsequence_in_order_matches_case_insensitively() -> None:
    assert fuzzy_match("gpt", "GPT-4o") is not None
    assert fuzzy_match("g4o", "gpt-4o") is not None
    assert fuzzy_match("o4g", "gpt-4o") is None
    assert fuzzy_match("gptx", "gpt-4o") is None


def test_empty_query_matches_everything() -> None:
    assert fuzzy_match("", "anything") == 0.0
    assert fuzzy_match("", "") == 0.0


def test_tight_and_early_matches_rank_higher() -> None:
    exact = fuzzy_match("sonnet", "sonnet")
    prefix = fuzzy_match("sonnet", "sonnet-4-5")
    inside = fuzzy_match("sonnet", "claude-sonnet-4-5")
    scattered = fuzzy_match("sonnet", "s-o-n-n-e-t")
    assert exact is not None and prefix is not None and inside is not None
    assert scattered is not None
    assert exact > prefix > inside > scattered


def test_word_starts_beat_mid_word_hits() -> None:
    word_start = fuzzy_match("fl", "gemini-flash")
    mid_word = fuzzy_match("fl", "gemini-inflate")
    assert word_start is not None and mid_word is not None
    assert word_start > mid_word


def test_tightening_finds_the_compact_placement() -> None:
    # Leftmost placement would take the first "a" and leave a big gap.
    assert fuzzy_match("ab", "a------ab") == fuzzy_match("ab", "x------ab")


def test_filter_orders_best_first_and_drops_misses() -> None:
    models = ["gpt-3.5-turbo-0125-preview-4", "gpt-4o", "claude", "gpt-4o-mini"]
    assert fuzzy_filter("gpt4", models, key=str) == [
        "gpt-4o",
        "gpt-4o-mini",
        "gpt-3.5-turbo-0125-preview-4",
    ]
    assert fuzzy_filter("", models, key=str) == models
