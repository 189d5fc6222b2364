"""Rule 2's argument check takes a shortcut for the usual ``{...}`` shape.

``parse_arguments`` hands strings that start with ``{`` and end with ``}``
straight to the JSON scanner instead of ``JSONDecoder.decode`` (which only adds
a Python wrapper around it). These tests pin that the shortcut gives exactly
the verdict of the strict decoder: same object, same "malformed".
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmx_tui.providers.history_collect import parse_arguments


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def reference(arguments: str) -> dict[str, Any] | None:
    """Rule 2 spelled out with the standard decoder: a JSON object, NaN and Infinity refused."""
    try:
        value = json.loads(arguments, parse_constant=_reject_constant)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@pytest.mark.parametrize(
    "arguments",
    [
        "{}",
        '{"path": "x.txt"}',
        '{"a": {"b": [1, 2, {"c": null}]}}',
        '{"a": "}"}',
        '{"a": 1}}',
        '{"a": 1} }',
        '{"a": 1} x}',
        "{} {}",
        '{"a": NaN}',
        '{"a": Infinity}',
        '{"a": -Infinity}',
        '{"a": 1,}',
        "{'a': 1}",
        '{"a": 1',
        "{",
        "}",
        "{}}",
        '{"a"}',
        '{"a": 1}\n',
        ' {"a": 1}',
        '\n{"a": 1} ',
        '{"a": "\\ud800"}',
        '{"a": 1e400}',
        '{"a": 1, "a": 2}',
    ],
)
def test_the_shortcut_agrees_with_the_strict_decoder(arguments: str) -> None:
    assert parse_arguments(arguments) == reference(arguments)


def test_a_json_object_parses_to_itself() -> None:
    assert parse_arguments('{"path": "src/a.py", "lines": [1, 2]}') == {
        "path": "src/a.py",
        "lines": [1, 2],
    }


def test_malformed_objects_are_none() -> None:
    assert parse_arguments('{"a": 1}}') is None
    assert parse_arguments('{"a": NaN}') is None
    assert parse_arguments('{"a": ') is None


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=6,
)
# Valid JSON (NaN and Infinity included), then damaged in the places a cut or
# confused stream damages it.
_TEXTS = st.one_of(
    _JSON.map(lambda value: json.dumps(value)),
    st.dictionaries(st.text(max_size=3), _JSON, max_size=3).map(json.dumps),
    st.tuples(
        st.dictionaries(st.text(max_size=3), _JSON, max_size=3).map(json.dumps),
        st.sampled_from(["", " ", "}", " }", "\n", "{}", ",}", "x}"]),
        st.sampled_from(["", " ", "{", "\t"]),
    ).map(lambda parts: parts[2] + parts[0] + parts[1]),
    st.text(alphabet='{}[]":, \n0aN', max_size=12),
)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_any_text_gets_the_strict_decoders_verdict(arguments: str) -> None:
    assert parse_arguments(arguments) == reference(arguments)
