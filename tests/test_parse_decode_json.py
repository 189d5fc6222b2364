"""``decode_json`` takes a value followed by JSON whitespace without decoding it twice.

Anthropic pads some events with spaces after the object; ``json.loads`` skips
exactly `` \\t\\n\\r`` there (not every character ``str.isspace`` knows), so the
shortcut must accept those and nothing else, with the same result.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmx_tui.providers import stream_state
from llmx_tui.providers.stream_state import decode_json


def loads_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


_padding = st.text(alphabet=" \t\n\r\x0b\x0c\xa0\u2028\u3000x}", max_size=6)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
).map(lambda value: json.dumps(value, separators=(",", ":")))


@settings(max_examples=400, deadline=None)
@given(_values, _padding, _padding)
def test_padding_around_a_value_decodes_as_json_loads_does(
    value: str, before: str, after: str
) -> None:
    text = before + value + after
    assert repr(decode_json(text)) == repr(loads_or_none(text))


@pytest.mark.parametrize("padding", [" ", "   \r\n", "\t", "\n\n"])
def test_trailing_json_whitespace_is_decoded_once(
    padding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_second_decoding(text: str) -> Any:
        raise AssertionError("decoded twice")

    monkeypatch.setattr(stream_state.json, "loads", no_second_decoding)
    assert decode_json('{"type":"ping"}' + padding) == {"type": "ping"}


@pytest.mark.parametrize("padding", ["\xa0", "\x0b", "\u2028", " x"])
def test_other_trailing_characters_are_left_to_json_loads(padding: str) -> None:
    assert decode_json('{"type":"ping"}' + padding) is None


@settings(max_examples=300, deadline=None)
@given(_values, st.data())
def test_a_cut_or_broken_value_is_what_json_loads_makes_of_it(value: str, data: Any) -> None:
    """The scanner reports some errors as StopIteration, others as ValueError: all are
    left to ``json.loads``, so a broken event is None as before."""
    cut = data.draw(st.integers(0, len(value)))
    broken = data.draw(st.sampled_from(["", "]", "}", ",", ":", '"', "x", "-", "1e"]))
    for text in (value[:cut], value[:cut] + broken, broken + value):
        assert repr(decode_json(text)) == repr(loads_or_none(text))
