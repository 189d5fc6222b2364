"""`llmx-tui sessions ...` end to end through main(): output, files, errors."""

from __future__ import annotations

import io
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from llmx_tui.cli import main as llmx_main
from llmx_tui.cli_sessions import main
from llmx_tui.store.session_format import SESSION_FORMAT
from llmx_tui.store.sqlite import SessionStore

pytestmark = pytest.mark.timeout(30)

SESSION = {
    "format": SESSION_FORMAT,
    "title": "Shell help",
    "provider": "openai",
    "model": "gpt-test",
    "items": [
        {"type": "user_message", "text": "How do I count lines?"},
        {"type": "reasoning", "text": "Use wc. </details><b>not html</b>"},
        {
            "type": "tool_call",
            "call_id": "c1",
            "name": "run_shell",
            "arguments": '{"command": "wc -l notes.txt"}',
        },
        {"type": "tool_output", "call_id": "c1", "output": "42 notes.txt\n````\nfence inside"},
        {"type": "assistant_message", "text": "Run `wc -l FILE`: your file has 42 lines."},
        {"type": "user_message", "text": "And words?"},
        {"type": "tool_call", "call_id": "c2", "name": "run_shell", "arguments": "{broken"},
        {"type": "cancelled"},
    ],
}


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = main([*args, "--data-dir", str(self.data_dir)])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def imported(self, tmp_path: Path, data: dict[str, Any] = SESSION) -> str:
        source = tmp_path / f"session-{len(list(tmp_path.glob('session-*')))}.json"
        source.write_text(json.dumps(data))
        code, out, err = self("import", str(source))
        assert code == 0, err
        return out.strip()


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "data", capsys)


def _failed_with(result: tuple[int, str, str], text: str, status: int = 1) -> None:
    code, _out, err = result
    assert code == status
    assert text in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_import_list_and_show(cli: Cli, tmp_path: Path) -> None:
    assert cli("list") == (0, "No sessions yet.\n", "")
    session_id = cli.imported(tmp_path)
    assert len(session_id) == 32
    code, out, _ = cli("list")
    assert code == 0 and session_id[:8] in out and "Shell help" in out and "gpt-test" in out
    code, out, _ = cli("list", "--json")
    [entry] = json.loads(out)
    assert entry["id"] == session_id and entry["title"] == "Shell help"
    assert entry["model"] == "gpt-test" and entry["item_count"] == 8
    assert isinstance(entry["updated"], float)
    code, out, _ = cli("show", session_id[:6])
    assert code == 0
    assert "    1  user       How do I count lines?" in out
    assert "    3  tool call  run_shell(" in out and "    8  cancelled" in out


def test_list_is_newest_first(cli: Cli, tmp_path: Path) -> None:
    first = cli.imported(tmp_path)
    second = cli.imported(tmp_path, {**SESSION, "title": "Second"})
    assert [entry["id"] for entry in json.loads(cli("list", "--json")[1])] == [second, first]
    assert [e["id"] for e in json.loads(cli("list", "--json", "--limit", "1")[1])] == [second]


def test_search_prints_ranked_snippets(cli: Cli, tmp_path: Path) -> None:
    session_id = cli.imported(tmp_path)
    code, out, _ = cli("search", "lines")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(session_id[:8]) and "#1" in lines[0]
    assert "«lines»" in lines[1]
    assert cli("search", "zebra") == (0, "No matches.\n", "")
    assert len(cli("search", "lines", "--limit", "1")[1].splitlines()) == 2


def test_markdown_export_reads_well(cli: Cli, tmp_path: Path) -> None:
    session_id = cli.imported(tmp_path)
    code, out, _ = cli("export", session_id[:5], "--format", "md")
    assert code == 0
    assert out.startswith("# Shell help\n")
    assert "## Turn 1" in out and "## Turn 2" in out and "### You" in out
    assert "<details>\n<summary>Reasoning</summary>" in out
    assert "&lt;/details>" in out  # model text cannot close the block
    assert out.count("<details>") == out.count("</details>") == 1
    assert '```json\n{\n  "command": "wc -l notes.txt"\n}\n```' in out
    assert "`````\n42 notes.txt\n````\nfence inside\n`````" in out
    assert "*Arguments (not valid JSON):*\n\n```\n{broken\n```" in out
    assert "Cancelled" in out


