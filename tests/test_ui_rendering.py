"""Streaming Markdown split, untrusted-text neutralising, long-session windowing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from llmx_tui.core.items import AssistantMessage, UserMessage
from llmx_tui.core.safe_text import neutralise
from llmx_tui.ui import markdown_blocks
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.markdown_blocks import RUN_CHARS, estimate_height, group_runs
from llmx_tui.ui.markdown_split import block_starts, last_code_block
from llmx_tui.ui.widgets import streaming_markdown
from llmx_tui.ui.widgets.conversation import WINDOW
from llmx_tui.ui.widgets.streaming_markdown import StreamingMarkdown
from tests.ui_helpers import ScriptedConversation, screen_text, wait_for


def split(text: str) -> tuple[str, str]:
    starts = block_starts(text)  # the finished prefix ends where the last block starts
    cut = starts[-1] if starts else 0
    return text[:cut], text[cut:]


def test_blocks_finish_at_a_blank_line_followed_by_a_new_block() -> None:
    assert split("para\n\nnext") == ("para\n\n", "next")
    assert split("para\n\n") == ("", "para\n\n")  # the next block has not started
    assert split("para\n\n   indented") == ("", "para\n\n   indented")


def test_code_fences_and_loose_lists_are_not_cut() -> None:
    assert split("```\na\n\nb") == ("", "```\na\n\nb")
    assert split("```\na\n\nb\n```\n\nafter") == ("```\na\n\nb\n```\n\n", "after")
    assert split("~~~~\nx\n```\n\ny") == ("", "~~~~\nx\n```\n\ny")
    assert split("1. a\n\n2. b") == ("", "1. a\n\n2. b")
    assert split("- a\n\n- b\n\nend") == ("- a\n\n- b\n\n", "end")


def test_last_code_block() -> None:
    assert last_code_block("x\n\n```py\none\n```\n\n```\ntwo\n```\n") == "two\n"
    assert last_code_block("no code") is None


def test_neutralise_shows_control_characters() -> None:
    assert neutralise("a\x1b[31mb") == "a␛[31mb"
    assert neutralise("\x9b2J \x07 \u202eevil") == "<U+009B>2J ␇ <U+202E>evil"
    assert neutralise("line\r\nnext\rover\ttab") == "line\nnext\nover\ttab"


def test_finished_text_is_grouped_into_runs_at_block_starts() -> None:
    text = "a" * 10 + "\n\n" + "b" * 10 + "\n\n" + "c" * 10 + "\n\n"
    starts = [12, 24]
    assert group_runs(text, starts, limit=5) == [text[:12], text[12:24], text[24:]]
    assert group_runs(text, starts, limit=20) == [text[:24], text[24:]]
    assert group_runs(text, starts, limit=100) == [text]
    assert group_runs("\n\n" + text, [2], limit=1) == [text]  # blank runs are dropped


def test_height_estimate_wraps_source_lines() -> None:
    assert estimate_height("one\ntwo\n\n", 80) == 2
    assert estimate_height("x" * 81, 80) == 2
    assert estimate_height("x" * 160 + "\n" + "x" * 161, 80) == 5
    assert estimate_height("", 80) == 1


@given(st.text(alphabet="ab \n", max_size=300), st.integers(min_value=0, max_value=40))
def test_height_estimate_is_each_line_s_rows(text: str, width: int) -> None:
    """One row per source line, plus the rows a line longer than the width wraps onto."""
    usable = max(1, width)
    lines = text.rstrip().splitlines() or [""]
    assert estimate_height(text, width) == sum(max(1, -(-len(line) // usable)) for line in lines)


class StreamApp(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield StreamingMarkdown()


@pytest.fixture
def rendered_texts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Markdown text the widgets render, in order."""
    texts: list[str] = []
    original = markdown_blocks.render_markdown

    def spy(text: str, width: int, **kwargs: object) -> object:
        texts.append(text)
        return original(text, width, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(markdown_blocks, "render_markdown", spy)
    return texts


async def test_finished_blocks_are_rendered_once_and_only_the_tail_changes(
    rendered_texts: list[str],
) -> None:
    app = StreamApp()
    async with app.run_test(size=(80, 40)) as pilot:
        widget = app.query_one(StreamingMarkdown)
        widget.feed("# Head\n\nFirst para")
        await pilot.pause()
        assert rendered_texts.count("# Head\n\n") == 1
        for token in [" goes", " on", "\n\nSecond", " para"]:
            widget.feed(token)
            await pilot.pause()
        assert rendered_texts.count("# Head\n\n") == 1  # never redone
        assert rendered_texts.count("First para goes on\n\n") == 1
        assert rendered_texts[-1] == "Second para"
        assert widget.block_count == 3
        text = screen_text(app)
        assert "Head" in text and "First para goes on" in text and "Second para" in text


async def test_a_long_burst_renders_only_what_is_on_screen(rendered_texts: list[str]) -> None:
    app = StreamApp()
    async with app.run_test(size=(80, 20)) as pilot:
        widget = app.query_one(StreamingMarkdown)
        burst = "".join(f"Paragraph {i} with some words.\n\n" for i in range(2000))
        widget.feed(burst + "THE TAIL")
        await pilot.pause()
        app.query_one(VerticalScroll).scroll_end(animate=False, immediate=True)
        await wait_for(pilot, lambda: "THE TAIL" in screen_text(app))
        assert widget.block_count >= len(burst) // (2 * RUN_CHARS)  # cut into runs
        # What was on screen (the top, before scrolling, then the bottom) was rendered;
        # the rest of the 66 kB was not.
        assert widget.rendered_count <= 4
        assert sum(map(len, rendered_texts)) < 5 * RUN_CHARS
        app.query_one(VerticalScroll).scroll_home(animate=False, immediate=True)
        await wait_for(pilot, lambda: "Paragraph 0 with" in screen_text(app))
        assert "Paragraph 0 with" in rendered_texts[-1]
        assert widget.source == burst + "THE TAIL"


async def test_a_resize_re_renders_what_is_shown_at_the_new_width() -> None:
    app = StreamApp()
    async with app.run_test(size=(80, 20)) as pilot:
        widget = app.query_one(StreamingMarkdown)
        widget.feed("word " * 40 + "END\n\nnext")
        await wait_for(pilot, lambda: "END" in screen_text(app))
        wide = [line for line in screen_text(app).splitlines() if "word" in line]
        await pilot.resize_terminal(40, 20)
        await wait_for(pilot, lambda: "END" in screen_text(app))
        narrow = [line for line in screen_text(app).splitlines() if "word" in line]
        assert len(narrow) > len(wide)
        assert all(len(line) <= 40 for line in narrow)


async def test_resuming_a_long_session_mounts_only_the_newest_window() -> None:
    history = []
    for i in range(1000):
        history += [UserMessage(text=f"question {i}"), AssistantMessage(text=f"answer {i}")]
    conversation = ScriptedConversation(history=history)
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "answer 999" in screen_text(app))
        view = app.screen.conversation
        assert len(view.entries) == 2000
        assert len(view.children) == WINDOW
        view.scroll_home(animate=False)
        await wait_for(pilot, lambda: len(view.children) > WINDOW)
        assert view.entries[view.first_mounted].widget is view.children[0]


