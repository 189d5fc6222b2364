"""Wire ids shaped for a server in one plain pass (``history_ids.rewrite_wire_ids``).

The pass shapes each payload-unique id once; when two ids shape to the same
string the later one is salted. These pin the exact ids and report entries, so
the shortcut (no id-to-id mapping, no per-call callable) cannot drift.
"""

from __future__ import annotations

from llmx_tui.providers.anthropic.payload import build_payload as anthropic_payload
from llmx_tui.providers.base import ReportEntry
from llmx_tui.providers.openai_chat.payload import build_payload as openai_payload
from tests.payload_validators import call, output, settings_for, user


def test_two_ids_that_shape_alike_stay_distinct_and_paired() -> None:
    history = [
        user("u1", "Read both."),
        call("c1", "a.b"),
        call("c2", "a_b"),
        output("o1", "a.b", "first"),
        output("o2", "a_b", "second"),
    ]
    payload, report = anthropic_payload(history, settings_for("anthropic"))
    uses = [b["id"] for m in payload["messages"] for b in m["content"] if b["type"] == "tool_use"]
    results = {
        b["tool_use_id"]: b["content"]
        for m in payload["messages"]
        for b in m["content"]
        if b["type"] == "tool_result"
    }
    assert uses == ["a_b", "a_b_1"]
    assert results == {"a_b": "first", "a_b_1": "second"}
    assert report == [
        ReportEntry("c1", "call-id-format", "changed", "id 'a.b' sent as 'a_b'"),
        ReportEntry("c2", "call-id-format", "changed", "id 'a_b' sent as 'a_b_1'"),
    ]


def test_an_id_already_in_shape_is_left_alone_and_not_reported() -> None:
    history = [user("u1", "Go."), call("c1", "toolu_01"), output("o1", "toolu_01")]
    payload, report = anthropic_payload(history, settings_for("anthropic"))
    assert payload["messages"][1]["content"][0]["id"] == "toolu_01"
    assert report == []


def test_mistral_ids_after_a_duplicate_id_are_distinct_and_paired() -> None:
    # "call_1" twice: history_ids first makes it "call_1" and "call_1_2", then
    # both are hashed to nine alphanumerics.
    history = [
        user("u1", "Twice."),
        call("c1", "call_1"),
        output("o1", "call_1", "one"),
        call("c2", "call_1"),
        output("o2", "call_1", "two"),
        call("c3", "abcDEF123"),
        output("o3", "abcDEF123", "three"),
    ]
    payload, report = openai_payload(history, settings_for("mistral"))
    messages = payload["messages"]
    ids = [m["tool_calls"][0]["id"] for m in messages if m.get("tool_calls")]
    answered = [(m["tool_call_id"], m["content"]) for m in messages if m["role"] == "tool"]
    assert len(set(ids)) == 3
    assert all(len(i) == 9 and i.isalnum() for i in ids)
    assert ids[2] == "abcDEF123"
    assert answered == list(zip(ids, ["one", "two", "three"], strict=True))
    rules = [(entry.item_id, entry.rule) for entry in report]
    assert rules == [
        ("c2", "duplicate-call-id"),
        ("c1", "call-id-format"),
        ("c2", "call-id-format"),
    ]
