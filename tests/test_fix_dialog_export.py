"""The sessions dialog's export writes a session holding a lone surrogate (an imported
or hand-edited one) as sessions export does: its JSON escape, importable back."""

from __future__ import annotations

import json
from pathlib import Path

from llmx_tui.store.session_format import parse_session_text
from llmx_tui.ui.dialogs.session_rows import write_export


def test_a_lone_surrogate_is_written_as_its_escape_and_reads_back(tmp_path: Path) -> None:
    export = {
        "format": "llmx-tui.session/1",
        "title": "cut",
        "items": [{"type": "user_message", "text": "half \ud83d an emoji"}],
    }
    path = write_export(tmp_path / "s.json", export)
    written = path.read_text(encoding="utf-8")
    assert "\\ud83d" in written
    assert json.loads(written)["items"][0]["text"] == "half \ud83d an emoji"
    assert parse_session_text(written) is not None