async def test_long_reasoning_is_split_so_only_the_tail_is_rewrapped() -> None:
    from llmx_tui.ui.widgets.reasoning_entry import TAIL_LIMIT, ReasoningEntry

    class ReasoningApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ReasoningEntry(1, clock=lambda: 0.0, text="Start.\n\n" + "x" * TAIL_LIMIT)

    app = ReasoningApp()
    async with app.run_test(size=(80, 40)) as pilot:
        entry = app.query_one(ReasoningEntry)
        paragraph = "Another thought about \x1b[2J the problem.\n\n"
        for _ in range(200):
            entry.append(paragraph)
        await pilot.pause()
        chunks = list(entry.query(".reasoning-text"))
        assert len(chunks) > 3
        assert all(len(str(c.content)) <= TAIL_LIMIT + len(paragraph) for c in chunks[1:])
        joined = "\n\n".join(str(c.content) for c in chunks)
        assert joined.rstrip("\n") == entry.text.replace("\x1b", "␛").rstrip("\n")
        entry.finish()
        assert not entry.live and "thought for 0.0s" in str(entry.title)


async def test_mounted_widgets_are_pruned_while_following_the_bottom() -> None:
    from llmx_tui.ui.entries import user_entry
    from llmx_tui.ui.widgets.conversation import MAX_MOUNTED, ConversationView

    class ViewApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ConversationView()

    app = ViewApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(ConversationView)
        for i in range(MAX_MOUNTED + 30):
            view.add(user_entry(f"message {i}"))
            if i % 20 == 0:
                await pilot.pause()
        await pilot.pause()
        assert len(view.entries) == MAX_MOUNTED + 30
        assert len(view.children) <= MAX_MOUNTED
        assert view.children[-1] is view.entries[-1].widget


