"""Benchmarks for llmx-tui: ``python -m bench`` (see BENCHMARKS.md)."""

from __future__ import annotations

import sys
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent
# The package (tui/) and the test helpers (tests/loopback.py) import from this checkout.
for _path in (_REPO / "tui", _REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))
