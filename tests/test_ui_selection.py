"""Selecting a reply's text with the mouse, as in any Textual widget that shows text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Offset
from textual.pilot import Pilot
from textual.selection import Selection

from llmx_tui.ui.widgets.streaming_markdown import GUTTER, StreamingMarkdown

REPLY = (
    "First paragraph of the reply.\n\n- one item\n- two items\n\nLast words here, **bold** too.\n"
)


class ReplyApp(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield StreamingMarkdown()


def row_of(widget: StreamingMarkdown, needle: str) -> tuple[int, int]:
    """(line, column) of ``needle`` in the widget's drawn lines, columns counted after
    the gutter."""
    for y in range(widget.size.height):
        text = widget.render_line(y).text[GUTTER:]
        if needle in text:
            return y, text.index(needle)
    raise AssertionError(f"{needle!r} is not drawn")


@asynccontextmanager
async def shown_reply(
    reply: str = REPLY, size: tuple[int, int] = (60, 20)
) -> AsyncIterator[tuple[ReplyApp, Pilot[None], StreamingMarkdown]]:
    """The whole of ``reply`` drawn in a small app."""
    app = ReplyApp()
    async with app.run_test(size=size) as pilot:
        widget = app.query_one(StreamingMarkdown)
        widget.feed(reply)
        widget.finish()
        await pilot.pause()
        yield app, pilot, widget


async def drag(pilot: Pilot[None], widget: StreamingMarkdown, start: Offset, last: Offset) -> None:
    """Press on ``start``, move to ``last`` and let go (columns counted after the gutter);
    the character under the pointer is included, as Textual selects."""
    await pilot.mouse_down(widget, offset=(GUTTER + start.x, start.y))
    await pilot.hover(widget, offset=(GUTTER + last.x, last.y))
    await pilot.mouse_up(widget, offset=(GUTTER + last.x, last.y))
    await pilot.pause()


async def test_dragging_over_a_reply_selects_what_is_drawn() -> None:
    async with shown_reply() as (app, pilot, widget):
        y1, x1 = row_of(widget, "paragraph")
        y2, x2 = row_of(widget, "two items")
        await drag(pilot, widget, Offset(x1, y1), Offset(x2 + len("two") - 1, y2))
        selected = app.screen.get_selected_text()
        assert selected is not None
        assert selected.startswith("paragraph of the reply.")
        assert selected.endswith("two")
        assert "one item" in selected and "\n" in selected
        # What is selected is drawn in the selection style, and only that.
        line = widget.render_line(y1)
        style = app.screen.get_component_rich_style("screen--selection")
        shown = "".join(
            s.text for s in line if s.style is not None and s.style.bgcolor == style.bgcolor
        )
        assert shown == "paragraph of the reply."


async def test_the_mouse_finds_the_character_under_it() -> None:
    async with shown_reply() as (app, _pilot, widget):
        y, x = row_of(widget, "words")
        region = widget.content_region
        found, offset = app.screen.get_widget_and_offset_at(region.x + GUTTER + x, region.y + y)
        assert found is widget
        assert offset == Offset(x, y)


async def test_a_selection_in_one_line_and_the_whole_reply() -> None:
    async with shown_reply() as (_app, _pilot, widget):
        y, x = row_of(widget, "Last words")
        part = widget.get_selection(Selection(Offset(x, y), Offset(x + 4, y)))
        assert part == ("Last", "\n")
        # From before the first column (the gutter) to past the end of the text.
        whole_line = widget.get_selection(Selection(Offset(-1, y), Offset(500, y)))
        assert whole_line is not None and whole_line[0].strip() == "Last words here, bold too."
        # A double click selects the whole widget: its Markdown source.
        assert widget.get_selection(Selection(None, None)) == (REPLY, "\n")


async def test_in_the_chat_a_dragged_selection_of_a_reply_is_copied_by_ctrl_c() -> None:
    from llmx_tui.ui.app import LlmxApp
    from llmx_tui.ui.widgets.composer import Composer
    from tests.ui_helpers import ScriptedConversation, text_turn, ui_settled, wait_for

    conversation = ScriptedConversation([text_turn(REPLY)])
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = app.screen.query_one(Composer)
        composer.load_text("question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: ui_settled(app, conversation), tries=500)
        await pilot.pause()
        reply = app.screen.query_one(StreamingMarkdown)
        y, x = row_of(reply, "Last words")
        await drag(pilot, reply, Offset(x, y), Offset(x + len("Last words") - 1, y))
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.clipboard == "Last words"
        assert app.is_running  # ctrl+c copied; it did not quit
        # A double click on the reply selects all of it: ctrl+c copies its Markdown.
        await pilot.click(reply, offset=(GUTTER + x, y), times=2)
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.clipboard == REPLY.rstrip("\n")  # Textual trims the last newline


CODE = (
    "def area(width, height):\n"
    "    if width < 0:\n"
    "        raise ValueError(width)\n"
    "    return width * height"
)


async def copied_code(reply: str, *, streamed: bool) -> str:
    """What dragging from the first character of ``CODE`` to its last copies, with the
    reply fed whole or a line at a time (a long block is then drawn in pieces)."""
    app = ReplyApp()
    async with app.run_test(size=(60, 80)) as pilot:
        widget = app.query_one(StreamingMarkdown)
        for piece in reply.splitlines(keepends=True) if streamed else [reply]:
            widget.feed(piece)
            await pilot.pause()
        widget.finish()
        await pilot.pause()
        y1, x1 = row_of(widget, "def area")
        y2, x2 = row_of(widget, "return width * height")
        await drag(pilot, widget, Offset(x1, y1), Offset(x2 + len("return width * height"), y2))
        selected = app.screen.get_selected_text()
        assert selected is not None
        return selected


async def test_code_copied_from_a_reply_keeps_its_indentation() -> None:
    """Rich draws code one cell in from the block's edge; that cell is not copied."""
    reply = f"Here it is:\n\n```python\n{CODE}\n```\n\nDone.\n"
    assert await copied_code(reply, streamed=False) == CODE