async def test_a_short_window_is_topped_up_until_it_fills_the_screen() -> None:
    history = [UserMessage(text=f"q{i}") for i in range(100)]
    conversation = ScriptedConversation(history=history)
    app = LlmxApp(conversation, clock=lambda: 0.0, cursor_blink=False)
    async with app.run_test(size=(120, 150)) as pilot:
        view = app.screen.conversation
        await wait_for(pilot, lambda: view.max_scroll_y > 0 or view.first_mounted == 0)
        assert len(view.children) > WINDOW
        await wait_for(pilot, lambda: "q99" in screen_text(app))


def test_frames_are_spaced_so_drawing_takes_at_most_a_share_of_the_time() -> None:
    from llmx_tui.ui.screens.chat import DRAW_SHARE, FRAME, LONGEST_FRAME, frame_gap

    assert frame_gap(0.0, 0.0) == FRAME  # a light frame: the normal rate
    assert frame_gap(0.010, 0.001) == FRAME - 0.010  # the frame's own work counts
    assert frame_gap(0.0, 0.020) == 0.020 / DRAW_SHARE  # heavy drawing: fewer frames
    assert frame_gap(0.0, 0.900) == LONGEST_FRAME  # but never a long wait
    assert frame_gap(1.0, 0.0) == 0.0  # never negative


def test_a_flood_is_only_deltas_bringing_more_text_than_the_screen_has_cells() -> None:
    from llmx_tui.core.events import (
        ReasoningDelta,
        TextDelta,
        ToolCallArgumentsDelta,
        TurnCompleted,
    )
    from llmx_tui.ui.screens.chat import is_flood

    text = [TextDelta(text="x" * 60), ReasoningDelta(text="y" * 50)]
    assert is_flood(text, screen_cells=100)
    assert not is_flood(text, screen_cells=110)  # fits on the screen
    assert is_flood([*text, ToolCallArgumentsDelta(index=0, fragment="{}")], 100)
    assert not is_flood([*text, TurnCompleted(finish_reason="stop")], 100)  # drawn at once


async def test_scrolling_up_into_unrendered_blocks_keeps_the_view_steady() -> None:
    """A block above the view is rendered when revealed; its real height differs from
    the estimate, and the text already on screen must not jump because of it."""
    app = StreamApp()
    block = "| name | value |\n|---|---|\n| row {n} | {n} |\n\n"  # renders taller than its source
    async with app.run_test(size=(60, 20)) as pilot:
        widget = app.query_one(StreamingMarkdown)
        widget.feed("".join(block.format(n=n) for n in range(300)) + "end")
        widget.finish()
        view = app.query_one(VerticalScroll)
        await pilot.pause()
        view.scroll_to(y=view.max_scroll_y // 2, animate=False, immediate=True)
        for _ in range(3):
            await pilot.pause()

        def rows() -> list[str]:  # the text, without the scrollbar's columns
            return [strip.text[:-2] for strip in app.screen._compositor.render_strips()]

        for _ in range(10):
            before = rows()
            view.scroll_relative(y=-1, animate=False, immediate=True)
            for _ in range(3):
                await pilot.pause()
            assert rows()[1:] == before[:-1]


class TwoReplies(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield StreamingMarkdown(id="streamed")
            yield StreamingMarkdown(id="whole")


def drawn_lines(widget: StreamingMarkdown) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.virtual_size.height)]


LONG_CODE = "".join(f"def step_{i}(x):\n    return x + {i}  # '''\n\n" for i in range(90))


