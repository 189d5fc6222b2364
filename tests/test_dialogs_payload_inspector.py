"""PayloadInspector: redacted pretty JSON, the builder's report as a table, empty state."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import chop_cells
from textual.geometry import Offset
from textual.selection import Selection
from textual.widgets import DataTable, Static

from llmx_tui.engine.turn import LastRequest
from llmx_tui.providers.base import ReportEntry
from llmx_tui.ui.dialogs import payload_inspector as inspector_module
from llmx_tui.ui.dialogs.json_view import JsonView, wrapped_rows
from llmx_tui.ui.dialogs.payload_inspector import PREPARED_AT_ONCE, PayloadInspector, payload_json
from llmx_tui.ui.dialogs.redact import REDACTED, redact, redact_url
from tests.test_dialogs_harness import SIZE, DialogHost, steady

KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"


def sample_request() -> LastRequest:
    payload = {
        "model": "gpt-4o-mini",
        "stream": True,
        "max_tokens": 512,
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Why is [bold]this[/] not bold?\x1b[31m"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "read_file", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "(no output)"},
        ],
        "extra_body": {"api_key": KEY, "headers": {"Authorization": f"Bearer {KEY}"}},
    }
    report = [
        ReportEntry(
            "01J9ZC7K3M",
            "malformed-arguments",
            "changed",
            "arguments were not JSON; sent {} instead",
        ),
        ReportEntry(
            None, "orphaned-call", "synthesised", "added a placeholder output for call_1 [red]x[/]"
        ),
        ReportEntry("01J9ZC7K9Q", "empty-message", "skipped", "assistant message had no text"),
    ]
    return LastRequest(
        url="http://127.0.0.1:8000/v1/chat/completions?key=abc123", payload=payload, report=report
    )


def test_redact_hides_secret_keys_and_key_shapes_without_touching_the_original() -> None:
    request = sample_request()
    before = json.dumps(request.payload)
    shown = redact(request.payload, secrets=("Be brief.",))
    assert shown["extra_body"]["api_key"] == REDACTED
    assert shown["extra_body"]["headers"]["Authorization"] == REDACTED
    assert shown["messages"][0]["content"] == REDACTED  # an explicit secret anywhere
    assert shown["max_tokens"] == 512 and shown["model"] == "gpt-4o-mini"
    assert redact({"note": f"my key is {KEY}!"}) == {"note": f"my key is {REDACTED}!"}
    assert json.dumps(request.payload) == before
    assert redact_url("https://h/v1beta/models/x:stream?alt=sse&key=AIzaSECRET") == (
        f"https://h/v1beta/models/x:stream?alt=sse&key={REDACTED}"
    )


def test_payload_json_is_exact_pretty_json_with_invisible_controls_escaped() -> None:
    request = LastRequest(url="u", payload={"text": "a\u0085b\u202ec", "n": "naïve"})
    text = payload_json(request)
    assert json.loads(text) == request.payload  # same JSON, only spelled safely
    assert "\u0085" not in text and "\u202e" not in text and "naïve" in text
    assert text.startswith("{\n  ")


async def test_shows_redacted_json_and_report_rows() -> None:
    app = DialogHost(lambda: PayloadInspector(sample_request()))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, PayloadInspector)
        shown = json.loads(screen.json_text)
        assert shown["extra_body"] == {"api_key": REDACTED, "headers": {"Authorization": REDACTED}}
        assert shown["messages"][1]["content"] == "Why is [bold]this[/] not bold?\x1b[31m"
        assert KEY not in screen.json_text
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        assert [str(cell) for cell in table.get_row_at(1)] == [
            "—",
            "orphaned-call",
            "synthesised",
            "added a placeholder output for call_1 [red]x[/]",
        ]
        title = str(app.screen.query_one("#inspector-title", Static).render())
        assert "abc123" not in title and REDACTED in title
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_copy_puts_the_redacted_json_on_the_clipboard() -> None:
    app = DialogHost(lambda: PayloadInspector(sample_request()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        copied = app.clipboard
    assert KEY not in copied
    assert json.loads(copied)["model"] == "gpt-4o-mini"


async def test_without_a_request_it_says_so() -> None:
    app = DialogHost(lambda: PayloadInspector(None))
    async with app.run_test(size=SIZE) as pilot:
        message = str(app.screen.query_one("#inspector-empty", Static).render())
        assert "No request sent yet" in message
        assert not app.screen.query(DataTable)
        await pilot.press("q")
        await pilot.pause()
    assert app.results == [None]


def test_snapshot_payload_inspector(snap_compare) -> None:
    assert snap_compare(
        DialogHost(lambda: PayloadInspector(sample_request())),
        terminal_size=SIZE,
        run_before=steady,
    )


def test_snapshot_payload_inspector_clean_history(snap_compare) -> None:
    request = LastRequest(
        url="https://api.anthropic.com/v1/messages",
        payload={
            "model": "claude-sonnet-4-5",
            "max_tokens": 1024,
            "messages": [{"role": "user", "content": "hi"}],
        },
    )
    assert snap_compare(
        DialogHost(lambda: PayloadInspector(request)), terminal_size=SIZE, run_before=steady
    )


def test_snapshot_payload_inspector_empty(snap_compare) -> None:
    assert snap_compare(
        DialogHost(lambda: PayloadInspector(None)), terminal_size=SIZE, run_before=steady
    )


LONG_TEXT = "word " * 100


def long_line_inspector() -> DialogHost:
    """The inspector on a payload with one line far wider than the screen."""
    request = LastRequest(url="u", payload={"messages": [{"role": "user", "content": LONG_TEXT}]})
    return DialogHost(lambda: PayloadInspector(request))


async def test_json_view_wraps_long_lines_and_highlights_visible_ones() -> None:
    app = long_line_inspector()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(JsonView)
        line_count = len(view.text.splitlines())
        assert view.virtual_size.height > line_count  # the long line took several rows
        rows = [view.render_line(y) for y in range(view.virtual_size.height)]
        shown = "".join(strip.text.rstrip() for strip in rows)
        assert "".join(LONG_TEXT.split()) in "".join(shown.split())
        colours = {
            seg.style.color for strip in rows for seg in strip if seg.style and seg.text.strip()
        }
        assert len(colours) >= 2  # keys, strings and punctuation are told apart


async def test_json_view_wraps_within_its_scrollbar_when_the_json_is_taller_than_it() -> None:
    """The scrollbar appears once the rows are known: the rows are cut again to the
    narrower width, so no character is left under the scrollbar."""
    long_line = "".join(f"{i:03d}-" for i in range(200))
    messages = [{"role": "user", "content": f"message {i}"} for i in range(60)]
    messages.append({"role": "user", "content": long_line})
    request = LastRequest(url="u", payload={"messages": messages})
    app = DialogHost(lambda: PayloadInspector(request))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(JsonView)
        assert view.show_vertical_scrollbar
        width = view.scrollable_content_region.width
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        rows = [view.render_line(y).text for y in range(view.size.height)]
        assert all(len(row.rstrip()) <= width for row in rows)
        shown = "".join(row.strip() for row in rows)
        assert f'"content": "{long_line}"' in shown


async def test_json_view_selection_copies_the_json_as_written_across_wrapped_rows() -> None:
    app = long_line_inspector()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(JsonView)
        rows = [view.render_line(y).text.rstrip() for y in range(view.virtual_size.height)]
        first = next(y for y, row in enumerate(rows) if '"content"' in row)
        column = rows[first].index('"content"')
        # From "content" to three rows further down: the wrapped line comes back whole.
        selection = Selection(Offset(column, first), Offset(5, first + 3))
        copied = view.get_selection(selection)
        assert copied is not None
        assert copied[0].startswith('"content": "word word')
        assert "\n" not in copied[0]
        assert copied[0] in view.text
        # The mouse finds the character under it, and the selection is drawn.
        region = view.content_region
        found, offset = app.screen.get_widget_and_offset_at(region.x + column, region.y + first)
        assert found is view and offset == Offset(column, first)
        app.screen.selections = {view: selection}
        await pilot.pause()
        style = app.screen.get_component_rich_style("screen--selection")
        line = view.render_line(first)
        marked = "".join(s.text for s in line if s.style and s.style.bgcolor == style.bgcolor)
        assert marked.startswith('"content"')
        # The whole view selected (a double click) is the whole JSON.
        assert view.get_selection(Selection(None, None)) == (view.text, "\n")


async def test_report_entries_that_say_the_same_are_one_row_with_their_count() -> None:
    """A long session drops an earlier turn's reasoning on every turn: one row says so."""
    request = sample_request()
    earlier = [
        ReportEntry(f"01JEARLY{turn:04d}", "earlier-turn-reasoning", "dropped_reasoning", "x")
        for turn in range(2_000)
    ]
    request.report = [earlier[0], *request.report, *earlier[1:]]
    app = DialogHost(lambda: PayloadInspector(request))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0] == ["2,000 items", "earlier-turn-reasoning", "dropped_reasoning", "x"]
        assert [row[0] for row in rows[1:]] == ["01J9ZC7K3M", "—", "01J9ZC7K9Q"]
        heading = str(app.screen.query_one("#inspector-report-title", Static).render())
        assert "2,003 changes" in heading