def test_json_export_to_file_round_trips_through_import(cli: Cli, tmp_path: Path) -> None:
    session_id = cli.imported(tmp_path)
    target = tmp_path / "out.json"
    assert cli("export", session_id, "--format", "json", "-o", str(target)) == (0, "", "")
    exported = json.loads(target.read_text())
    assert exported["format"] == SESSION_FORMAT and exported["id"] == session_id
    code, again, _ = cli("import", str(target))
    assert code == 0
    reexported = json.loads(cli("export", again.strip(), "--format", "json")[1])
    for document in (exported, reexported):
        for key in ("id", "created", "updated"):
            document.pop(key)
    assert exported == reexported


def test_rename_fork_and_delete(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session_id = cli.imported(tmp_path)
    assert cli("rename", session_id[:8], "Counting", "lines") == (0, "", "")
    code, out, _ = cli("fork", session_id[:8], "--at", "5")
    forked = out.strip()
    with SessionStore.open(cli.data_dir / "history.db") as store:
        assert store.get_session(session_id).title == "Counting lines"
        assert store.get_session(forked).title == "Counting lines (fork)"
        assert [item.type for item in store.load_items(forked)][-1] == "assistant_message"
        assert store.get_session(forked).item_count == 5
    _failed_with(cli("fork", session_id, "--at", "9"), "between 1 and 8")

    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    _failed_with(cli("delete", forked), "refusing to delete without --yes")
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    assert cli("delete", forked)[0] == 1
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    code, _, err = cli("delete", forked)
    assert code == 0 and "Delete session" in err and "(5 items)" in err
    assert cli("delete", session_id, "--yes") == (0, "", "")
    assert cli("list") == (0, "No sessions yet.\n", "")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_errors_are_one_line_and_exit_1_or_2_for_usage(cli: Cli, tmp_path: Path) -> None:
    """A runtime failure exits 1; a usage error 2, as for the main command."""
    _failed_with(cli("show", "ffff"), "no session id starts with 'ffff'")
    _failed_with(cli("import", str(tmp_path / "missing.json")), "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**SESSION, "items": [*SESSION["items"], {"type": "photo"}]}))
    _failed_with(cli("import", str(bad)), 'item 8: unknown item type "photo"')
    assert cli("list", "--json")[1].strip() == "[]"  # nothing was imported
    bad.write_text("{not json")
    _failed_with(cli("import", str(bad)), "is not valid JSON")
    _failed_with(cli("export", "x", "--format", "pdf"), "invalid choice: 'pdf'", 2)
    _failed_with(cli("fork", "x"), "--at", 2)
    _failed_with(cli("frobnicate"), "invalid choice", 2)
    _failed_with(cli("list", "--bogus"), "unrecognized arguments: --bogus", 2)
    bad.write_bytes(b"\xff\xfe{}")
    _failed_with(cli("import", str(bad)), "is not UTF-8 text")
    session_id = cli.imported(tmp_path)
    nowhere = tmp_path / "no" / "such" / "dir" / "out.md"
    _failed_with(cli("export", session_id, "-o", str(nowhere)), f"cannot write {nowhere}")


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["list", "--limit", "0"], "argument --limit: must be at least 1"),
        (["list", "--limit", "-1"], "argument --limit: must be at least 1"),
        (["search", "lines", "--limit", "0"], "argument --limit: must be at least 1"),
        (["list", "--limit", "some"], "argument --limit: 'some' is not a whole number"),
        (["export", "{id}", "-o", ""], "argument -o/--output: needs a file name"),
    ],
)
def test_a_limit_below_one_or_an_empty_file_name_is_refused_not_read_as_no_sessions(
    cli: Cli, tmp_path: Path, args: list[str], problem: str
) -> None:
    """``--limit 0`` printed "No sessions yet." and ``-o ''`` wrote to stdout. A usage
    error: exit 2."""
    session_id = cli.imported(tmp_path)
    code, out, err = cli(*[arg.replace("{id}", session_id) for arg in args])
    assert (code, out) == (2, "")
    assert err.startswith(
        f"llmx-tui sessions: {problem} (see `llmx-tui sessions {args[0]} --help`)"
    )
    assert err.count("\n") == 1


def test_ambiguous_prefix_is_reported(cli: Cli, tmp_path: Path) -> None:
    ids = [cli.imported(tmp_path) for _ in range(20)]
    shared = next(a[0] for a in ids if sum(b[0] == a[0] for b in ids) > 1)
    _failed_with(cli("show", shared), "matches several sessions")


