"""The parse benchmark's proposals read every corpus stream as the app's path does.

A proposal that read differently would make its timing meaningless, so each
one's outcome is compared with the real path's (``EventReader``) on every
corpus file cut into 1-byte, 7-byte and 4 kB pieces.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.parse_clients import ours_decode, split_chunks
from bench.proposal_sse import per_text_decode

from tests.test_conformance import STREAMS, dialect_of


@pytest.mark.parametrize("path", STREAMS, ids=[p.stem for p in STREAMS])
async def test_proposals_match_the_real_path(path: Path) -> None:
    dialect = dialect_of(path)
    body = path.read_bytes()
    for size in (1, 7, 4096):
        chunks = split_chunks(body, size)
        real = await ours_decode(chunks, dialect)
        assert await per_text_decode(chunks, dialect) == real
        slotted = await per_text_decode(chunks, dialect, slotted=True)
        assert slotted == real
