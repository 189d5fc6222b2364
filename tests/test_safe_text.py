"""What the app, headless mode and the sessions CLI show of text that would reorder or
hide itself on a terminal."""

from __future__ import annotations

import sys
import unicodedata

from llmx_tui.core.safe_text import HIDDEN_FORMAT, neutralise
from llmx_tui.headless import neutralise as headless_neutralise

JOINERS = "\u200c\u200d"  # join letters and emoji; never hidden


def test_every_format_character_but_the_joiners_is_hidden() -> None:
    format_characters = {
        chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"
    }
    assert format_characters - HIDDEN_FORMAT == set(JOINERS)
    # Nothing else: the few not format characters here are unassigned in this Python's
    # Unicode data (format characters of a later Unicode version).
    assert {unicodedata.category(c) for c in HIDDEN_FORMAT - format_characters} <= {"Cn"}


def test_tag_characters_and_bidi_marks_show_in_the_app_and_headless() -> None:
    # "hi" followed by the tag characters spelling "ignore" (invisible on screen, read by
    # a model), a right-to-left mark and a zero-width space.
    smuggled = "hi" + "".join(chr(0xE0000 + ord(c)) for c in "ignore") + "\u200f\u200b"
    for shown in (neutralise(smuggled), headless_neutralise(smuggled)):
        assert shown.startswith("hi<U+E0069><U+E0067>")
        assert shown.endswith("<U+200F><U+200B>")
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert neutralise(family) == headless_neutralise(family) == family
    assert headless_neutralise("\x1b[31mred\x1b[0m \u202eevil") == "red <U+202E>evil"


def test_titles_in_the_session_browser_show_what_would_reorder_or_hide_them() -> None:
    from llmx_tui.store.models import SessionInfo
    from llmx_tui.ui.dialogs.session_rows import session_rows
    from llmx_tui.ui.dialogs.text import one_line

    title = "title \u202eevil\u200b \U000e0041x \x1b[2J\x85"
    assert one_line(title) == "title <U+202E>evil<U+200B> <U+E0041>x ␛[2J"
    info = SessionInfo(
        id="s1",
        title=title,
        created=0.0,
        updated=0.0,
        provider=None,
        model=None,
        system_prompt=None,
        demo=False,
        input_tokens=0,
        cached_input_tokens=0,
        output_tokens=0,
        reasoning_tokens=0,
        item_count=2,
    )
    [row] = session_rows([info], "")
    assert row.cells[0].plain.startswith("title <U+202E>evil<U+200B> <U+E0041>x")


def test_headless_removes_c1_controls_as_well() -> None:
    """Some terminals act on C1 controls sent as UTF-8 (OSC as U+009D, ST as U+009C)."""
    assert headless_neutralise("a\x9d0;title\x9cb\x9bc") == "a0;titlebc"
