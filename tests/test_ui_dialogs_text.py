"""Titles, snippets and other one-line cells get the conversation's neutralising rule."""

from __future__ import annotations

from llmx_tui.ui.dialogs.text import one_line, plain

# A run of variation selectors after an emoji: invisible bytes a model could read.
SMUGGLED = "\U0001f600\ufe0f\ufe0e\U000e0101"


def test_a_title_with_a_variation_selector_run_shows_it_as_stand_ins() -> None:
    assert one_line(f"plan {SMUGGLED} done") == "plan \U0001f600<U+FE0F><U+FE0E><U+E0101> done"


def test_a_lone_emoji_presentation_selector_in_a_title_is_kept() -> None:
    assert one_line("ok \u2764\ufe0f 1\ufe0f\u20e3") == "ok \u2764\ufe0f 1\ufe0f\u20e3"


def test_plain_text_shows_selector_runs_and_keeps_its_lines() -> None:
    assert plain(f"a\r\n{SMUGGLED}\tb") == "a\n\U0001f600<U+FE0F><U+FE0E><U+E0101>\tb"


def test_one_line_still_flattens_and_cuts() -> None:
    assert one_line("a\n\tb \x1b[2J", 6) == "a b ␛…"
    assert one_line("", empty="—") == "—"
