"""Surrogates in a request's text, mended and reported (see ``core.surrogates``)."""

from __future__ import annotations

from llmx_tui.core.surrogates import encodable
from llmx_tui.providers.base import ReportEntry


def mended_text(text: str, item_id: str | None, what: str, report: list[ReportEntry]) -> str:
    """``text`` as a request can carry it: when it holds surrogates (an imported or
    hand-edited session), a mended copy, reported. The saved text stays as it was."""
    mended = encodable(text)
    if mended is text:
        return text
    report.append(
        ReportEntry(
            item_id,
            "surrogates-in-text",
            "changed",
            f"{what}: a character cut in two was mended (U+FFFD where it could not be)",
        )
    )
    return mended