@given(
    st.lists(
        st.text(alphabet=st.sampled_from(["a", " ", '"', "{", "é", "中", "🙂"]), max_size=30),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=2, max_value=12),
)
def test_wrapped_rows_are_the_rows_cell_counting_gives(lines: list[str], width: int) -> None:
    """The fast path for short ASCII lines cuts exactly where cell counting does, and
    lines it does not take (longer, or with wide characters) are cut by cell counting."""
    expected = []
    for index, line in enumerate(lines):
        start = 0
        for piece in chop_cells(line, width) or [""]:
            expected.append((index, start, start + len(piece)))
            start += len(piece)
    assert wrapped_rows(lines, width) == expected


def large_request(messages: int = PREPARED_AT_ONCE + 1) -> LastRequest:
    payload = {
        "model": "m",
        "messages": [{"role": "user", "content": f"message {i} {KEY}"} for i in range(messages)],
    }
    return LastRequest(url="u", payload=payload, report=sample_request().report)


class HeldPreparation:
    """``payload_json`` that waits until the test lets it finish."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        self.calls = 0
        real = inspector_module.payload_json

        def held(request: LastRequest, secrets: Sequence[str] = ()) -> str:
            self.calls += 1
            self.release.wait(10)
            return real(request, secrets)

        monkeypatch.setattr(inspector_module, "payload_json", held)


async def test_a_large_payload_is_prepared_while_the_dialog_is_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    held = HeldPreparation(monkeypatch)
    app = DialogHost(lambda: PayloadInspector(large_request(), secrets=(KEY,)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PayloadInspector)
        preparing = str(screen.query_one("#inspector-preparing", Static).render())
        assert f"Preparing the request JSON ({PREPARED_AT_ONCE + 1:,} items)" in preparing
        assert screen.query_one(DataTable).row_count == 3  # the report is there already
        await pilot.press("c")
        await pilot.pause()
        assert any("still being prepared" in n.message for n in app._notifications)
        assert app.clipboard == ""
        held.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = screen.query_one(JsonView)
        assert not screen.query("#inspector-preparing")
        assert screen.focused is view
        assert screen.json_text is not None and KEY not in screen.json_text
        shown = json.loads(screen.json_text)
        assert shown["messages"][-1]["content"] == f"message {PREPARED_AT_ONCE} {REDACTED}"
        assert view.text == screen.json_text
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == screen.json_text
    assert held.calls == 1


async def test_a_small_payload_is_shown_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    held = HeldPreparation(monkeypatch)
    held.release.set()
    app = DialogHost(lambda: PayloadInspector(large_request(PREPARED_AT_ONCE)))
    async with app.run_test(size=SIZE):
        screen = app.screen
        assert isinstance(screen, PayloadInspector)
        assert screen.query(JsonView) and not screen.query("#inspector-preparing")


async def test_closing_the_dialog_while_it_prepares_loses_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    held = HeldPreparation(monkeypatch)
    app = DialogHost(lambda: PayloadInspector(large_request()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        held.release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.results == [None]
        assert not isinstance(app.screen, PayloadInspector)
