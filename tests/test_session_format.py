"""llmx-tui.session/1: strict import (all or nothing), export, round trip."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmx_tui.core.items import Reasoning
from llmx_tui.store.errors import SessionFormatError
from llmx_tui.store.export import fenced
from llmx_tui.store.session_format import SESSION_FORMAT, parse_session, parse_session_text
from llmx_tui.store.sqlite import SessionStore

SESSION: dict[str, Any] = {
    "format": SESSION_FORMAT,
    "title": "Everything at once",
    "provider": "anthropic",
    "model": "claude-x",
    "system_prompt": "You are terse.",
    "items": [
        {"type": "user_message", "text": "List files, then read one"},
        {
            "type": "reasoning",
            "text": "I will list.",
            "provider": "anthropic",
            "model": "claude-x",
            "signature": "sig==",
            "details": [{"type": "thinking", "thinking": "I will list.", "signature": "sig=="}],
            "vendor_blob": {"opaque": [1, 2, {"x": None}]},
        },
        {
            "type": "tool_call",
            "call_id": "c1",
            "name": "list_directory",
            "arguments": '{"path": "."}',
        },
        {"type": "tool_call", "call_id": "c2", "name": "read_file", "arguments": '{"path": '},
        {"type": "tool_output", "call_id": "c1", "output": "a.txt", "is_error": False},
        {"type": "tool_output", "call_id": "c2", "output": "bad json", "is_error": True},
        {"type": "assistant_message", "text": "Done.", "thought_signature": "ts"},
        {"type": "user_message", "text": "again"},
        {"type": "cancelled"},
        {"type": "error", "message": "server said no", "kind": "http"},
    ],
}


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    opened = SessionStore.open(tmp_path / "history.db")
    yield opened
    opened.close()


def _without_ids_and_times(exported: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in exported.items() if k not in ("id", "created", "updated")}
    out["items"] = [{k: v for k, v in item.items() if k != "created"} for item in exported["items"]]
    return out


def test_export_import_export_is_identical_apart_from_ids_and_times(store: SessionStore) -> None:
    first_id = store.import_session(SESSION)
    first = store.export_json(first_id)
    second_id = store.import_session(json.loads(json.dumps(first)))
    second = store.export_json(second_id)
    assert second_id != first_id
    assert _without_ids_and_times(first) == _without_ids_and_times(second)
    assert [item["created"] for item in first["items"]] == [
        item["created"] for item in second["items"]
    ]
    # And the export is the input, plus only what the input left implicit.
    assert _without_ids_and_times(first)["items"] == [
        {k: v for k, v in item.items() if k != "is_error" or v} for item in SESSION["items"]
    ]


def test_opaque_reasoning_fields_survive_byte_for_byte(store: SessionStore) -> None:
    session_id = store.import_session(SESSION)
    reasoning = store.load_items(session_id)[1]
    assert isinstance(reasoning, Reasoning)
    assert reasoning.model_extra == {"vendor_blob": {"opaque": [1, 2, {"x": None}]}}
    assert reasoning.details == SESSION["items"][1]["details"]
    assert reasoning.signature == "sig=="


def test_imported_items_get_fresh_ids_so_a_file_imports_twice(store: SessionStore) -> None:
    data = copy.deepcopy(SESSION)
    data["items"][0]["id"] = "fixed-id"
    first, second = store.import_session(data), store.import_session(data)
    ids = [item.id for item in store.load_items(first) + store.load_items(second)]
    assert "fixed-id" not in ids and len(set(ids)) == len(ids)


def test_title_defaults_to_the_first_user_message(store: SessionStore) -> None:
    data = {"format": SESSION_FORMAT, "items": [{"type": "user_message", "text": "Hi there"}]}
    assert store.get_session(store.import_session(data)).title == "Hi there"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"type": "video", "url": "x"}, 'item 2: unknown item type "video"'),
        ({"text": "no type"}, 'item 2: missing field "type"'),
        (
            {"type": "tool_call", "name": "f", "arguments": "{}"},
            'item 2 (tool_call): missing field "call_id"',
        ),
        (
            {"type": "tool_output", "call_id": "c", "output": 3},
            'item 2 (tool_output): field "output"',
        ),
        ({"type": "user_message"}, 'item 2 (user_message): missing field "text"'),
        ({"type": "error"}, 'item 2 (error): missing field "message"'),
        ("just a string", "item 2: expected an object"),
    ],
)
def test_bad_items_are_named_by_index_and_nothing_is_imported(
    store: SessionStore, item: Any, message: str
) -> None:
    data = {
        "format": SESSION_FORMAT,
        "title": "t",
        "items": [
            {"type": "user_message", "text": "a"},
            {"type": "assistant_message", "text": "b"},
            item,
        ],
    }
    with pytest.raises(SessionFormatError) as caught:
        store.import_session(data)
    assert message in str(caught.value)
    assert store.list_sessions() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "expected a JSON object"),
        ({"items": []}, "not an llmx-tui session"),
        ({"format": "llmx-tui.session/2", "items": []}, "not an llmx-tui session"),
        ({"format": SESSION_FORMAT}, '"items" must be a list'),
        ({"format": SESSION_FORMAT, "title": 5, "items": []}, '"title" must be a string'),
        ({"format": SESSION_FORMAT, "items": [], "usage": {"input_tokens": -1}}, "usage"),
    ],
)
def test_bad_documents_are_refused(data: Any, message: str) -> None:
    with pytest.raises(SessionFormatError, match=message):
        parse_session(data)


def test_invalid_json_names_the_source_and_position() -> None:
    with pytest.raises(SessionFormatError, match=r"f.json is not valid JSON \(line 2, column 1"):
        parse_session_text('{"format":\n}', "f.json")


_text = st.text(max_size=40)
_optional = st.none() | st.text(min_size=1, max_size=10)
_items = st.lists(
    st.one_of(
        st.builds(lambda t: {"type": "user_message", "text": t}, _text),
        st.builds(lambda t: {"type": "assistant_message", "text": t}, _text),
        st.builds(
            lambda t, p, s, blob: {
                "type": "reasoning",
                "text": t,
                "provider": p,
                "signature": s,
                "opaque": blob,
            },
            _text,
            _optional,
            _optional,
            st.recursive(
                st.none() | st.integers() | _text,
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3)
                ),
                max_leaves=6,
            ),
        ),
        st.builds(
            lambda c, n, a: {"type": "tool_call", "call_id": c, "name": n, "arguments": a},
            _text,
            _text,
            _text,
        ),
        st.builds(
            lambda c, o, e: {"type": "tool_output", "call_id": c, "output": o, "is_error": e},
            _text,
            _text,
            st.booleans(),
        ),
        st.just({"type": "cancelled"}),
        st.builds(lambda m, k: {"type": "error", "message": m, "kind": k}, _text, _text),
    ),
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(items=_items, title=_optional)
def test_round_trip_holds_for_any_history(
    store: SessionStore, items: list[Any], title: str | None
) -> None:
    first = store.export_json(
        store.import_session({"format": SESSION_FORMAT, "title": title, "items": items})
    )
    second = store.export_json(store.import_session(json.loads(json.dumps(first))))
    assert _without_ids_and_times(first) == _without_ids_and_times(second)
    assert [item["type"] for item in first["items"]] == [item["type"] for item in items]


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="`a\n ~", max_size=60))
def test_markdown_fences_always_outlast_their_content(text: str) -> None:
    block = fenced(text)
    fence = block.split("\n", 1)[0]
    inner = block[len(fence) + 1 : -len(fence) - 1]
    assert inner == text.rstrip("\n")
    assert not any(line.startswith(fence) for line in inner.split("\n"))
