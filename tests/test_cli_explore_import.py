"""`llmx-tui sessions import` with numbers SQLite cannot keep.

A hand-written or foreign file may hold ``"created": NaN`` (Python's JSON reader takes
it), ``1e400`` (infinite once read) or a whole number past 2**63. The NaN item was
dropped by the insert without a word (the import printed an id, exit 0), the infinite
one was saved as null and made the whole session unreadable ("unexpected error:
ValidationError" on show and export), and a huge number was "unexpected error:
OverflowError". Each is now refused in one line naming the item, nothing imported.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from llmx_tui.cli_sessions import main
from llmx_tui.core.items import UserMessage
from llmx_tui.store.sqlite import SessionStore

pytestmark = pytest.mark.timeout(30)

HUGE = "99999999999999999999999"


def session(item_fields: str = "", usage: str = "{}") -> str:
    head = '{"format": "llmx-tui.session/1", "title": "t", "usage": ' + usage
    items = '[{"type": "user_message", "text": "first"}, {"type": "user_message", "text": "second"'
    return head + ', "items": ' + items + item_fields + "}]}"


def run(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    source = tmp_path / "session.json"
    source.write_text(text)
    code = main(["import", str(source), "--data-dir", str(tmp_path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (session(', "created": NaN'), 'item 1 (user_message): field "created" must be a finite'),
        (session(', "created": 1e400'), 'item 1 (user_message): field "created" must be a finite'),
        (session(', "created": -Infinity'), 'item 1 (user_message): field "created" must be a'),
        (session(f', "turn": {HUGE}'), 'item 1 (user_message): field "turn" must be a whole'),
        (session(usage=f'{{"output_tokens": {HUGE}}}'), 'usage "output_tokens" must be a whole'),
    ],
    ids=["nan", "overflowing float", "infinity", "huge turn", "huge usage"],
)
def test_a_number_sqlite_cannot_keep_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, problem: str
) -> None:
    code, out, err = run(tmp_path, text, capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"llmx-tui: {tmp_path / 'session.json'}: {problem}")
    assert err.count("\n") == 1 and "unexpected error" not in err
    with SessionStore.open(tmp_path / "history.db") as store:
        assert store.list_sessions() == []  # all or nothing


def test_the_largest_numbers_sqlite_keeps_still_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    largest = str(2**63 - 1)
    text = session(f', "turn": {largest}, "created": 1e15', f'{{"input_tokens": {largest}}}')
    code, out, err = run(tmp_path, text, capsys)
    assert (code, err) == (0, "")
    with SessionStore.open(tmp_path / "history.db") as store:
        items = store.load_items(out.strip())
        info = store.get_session(out.strip())
    assert [item.text for item in items if isinstance(item, UserMessage)] == ["first", "second"]
    assert items[1].turn == 2**63 - 1 and math.isclose(items[1].created, 1e15)
    assert info.input_tokens == 2**63 - 1


def test_an_item_the_database_refuses_is_an_error_not_a_silent_loss(tmp_path: Path) -> None:
    """The store no longer ignores every failed insert, only an item it has already."""
    with SessionStore.open(tmp_path / "history.db") as store:
        session_id = store.create_session(title="t")
        kept = UserMessage(text="kept")
        store.append_items(session_id, [kept])
        store.append_items(session_id, [kept])  # the same item again: skipped
        with pytest.raises(Exception, match="cannot save: NOT NULL"):
            store.append_items(session_id, [UserMessage(text="nan", created=math.nan)])
        assert store.load_items(session_id) == [kept]
