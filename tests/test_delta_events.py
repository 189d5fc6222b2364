"""Delta events are plain frozen slotted classes; they must behave as the pydantic ones did.

The reference models below are the old definitions, kept here only to prove that
the headless --json lines are byte for byte what they were.
"""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import (
    DELTA_EVENTS,
    ReasoningDelta,
    RefusalDelta,
    TextDelta,
    ToolCallArgumentsDelta,
    Usage,
    event_to_json_dict,
)
from llmx_tui.headless import JsonPrinter


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class OldTextDelta(_Frozen):
    type: Literal["text_delta"] = "text_delta"
    text: str


class OldReasoningDelta(_Frozen):
    type: Literal["reasoning_delta"] = "reasoning_delta"
    text: str


class OldRefusalDelta(_Frozen):
    type: Literal["refusal_delta"] = "refusal_delta"
    text: str


class OldToolCallArgumentsDelta(_Frozen):
    type: Literal["tool_call_arguments_delta"] = "tool_call_arguments_delta"
    index: int
    fragment: str


AWKWARD_TEXTS = [
    "",
    "plain",
    'quote " back\\slash',
    "Ελλάδα 東京 🙂",
    "\x1b[31mred\x00\n\t",
    "\ud800",
]

PAIRS: list[tuple[Any, Any]] = [
    (TextDelta, OldTextDelta),
    (ReasoningDelta, OldReasoningDelta),
    (RefusalDelta, OldRefusalDelta),
]


@pytest.mark.parametrize(("new", "old"), PAIRS)
@pytest.mark.parametrize("text", AWKWARD_TEXTS)
def test_json_dicts_are_what_pydantic_dumped(new: Any, old: Any, text: str) -> None:
    got = event_to_json_dict(new(text=text))
    want = old(text=text).model_dump(mode="json")
    assert list(got.items()) == list(want.items())  # same keys in the same order


@pytest.mark.parametrize("fragment", AWKWARD_TEXTS)
def test_argument_deltas_dump_as_before(fragment: str) -> None:
    got = event_to_json_dict(ToolCallArgumentsDelta(index=3, fragment=fragment))
    want = OldToolCallArgumentsDelta(index=3, fragment=fragment).model_dump(mode="json")
    assert list(got.items()) == list(want.items())


def test_headless_json_lines_are_byte_identical() -> None:
    out = io.StringIO()
    printer = JsonPrinter(out)
    expected = ""
    for text in AWKWARD_TEXTS[:-1]:  # a lone surrogate cannot be written to a terminal
        for new, old in PAIRS[:2]:  # the printer writes text and reasoning deltas
            printer.handle(new(text=text))
            dumped = old(text=text).model_dump(mode="json")
            expected += json.dumps(dumped, ensure_ascii=False) + "\n"
    printer.handle(Usage(input_tokens=2))  # other events still go through pydantic
    expected += json.dumps(Usage(input_tokens=2).model_dump(mode="json")) + "\n"
    assert out.getvalue() == expected


def test_type_names_equality_and_repr() -> None:
    assert [cls.type for cls in DELTA_EVENTS] == [
        "text_delta",
        "reasoning_delta",
        "refusal_delta",
        "tool_call_arguments_delta",
    ]
    assert TextDelta(text="a").type == "text_delta"
    assert TextDelta("a") == TextDelta(text="a")
    assert TextDelta(text="a") != TextDelta(text="b")
    assert TextDelta(text="a") != ReasoningDelta(text="a")  # same field, other kind
    assert TextDelta(text="a") != OldTextDelta(text="a")
    assert ToolCallArgumentsDelta(index=0, fragment="{") != ToolCallArgumentsDelta(1, "{")
    assert len({TextDelta(text="a"), TextDelta(text="a"), RefusalDelta(text="a")}) == 2
    assert repr(TextDelta(text="hi")) == "TextDelta(text='hi')"
    assert repr(ToolCallArgumentsDelta(2, "{}")) == "ToolCallArgumentsDelta(index=2, fragment='{}')"


@pytest.mark.parametrize("cls", DELTA_EVENTS)
def test_deltas_are_frozen_and_slotted(cls: Any) -> None:
    fields = {f.name: ("x" if f.type == "str" else 1) for f in dataclasses.fields(cls)}
    delta = cls(**fields)
    assert not hasattr(delta, "__dict__")
    name = next(iter(fields))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(delta, name, "changed")
    # No room for new attributes (Python 3.11 says so with a TypeError for frozen slots).
    with pytest.raises((AttributeError, TypeError)):
        delta.extra = 1  # type: ignore[attr-defined]


def test_the_bus_coalesces_slotted_deltas_into_slotted_deltas() -> None:
    bus = EventBus()
    sub = bus.subscribe()
    for piece in ("Hel", "lo"):
        bus.publish(TextDelta(text=piece))
    bus.publish(RefusalDelta(text="no"))
    bus.publish(ToolCallArgumentsDelta(index=1, fragment='{"a"'))
    bus.publish(ToolCallArgumentsDelta(index=1, fragment=":1}"))
    assert sub.drain() == [
        TextDelta(text="Hello"),
        RefusalDelta(text="no"),
        ToolCallArgumentsDelta(index=1, fragment='{"a":1}'),
    ]