async def test_code_copied_from_a_long_streamed_block_keeps_its_indentation() -> None:
    # Over CODE_PIECE_LINES lines: drawn as pieces of finished lines while it streams.
    filler = "\n".join(f"x_{n} = {n}" for n in range(60))
    reply = f"```python\n{filler}\n{CODE}\n```\n"
    copied = await copied_code(reply, streamed=True)
    assert copied == CODE


PROSE = (
    "A paragraph long enough to be wrapped over several rows of this narrow reply, "
    "with a hard  \nbreak kept as a line break and " + "y" * 50 + " cut mid-word.\n\n"
    "- an item long enough to be wrapped inside its list, under its bullet\n"
    "- a short one\n\n"
    "> a quoted paragraph long enough to be wrapped inside the quote bar\n"
)


async def test_copied_paragraphs_are_their_lines_not_their_wrapped_rows() -> None:
    async with shown_reply(PROSE, size=(40, 40)) as (_app, _pilot, widget):
        y1, x1 = row_of(widget, "A paragraph")
        y2, x2 = row_of(widget, "quote bar")
        assert y2 - y1 > 10  # it is wrapped
        everything = widget.get_selection(Selection(Offset(x1, y1), Offset(x2 + 9, y2)))
        assert everything is not None
        assert everything[0].split("\n") == [
            "A paragraph long enough to be wrapped over several rows of this narrow reply, "
            "with a hard",
            "break kept as a line break and " + "y" * 50 + " cut mid-word.",
            "",
            " • an item long enough to be wrapped inside its list, under its bullet",
            " • a short one",
            "",
            "▌ a quoted paragraph long enough to be wrapped inside the quote bar",
        ]
        # From the middle of one row to the middle of the next: joined by the space the
        # wrap took.
        y, x = row_of(widget, "enough")
        part = widget.get_selection(Selection(Offset(x, y), Offset(9, y + 1)))
        assert part is not None and "\n" not in part[0] and part[0].startswith("enough to ")


async def test_a_long_code_line_wrapped_on_screen_is_copied_as_one_line() -> None:
    long_line = "    return compute(width, height, depth, scale, offset, rotation, mirror)"
    code = f"def volume(width, height):\n{long_line}\n\tpass"
    async with shown_reply(f"```python\n{code}\n```\n", size=(40, 30)) as (_app, _pilot, widget):
        y1, x1 = row_of(widget, "def volume")
        y2, x2 = row_of(widget, "pass")
        assert y2 - y1 > 2  # the long line takes more than one row
        copied = widget.get_selection(Selection(Offset(x1, y1), Offset(x2 + 4, y2)))
        assert copied == (code.expandtabs(4), "\n")  # tabs drawn as spaces, copied so


async def test_code_in_a_list_item_is_copied_without_the_list_indent() -> None:
    indented = "\n".join(f"   {line}" for line in CODE.split("\n"))
    reply = f"1. Use this:\n\n   ```python\n{indented}\n   ```\n2. Done.\n"
    async with shown_reply(reply, size=(60, 30)) as (_app, _pilot, widget):
        y1, _ = row_of(widget, "def area")
        y2, x2 = row_of(widget, "return width * height")
        # From the left edge of the reply, over the list's indent.
        copied = widget.get_selection(Selection(Offset(0, y1), Offset(x2 + 21, y2)))
        assert copied == (CODE, "\n")


async def test_selecting_in_the_conversation_leaves_the_focus_in_the_composer() -> None:
    """The click took the focus: the letters typed after copying went nowhere."""
    from llmx_tui.ui.app import LlmxApp
    from tests.ui_helpers import ScriptedConversation, text_turn, ui_settled, wait_for

    conversation = ScriptedConversation([text_turn(REPLY)])
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = app.screen.composer
        composer.load_text("question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: ui_settled(app, conversation), tries=500)
        reply = app.screen.query_one(StreamingMarkdown)
        y, x = row_of(reply, "Last words")
        await drag(pilot, reply, Offset(x, y), Offset(x + len("Last words") - 1, y))
        await pilot.press("ctrl+c", *"and then?")
        await pilot.pause()
        assert app.clipboard == "Last words"
        assert composer.has_focus and composer.text == "and then?"
        await pilot.click("#reasoning")
        await pilot.click("#tools")
        await pilot.press("!")
        assert composer.text == "and then?!"


async def test_letters_typed_after_clicking_a_tool_call_go_into_the_composer() -> None:
    """A tool call takes the focus on a click (Enter then expands its output); the
    letters typed next went nowhere."""
    from llmx_tui.ui.app import LlmxApp
    from llmx_tui.ui.widgets.tool_call_view import ToolCallView
    from tests.ui_helpers import ScriptedConversation, tool_turn, ui_settled, wait_for

    turn = tool_turn("read_file", {"path": "a.txt"}, "Read it.", approval=False)
    conversation = ScriptedConversation([turn])
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        composer = app.screen.composer
        composer.load_text("question")
        await pilot.press("enter")
        await wait_for(pilot, lambda: ui_settled(app, conversation), tries=500)
        await pilot.click(ToolCallView)
        await pilot.pause()
        assert isinstance(app.focused, ToolCallView)
        await pilot.press(*"next one", "backspace")
        assert composer.has_focus and composer.text == "next on"
