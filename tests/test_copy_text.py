"""What a selection of rendered Markdown copies: wrapped rows joined back into their lines."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from llmx_tui.ui.copy_text import wrap_joins

WORDS = st.lists(
    st.tuples(
        st.text(alphabet="abcdefghij", min_size=1, max_size=30),
        st.sampled_from([" ", "  ", "\t", " \u3000"]),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(words=WORDS, width=st.integers(min_value=4, max_value=60))
def test_wrapped_rows_joined_by_their_joins_are_the_line(
    words: list[tuple[str, str]], width: int
) -> None:
    """Whatever Rich's wrap does (words moved down, long words cut, whitespace trimmed at a
    row's end), the rows and their joins give back the line (tabs as drawn)."""
    line = Text("".join(word + space for word, space in words).rstrip())
    drawn = line.copy()
    drawn.expand_tabs(4)  # by cells, as Rich does (a wide space counts two)
    rows = list(line.wrap(Console(), width, justify="left", tab_size=4))
    joins = wrap_joins(line, rows, 4)
    assert joins[-1] is None
    assert all(join is not None for join in joins[:-1])
    pairs = zip(rows, joins, strict=True)
    rebuilt = "".join(row.plain.rstrip() + (join or "") for row, join in pairs)
    assert rebuilt == drawn.plain


def test_rows_that_are_not_slices_of_the_line_are_copied_as_drawn() -> None:
    line = Text("one two three")
    rows = [Text("one  two"), Text("three")]  # full justification spread the spaces
    assert wrap_joins(line, rows, 4) == [None, None]


CODE_LINES = st.lists(
    st.text(alphabet="abc (),.=_\t", max_size=70).map(str.rstrip), min_size=1, max_size=8
)


@settings(max_examples=100, deadline=None)
@given(lines=CODE_LINES, width=st.integers(min_value=8, max_value=50))
def test_a_whole_code_block_selected_copies_as_its_code(lines: list[str], width: int) -> None:
    """Rows of a code block as Rich's Syntax draws it (wrapped, padded), read back."""
    from rich.syntax import Syntax
    from textual.selection import Selection
    from textual.strip import Strip

    from llmx_tui.ui.copy_text import copied, copy_row, marked_code

    code = "\n".join(lines).strip("\n") or "x"
    syntax = Syntax(code, "python", word_wrap=True, padding=(0, 1))
    console = Console(width=width)
    rendered = console.render_lines(syntax, console.options.update(width=width))
    rows = [copy_row(Strip(line)) for line in marked_code(rendered, code, top=0, bottom=0)]
    assert copied(rows, Selection(None, None)) == "\n".join(
        line.rstrip() for line in code.expandtabs(4).split("\n")
    )
