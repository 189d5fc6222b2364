"""Two processes writing one database at once: every row lands, no lock errors."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from llmx_tui.store.sqlite import SessionStore

APPENDS = 300

# Each writer opens the (possibly not yet existing) database once the go file
# appears, so creation and migration race too, then appends one item per
# transaction to its own session and to a shared one, with draft checkpoints.
WRITER = """
import sys, time
from pathlib import Path
from llmx_tui.core.items import UserMessage
from llmx_tui.store.sqlite import SessionStore

db, go, name, count = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
while not go.exists():
    time.sleep(0.005)
store = SessionStore.open(db)
own = store.create_session(title=name)
shared = None
while shared is None:
    shared = next((s.id for s in store.list_sessions() if s.title == "shared"), None)
    time.sleep(0.01)
for n in range(count):
    store.append_items(own, [UserMessage(text=f"{name} {n}")])
    store.append_items(shared, [UserMessage(text=f"{name} shared {n}")])
    store.save_draft(own, turn=n, text=f"draft {n}", reasoning="")
store.clear_draft(own)
store.close()
print("ok")
"""


def test_two_processes_append_concurrently(tmp_path: Path) -> None:
    db, go = tmp_path / "history.db", tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(go), name, str(APPENDS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    go.touch()
    # The shared session is created once the writers are running, mid-way through their open.
    time.sleep(0.05)
    with SessionStore.open(db) as store:
        store.create_session(title="shared")
    results = [writer.communicate(timeout=90) for writer in writers]
    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert out.strip() == "ok" and "locked" not in err

    with SessionStore.open(db) as store:
        sessions = {info.title: info for info in store.list_sessions()}
        for name in ("alpha", "beta"):
            texts = [item.text for item in store.load_items(sessions[name].id)]
            assert texts == [f"{name} {n}" for n in range(APPENDS)]
            assert store.get_draft(sessions[name].id) is None
        shared = [item.text for item in store.load_items(sessions["shared"].id)]
        assert len(shared) == 2 * APPENDS
        for name in ("alpha", "beta"):  # each writer's items stay in its own order
            mine = [text for text in shared if text.startswith(name)]
            assert mine == [f"{name} shared {n}" for n in range(APPENDS)]