@pytest.mark.parametrize(
    "reply",
    [
        f"Here it is:\n\n```python\n{LONG_CODE}```\n\nAnd after the code.",
        f"Interrupting a paragraph:\n~~~~ python extra\n{LONG_CODE}~~~~\nText right after.",
        f"An unclosed block at the end:\n\n```\n{LONG_CODE}",
        f"Closed on the very last line:\n\n```js\n{LONG_CODE}```",
        f"After a rule:\n\n---\n\n```python\n{LONG_CODE}```\n\nEnd.",
    ],
    ids=["closed", "interrupting", "unclosed", "closed-at-end", "after-a-rule"],
)
async def test_a_long_code_block_streams_in_pieces_that_draw_like_the_whole(
    reply: str, rendered_texts: list[str]
) -> None:
    app = TwoReplies()
    async with app.run_test(size=(90, 30)) as pilot:
        streamed = app.query_one("#streamed", StreamingMarkdown)
        whole = app.query_one("#whole", StreamingMarkdown)
        for start in range(0, len(reply), 301):  # cuts land anywhere in a line
            streamed.feed(reply[start : start + 301])
            await pilot.pause()
        streamed.finish()
        whole.feed(reply)
        whole.finish()
        await pilot.pause()
        assert streamed.block_count > whole.block_count  # the code came in pieces
        assert drawn_lines(streamed) == drawn_lines(whole)
        assert streamed.source == reply


async def test_finished_code_pieces_are_not_rendered_again(rendered_texts: list[str]) -> None:
    from llmx_tui.ui import markdown_blocks

    drawn: list[tuple[str, object, object]] = []
    original = markdown_blocks.render_code

    def spy(code: str, *args: object, **kwargs: object) -> object:
        drawn.append((code, kwargs["top"], kwargs["bottom"]))
        return original(code, *args, **kwargs)  # type: ignore[arg-type]

    markdown_blocks.render_code = spy  # type: ignore[assignment]
    try:
        app = StreamApp()
        async with app.run_test(size=(90, 30)) as pilot:
            widget = app.query_one(StreamingMarkdown)
            for function in f"```python\n{LONG_CODE}```\n".split("\n\n"):
                widget.feed(function + "\n\n")  # one function (three lines) per frame
                await pilot.pause()
    finally:
        markdown_blocks.render_code = original  # type: ignore[assignment]
    again = [piece for piece in drawn if drawn.count(piece) > 1]
    assert again == []  # every piece and every state of the live tail drawn once
    assert max(code.count("\n") for code, _, _ in drawn) < 50  # never the whole block


async def test_a_closing_fence_is_not_drawn_as_code_before_its_line_is_complete() -> None:
    app = StreamApp()
    async with app.run_test(size=(60, 20)) as pilot:
        widget = app.query_one(StreamingMarkdown)
        widget.feed("Run:\n\n```\nmake test\n`")
        await pilot.pause()
        assert "`" not in screen_text(app)  # maybe the start of the closing fence
        widget.feed("``\n\nDone `x`")
        await pilot.pause()
        text = screen_text(app)
        assert "make test" in text and "Done x" in text and "`" not in text
        widget.feed("\n\n`")
        widget.finish()  # at the end, everything received is drawn
        await pilot.pause()
        assert "`" in screen_text(app)


MIXED_REPLY = """## Running the tests

The `Makefile` defines two targets:

| target | what it does |
|---|---|
| test | unit and Pilot tests |

```sh
make test
```

- Tests use a **loopback** server.
- Snapshots live in `tests/`.

1. first
2. second

> a quote

---

After a rule.

***

```py
after = "another rule"
```

Title underlined
---

Done."""


@pytest.mark.parametrize("step", [5, 23, 80])
async def test_however_a_reply_is_cut_into_frames_it_draws_the_same(step: int) -> None:
    app = TwoReplies()
    async with app.run_test(size=(90, 40)) as pilot:
        streamed = app.query_one("#streamed", StreamingMarkdown)
        whole = app.query_one("#whole", StreamingMarkdown)
        for start in range(0, len(MIXED_REPLY), step):
            streamed.feed(MIXED_REPLY[start : start + step])
            await pilot.pause()
        streamed.finish()
        whole.feed(MIXED_REPLY)
        whole.finish()
        await pilot.pause()
        assert streamed.block_count > 1
        assert drawn_lines(streamed) == drawn_lines(whole)