def test_the_main_command_dispatches_and_data_dir_goes_anywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "elsewhere"
    assert llmx_main(["sessions", "--data-dir", str(data), "list", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    assert (data / "history.db").is_file()
    assert llmx_main(["sessions", "--help"]) == 0
    assert "export" in capsys.readouterr().out


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
TRICKY = {
    **SESSION,
    "title": "Invoice \u202egpj.exe\u202c ready",
    "model": "gpt\x1b[2J-\u2066test\u2069",
    "items": [
        {
            "type": "user_message",
            "text": "smuggled \u202eevil\u202c text \x1b]0;owned\x07 and \x85",
        },
        {
            "type": "tool_call",
            "call_id": "c1",
            "name": "write_file",
            "arguments": '{"path": "a\u2067b\u2069.txt", "content": "zero\u200bwidth"}',
        },
        {"type": "assistant_message", "text": "family \U0001f468\u200d\U0001f469 stays joined"},
        {"type": "assistant_message", "text": "hidden x\ufe00\ufe01\U000e0100 run"},
    ],
}


def _tty(monkeypatch: pytest.MonkeyPatch, stream: Any, columns: int = 120) -> None:
    monkeypatch.setattr(stream, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", str(columns))  # the width shutil.get_terminal_size reports


def test_on_a_terminal_show_list_and_search_escape_what_reorders_or_hides_text(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = cli.imported(tmp_path, TRICKY)
    _tty(monkeypatch, sys.stdout)
    outputs = [cli("show", session_id)[1], cli("list")[1], cli("search", "smuggled")[1]]
    for out in outputs:
        assert not set(out) & set(BIDI + "\x1b\x07\x85\u200b"), repr(out)
    show, listing, search = outputs
    assert "Invoice <U+202E>gpj.exe<U+202C> ready" in show and "Invoice <U+202E>gpj" in listing
    assert "user       smuggled <U+202E>evil<U+202C> text ]0;owned and <U+0085>" in show
    assert "a<U+2067>b<U+2069>.txt" in show and "zero<U+200B>" in show
    assert "gpt [2J-<U+2066>test<U+2069>" in show  # the model line too
    assert "\U0001f468\u200d\U0001f469 stays joined" in show  # a joiner is not hidden text
    assert "<U+202E>evil<U+202C>" in search
    assert "x<U+FE00><U+FE01><U+E0100> run" in show  # a run of variation selectors
    shown = cli("export", session_id, "--format", "json")[1]
    assert "\\ufe00\\ufe01\\udb40\\udd00 run" in shown and "\ufe00" not in shown
    assert json.loads(shown)["items"][-1]["text"] == TRICKY["items"][-1]["text"]
    listed = cli("list", "--json")[1]
    assert "\\u202e" in listed and "\u202e" not in listed
    assert json.loads(listed)[0]["title"] == TRICKY["title"]  # same data, safe to show


def test_an_export_to_a_terminal_escapes_what_reorders_or_hides_text(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = cli.imported(tmp_path, TRICKY)
    _tty(monkeypatch, sys.stdout)
    markdown = cli("export", session_id, "--format", "md")[1]
    assert not set(markdown) & set(BIDI + "\x1b\u200b"), repr(markdown)
    assert "smuggled <U+202E>evil<U+202C> text" in markdown
    exported = cli("export", session_id, "--format", "json")[1]
    assert "\u202e" not in exported and "\\u202e" in exported
    assert json.loads(exported)["title"] == TRICKY["title"]  # the same data, safe to show


def test_piped_output_keeps_the_characters_but_never_an_escape_sequence(
    cli: Cli, tmp_path: Path
) -> None:
    session_id = cli.imported(tmp_path, TRICKY)
    outputs = [cli("show", session_id)[1], cli("list")[1], cli("search", "smuggled")[1]]
    for out in outputs:
        assert "\x1b" not in out and "\x07" not in out and "<U+" not in out
    show = outputs[0]
    assert "Invoice \u202egpj.exe\u202c ready" in show  # as stored: a pipe or a file
    assert "Model    gpt [2J-\u2066test\u2069 (openai)" in show


def test_the_delete_question_escapes_for_the_terminal_it_is_asked_on(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session_id = cli.imported(tmp_path, TRICKY)
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    _tty(monkeypatch, sys.stderr)  # stdout may be a pipe; the question goes to stderr
    code, _, err = cli("delete", session_id)
    assert code == 1 and '"Invoice <U+202E>gpj.exe<U+202C> ready"' in err


def test_every_format_character_but_the_joiners_counts_as_hidden() -> None:
    from llmx_tui.cli_sessions import _visible

    hidden = [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) == "Cf" or 0x80 <= code <= 0x9F
    ]
    missed = [f"U+{ord(c):04X}" for c in hidden if c not in "\u200c\u200d" and _visible(c) == c]
    assert missed == []
    ordinary = "\u200c\u200d plain é 中文 \U0001f600"
    assert _visible(ordinary) == ordinary
