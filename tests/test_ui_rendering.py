"""Streaming Markdown split, untrusted-text neutralising, long-session windowing."""

from __future__ import annotations

from textual.app import App, ComposeResult

from llmx_tui.core.items import AssistantMessage, UserMessage
from llmx_tui.ui.app import LlmxApp
from llmx_tui.ui.markdown_split import finished_prefix_length, last_code_block
from llmx_tui.ui.safe_text import neutralise
from llmx_tui.ui.widgets.conversation import WINDOW
from llmx_tui.ui.widgets.markdown_chunk import MarkdownChunk
from llmx_tui.ui.widgets.streaming_markdown import FRAME_BUDGET, StreamingMarkdown
from tests.ui_helpers import ScriptedConversation, screen_text, wait_for


def split(text: str) -> tuple[str, str]:
    cut = finished_prefix_length(text)
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


class StreamApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StreamingMarkdown()


async def test_finished_chunks_are_rendered_once_and_only_the_tail_changes() -> None:
    app = StreamApp()
    async with app.run_test(size=(80, 40)) as pilot:
        widget = app.query_one(StreamingMarkdown)
        widget.feed("# Head\n\nFirst para")
        await pilot.pause()
        first_chunk = widget.query(MarkdownChunk).first()
        assert first_chunk.text == "# Head\n\n"
        renders: list[str] = []
        original = MarkdownChunk.set_text

        def spy(self: MarkdownChunk, text: str) -> None:
            renders.append(text)
            original(self, text)

        MarkdownChunk.set_text = spy  # type: ignore[method-assign]
        try:
            for token in [" goes", " on", "\n\nSecond", " para"]:
                widget.feed(token)
            await pilot.pause()
        finally:
            MarkdownChunk.set_text = original  # type: ignore[method-assign]
        assert "# Head\n\n" not in renders  # the heading chunk was never redone
        assert [c.text for c in widget.query(MarkdownChunk)] == [
            "# Head\n\n",
            "First para goes on\n\n",
            "Second para",
        ]
        assert "Second para" in screen_text(app)


async def test_a_burst_is_rendered_over_several_frames() -> None:
    app = StreamApp()
    async with app.run_test(size=(80, 20)) as pilot:
        widget = app.query_one(StreamingMarkdown)
        burst = "".join(f"Paragraph {i} with some words.\n\n" for i in range(400))
        widget.feed(burst + "tail")
        assert widget.has_backlog
        frames = 1
        while widget.has_backlog:
            widget.flush()
            frames += 1
            await pilot.pause()
        assert frames >= len(burst) // FRAME_BUDGET
        assert "".join(c.text for c in widget.query(MarkdownChunk)) == burst + "tail"


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
