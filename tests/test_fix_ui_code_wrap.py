"""A code line too long for the reply goes on below its own indentation, after a dim
mark, rather than at the block's left edge (where wrapped Python looked dedented); and
copying still gives the code's own lines: by mouse selection, F6 and F7."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markdown import Markdown
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Offset
from textual.selection import Selection
from textual.strip import Strip

from llmx_tui.ui.copy_text import copied, copy_row
from llmx_tui.ui.markdown_blocks import render_code
from llmx_tui.ui.rich_markdown import SafeMarkdown
from llmx_tui.ui.widgets.streaming_markdown import StreamingMarkdown
from tests.test_ui_selection import ReplyApp, drag, row_of
from tests.ui_helpers import ScriptedConversation, send_prompt, text_turn, ui_settled, wait_for

pytestmark = pytest.mark.timeout(60)

CODE = (
    "def handler(request, retries=3):\n"
    '    if request.method == "POST" and request.headers.get("type") == "application/json":\n'
    "        return process(request.body, retries=retries, timeout=30, verbose=True)\n"
    "    return None"
)
REPLY = f"Here it is:\n\n```python\n{CODE}\n```\n\nDone.\n"
MARK = "↪"  # markdown_blocks.CONTINUATION_MARK, without its space


def drawn_text(lines: list[list]) -> list[str]:  # type: ignore[type-arg]
    return ["".join(segment.text for segment in line) for line in lines]


def code_rows(width: int, code: str = CODE) -> list[str]:
    console = Console(width=width, color_system="truecolor")
    lines = console.render_lines(SafeMarkdown(f"```python\n{code}\n```\n"), console.options)
    return drawn_text(lines)


def test_wrapped_rows_start_under_the_line_s_indentation_after_a_mark() -> None:
    rows = code_rows(50)
    code = [row[1:].rstrip() for row in rows[1:-1]]  # padding rows and cell aside
    assert code[0] == "def handler(request, retries=3):"
    assert code[1] == '    if request.method == "POST" and'
    continued = [row for row in code if MARK in row]
    assert continued, code  # the long lines did wrap
    for row in continued:
        assert row.startswith("    ")  # never at the block's edge: it stays indented
    # Each wrapped row is drawn under its own line's indentation, the mark last.
    assert code[2].startswith("    ↪ request.headers")
    body = next(i for i, row in enumerate(code) if row.startswith("        return"))
    assert code[body + 1].startswith("        ↪ ")
    assert code[-1] == "    return None"


def test_deep_indentation_on_a_narrow_screen_keeps_half_the_row_for_code() -> None:
    from llmx_tui.ui.markdown_blocks import CONTINUATION_MARK, hanging_indent

    assert CONTINUATION_MARK.strip() == MARK
    assert hanging_indent(4, 60) == 6
    assert hanging_indent(40, 40) == 20
    deep = " " * 24 + "value = compute(first_argument, second_argument, third)"
    rows = [row[1:].rstrip() for row in code_rows(40, deep)[1:-1]]
    assert len(rows) > 2
    for row in rows[1:]:
        assert row.startswith(" " * (hanging_indent(24, 38) - 2) + "↪ ")
        assert len(row) <= 38


def test_a_code_piece_draws_its_wrapped_lines_as_the_whole_block_does() -> None:
    """The streaming path (a piece of an open fence) and a whole block draw the same."""
    console = Console(width=50, color_system="truecolor")
    piece = render_code(
        CODE,
        "python",
        50,
        dark=True,
        top=True,
        bottom=True,
        console=console,
        options=console.options,
    )
    assert [strip.text for strip in piece] == code_rows(50)


def test_code_that_fits_is_drawn_exactly_as_rich_draws_it() -> None:
    text = "Some code:\n\n```python\ndef f(x):\n\treturn x  # short\n```\n\n    indented code\n"

    def drawn(markdown: Markdown) -> list[list[tuple[str, str]]]:
        console = Console(width=60, color_system="truecolor")
        return [
            [(char, str(segment.style or Style())) for segment in line for char in segment.text]
            for line in console.render_lines(markdown, console.options)
        ]

    rich_drawn = drawn(Markdown(text, code_theme="monokai", hyperlinks=False))
    assert drawn(SafeMarkdown(text, dark=True)) == rich_drawn


def selected(lines: list[Strip], selection: Selection) -> str:
    return copied([copy_row(line) for line in lines], selection)


def test_selecting_wrapped_code_copies_its_lines_without_the_mark() -> None:
    from llmx_tui.ui.rich_markdown import HangingCode

    console = Console(width=50, color_system="truecolor")
    lines = [
        Strip(line)
        for line in console.render_lines(
            HangingCode(CODE, "python", "monokai", top=1, bottom=1), console.options
        )
    ]
    assert selected(lines, Selection(None, None)) == f"\n{CODE}\n"  # with the padding rows
    # From the middle of a wrapped row (after the mark) to the end of the next line.
    texts = [line.text for line in lines]
    y = next(i for i, text in enumerate(texts) if "↪ request.headers" in text)
    x = texts[y].index("headers")
    last = next(i for i, text in enumerate(texts) if "verbose=True)" in text)
    end = texts[last].index("verbose=True)") + len("verbose=True)")
    part = selected(lines, Selection(Offset(x, y), Offset(end, last)))
    assert part == CODE.split("\n", 2)[1].split("request.", 2)[2] + "\n" + CODE.split("\n")[2]
    # A selection that starts on a wrapped row's mark copies code only.
    mark_x = texts[y].index(MARK)
    from_mark = selected(lines, Selection(Offset(mark_x, y), Offset(len(texts[y]), y)))
    assert from_mark.startswith("request.headers") and MARK not in from_mark


CODE_LINES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=12),
        st.text(alphabet="abc (),.=_\t中", max_size=90).map(str.rstrip),
    ).map(lambda pair: " " * pair[0] + pair[1]),
    min_size=1,
    max_size=6,
)


@settings(max_examples=80, deadline=None)
@given(lines=CODE_LINES, width=st.integers(min_value=8, max_value=70))
def test_any_code_at_any_width_copies_back_as_its_lines(lines: list[str], width: int) -> None:
    from llmx_tui.ui.rich_markdown import HangingCode

    code = "\n".join(lines).strip("\n") or "x"
    console = Console(width=width)
    rendered = console.render_lines(
        HangingCode(code, "python", "friendly", top=0, bottom=0), console.options
    )
    assert all(Segment.get_line_length(line) == width for line in rendered)
    rows = [copy_row(Strip(line)) for line in rendered]
    expected = "\n".join(line.rstrip() for line in code.expandtabs(4).split("\n"))
    assert copied(rows, Selection(None, None)) == expected


async def test_dragging_over_a_wrapped_block_in_a_reply_copies_the_code() -> None:
    app = ReplyApp()
    async with app.run_test(size=(50, 40)) as pilot:
        widget = app.query_one(StreamingMarkdown)
        widget.feed(REPLY)
        widget.finish()
        await pilot.pause()
        y1, x1 = row_of(widget, "def handler")
        y2, x2 = row_of(widget, "return None")
        assert y2 - y1 > 4  # wrapped: more rows than lines
        await drag(pilot, widget, Offset(x1, y1), Offset(x2 + len("return None") - 1, y2))
        assert app.screen.get_selected_text() == CODE


async def test_f6_and_f7_copy_the_source_of_a_reply_with_wrapped_code() -> None:
    from llmx_tui.ui.app import LlmxApp

    conversation = ScriptedConversation([text_turn(REPLY)])
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(60, 40)) as pilot:
        await send_prompt(pilot, "show me")
        await wait_for(pilot, lambda: ui_settled(app, conversation), tries=500)
        await pilot.pause()
        reply = app.screen.query_one(StreamingMarkdown)
        assert row_of(reply, MARK)  # the code is drawn wrapped
        await pilot.press("f7")
        await pilot.pause()
        assert app.clipboard == CODE + "\n"
        await pilot.press("f6")
        await pilot.pause()
        assert app.clipboard == REPLY


@pytest.mark.parametrize("width", [4, 5, 6, 7])  # 3: one cell of code, Rich draws blanks too
def test_a_narrow_block_draws_wide_characters_as_rich_does(width: int) -> None:
    """Under two cells of room a hanging row could not hold a CJK character or an emoji:
    such narrow code does not hang (found by review: they were drawn as blanks)."""
    from rich.console import Console
    from rich.syntax import Syntax

    from llmx_tui.ui.rich_markdown import HangingCode

    console = Console(width=width, color_system=None)
    code = "中中中 ab 😀"

    def rows(renderable: object) -> list[str]:
        lines = console.render_lines(renderable, console.options)  # type: ignore[arg-type]
        return ["".join(segment.text for segment in line) for line in lines]

    drawn = "".join(rows(HangingCode(code, "python", "monokai", top=0, bottom=0)))
    for character in ("中", "😀"):
        assert drawn.count(character) == code.count(character)
    if width < 6:
        syntax = Syntax(code, "python", theme="monokai", word_wrap=True, padding=(0, 1))
        assert rows(HangingCode(code, "python", "monokai", top=0, bottom=0)) == rows(syntax)