async def test_cutting_a_reply_into_runs_draws_what_one_render_of_it_draws(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every block start may end a run: a long reply drawn in runs of ``RUN_CHARS``
    has the same lines as the same reply rendered by Rich in one piece."""
    reply = "\n\n".join(MIXED_REPLY.replace("the tests", f"the tests, part {i}") for i in range(20))
    assert len(reply) > 6 * RUN_CHARS
    app = TwoReplies()
    async with app.run_test(size=(90, 40)) as pilot:
        streamed = app.query_one("#streamed", StreamingMarkdown)
        whole = app.query_one("#whole", StreamingMarkdown)
        streamed.feed(reply)
        streamed.finish()
        with monkeypatch.context() as patch:
            patch.setattr(streaming_markdown, "group_runs", lambda text, starts: [text])  # one run
            whole.feed(reply)
            whole.finish()
        await pilot.pause()
        assert streamed.block_count > 6 and whole.block_count <= 2
        # Drawing renders every block; heights are exact once laid out again.
        drawn_lines(streamed), drawn_lines(whole)
        await pilot.pause()
        streamed_lines, whole_lines = drawn_lines(streamed), drawn_lines(whole)
        assert streamed_lines == whole_lines


def test_safe_markdown_sets_what_rich_markdown_sets_and_draws_like_it() -> None:
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.style import Style

    from llmx_tui.ui.rich_markdown import SafeMarkdown

    # SafeMarkdown skips Markdown.__init__ (it would build a parser per block): the
    # attributes it sets must still be all of those the installed Rich sets.
    assert vars(SafeMarkdown("x")).keys() == vars(Markdown("x")).keys()
    text = (
        "# Title\n\nSome *text*, a [link](https://example.com) and `code`.\n\n- a\n- b\n\n"
        # Code that fits: a wrapped code line hangs under its indent (test_fix_ui_code_wrap).
        "```python\ndef f(x):\n    return x  # a comment\n```\n"
        "\n    indented code\n\n"
        "A paragraph long enough to be wrapped twice at sixty cells, with a hard  \n"
        "break and a word too long for a row: " + "x" * 70 + " and\ttabs.\n\n"
        "- an item whose paragraph is long enough to wrap inside the list item\n\n"
        "> a quoted paragraph long enough to wrap inside the quote's bar too\n"
    )

    def drawn(markdown: Markdown) -> list[list[tuple[str, str]]]:
        """Every cell's character and style (meta aside: SafeMarkdown marks code padding
        and wrapped rows there, so a style of only meta is no style)."""
        console = Console(width=60, color_system="truecolor")
        return [
            [(char, str(segment.style or Style())) for segment in line for char in segment.text]
            for line in console.render_lines(markdown, console.options)
        ]

    rich_markdown = Markdown(text, code_theme="monokai", hyperlinks=False)
    assert drawn(SafeMarkdown(text, dark=True)) == drawn(rich_markdown)


@pytest.mark.parametrize("width", [40, 80, 200])
def test_a_table_cell_too_long_for_its_column_folds_instead_of_being_cut(width: int) -> None:
    """Rich's table columns end a word too long for them with "…": a URL, a long
    identifier or CJK text (no spaces to wrap at) could not be read."""
    from rich.console import Console

    from llmx_tui.ui.rich_markdown import SafeMarkdown

    word = "averyveryverylongidentifier_" * 4
    cjk = "とても長い説明文がここに入ります。" * 4
    console = Console(width=width, color_system=None, record=True)
    console.print(SafeMarkdown(f"| a | b |\n|---|---|\n| x | {word} |\n| {cjk} | y |\n"))
    drawn = console.export_text()
    assert "…" not in drawn
    joined = "".join(drawn.split())
    assert word in joined
    assert cjk in "".join(line.split("  ")[0].strip() for line in drawn.splitlines())


async def test_a_selector_run_streamed_one_selector_per_chunk_shows_as_stand_ins() -> None:
    # Emoji smuggling: a run of variation selectors after an emoji, each in its own
    # delta. A lone VS15/VS16 at a chunk's start is kept only when the character
    # before it (in an earlier chunk) takes it; here each follows another selector.
    run = ["\ufe0f", "\ufe0e", "\ufe0f", "\ufe0e"]
    app = StreamApp()
    async with app.run_test(size=(80, 10)) as pilot:
        widget = app.query_one(StreamingMarkdown)
        for chunk in ["hi \U0001f600", *run, " bye"]:
            widget.feed(chunk)
            await pilot.pause()
        text = screen_text(app)
        assert "<U+FE0E><U+FE0F><U+FE0E>" in text
        assert widget.source == "hi \U0001f600" + "".join(run) + " bye"
