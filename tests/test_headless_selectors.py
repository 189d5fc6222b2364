"""--print on a terminal: a variation-selector run streamed one selector per chunk is shown."""

from __future__ import annotations

import io

import pytest

from llmx_tui.core.events import ReasoningDelta, TextDelta, TurnCompleted, Usage
from llmx_tui.headless import TextPrinter

VS16 = "\ufe0f"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _printed(kind: type[TextDelta] | type[ReasoningDelta], *chunks: str) -> str:
    out, err = Terminal(), Terminal()
    printer = TextPrinter(out, err)
    for chunk in chunks:
        printer.handle(kind(text=chunk))
    printer.handle(TurnCompleted(finish_reason="stop", usage=Usage()))
    shown = (out if kind is TextDelta else err).getvalue()
    return shown.replace("\x1b[2m", "").replace("\x1b[0m", "")  # reasoning's dim


@pytest.mark.parametrize("kind", [TextDelta, ReasoningDelta])
def test_a_run_split_one_selector_per_chunk_is_shown(kind: type[TextDelta]) -> None:
    shown = _printed(kind, "A", VS16, VS16, VS16, " ok")
    assert VS16 not in shown
    assert shown.count("<U+FE0F>") == 3


@pytest.mark.parametrize("kind", [TextDelta, ReasoningDelta])
def test_after_an_emoji_only_the_first_selector_of_a_split_run_is_kept(
    kind: type[TextDelta],
) -> None:
    shown = _printed(kind, "hi \U0001f600", VS16, VS16, VS16, "!")
    assert shown.count(VS16) == 1 and shown.count("<U+FE0F>") == 2
    assert "\U0001f600" + VS16 + "<U+FE0F>" in shown


def test_an_emoji_and_its_selector_split_across_chunks_stay_as_they_are() -> None:
    assert _printed(TextDelta, "\u2764", VS16 + " love") == "\u2764" + VS16 + " love\n"
