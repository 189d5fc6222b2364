"""PAYLOAD-RULES section 1, rule by rule, with exact expected payloads.

Most tables use the ``openai`` preset (the strictest OpenAI-style form); the
reasoning rules use an anchored preset (``vllm``, field ``reasoning``).
"""

from __future__ import annotations

import gc
from typing import Any

import pytest

from llmx_tui.core.items import Cancelled, TurnError
from llmx_tui.providers.base import ReportEntry
from llmx_tui.providers.history import CANCELLED_OUTPUT, INTERRUPTED_OUTPUT, normalise_history
from llmx_tui.providers.openai_chat.payload import build_payload
from tests.payload_validators import (
    call,
    check_payload,
    check_rules,
    neutral_view,
    output,
    said,
    settings_for,
    thought,
    user,
)

OPENAI = settings_for("openai", include_usage=False)
VLLM = settings_for("vllm", model="qwen3", include_usage=False)


def messages_for(history: list[Any], settings: Any = OPENAI) -> list[dict[str, Any]]:
    payload, _ = build_payload(history, settings)
    check_payload(payload, settings)
    return payload["messages"]


def entries(history: list[Any], settings: Any = OPENAI) -> set[tuple[str | None, str, str]]:
    _, report = build_payload(history, settings)
    return {(e.item_id, e.rule, e.action) for e in report}


def tool_calls(*calls: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
            for cid, name, args in calls
        ],
    }


def tool(call_id: str, text: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": text}


# Rule 1 -----------------------------------------------------------------------------


def test_empty_and_whitespace_arguments_are_sent_as_empty_object() -> None:
    history = [
        user("u1", "time?"),
        call("c1", "a", "now", ""),
        call("c2", "b", "today", " \n\t"),
        output("o1", "a", "12:00"),
        output("o2", "b", "Monday"),
    ]
    assert messages_for(history) == [
        {"role": "user", "content": "time?"},
        tool_calls(("a", "now", "{}"), ("b", "today", "{}")),
        tool("a", "12:00"),
        tool("b", "Monday"),
    ]
    assert entries(history) == {
        ("c1", "empty-arguments", "changed"),
        ("c2", "empty-arguments", "changed"),
    }


# Rule 2 -----------------------------------------------------------------------------


def test_malformed_call_is_skipped_with_its_output_and_its_sibling_kept() -> None:
    history = [
        user("u1", "read two"),
        call("c1", "a", "read_file", '{"path": "x'),
        call("c2", "b", "read_file", '{"path": "y"}'),
        output("o1", "a", "error: arguments were not valid JSON"),
        output("o2", "b", "Y"),
        said("a1", "done"),
        user("u2", "thanks"),
    ]
    assert messages_for(history) == [
        {"role": "user", "content": "read two"},
        tool_calls(("b", "read_file", '{"path": "y"}')),
        tool("b", "Y"),
        {"role": "assistant", "content": "done"},
        {"role": "user", "content": "thanks"},
    ]
    assert entries(history) == {
        ("c1", "malformed-arguments", "skipped"),
        ("o1", "malformed-arguments", "skipped"),
    }


def test_nan_and_infinity_are_not_json() -> None:
    history = [
        user("u1", "go"),
        call("c1", "a", "f", '{"x": NaN}'),
        output("o1", "a"),
        call("c2", "b", "f", '{"x": -Infinity}'),
        output("o2", "b"),
        user("u2", "again"),
    ]
    assert ("c1", "malformed-arguments", "skipped") in entries(history)
    assert ("c2", "malformed-arguments", "skipped") in entries(history)


def test_arguments_that_are_json_but_not_an_object_are_malformed() -> None:
    history = [
        user("u1", "go"),
        call("c1", "a", "f", "[1, 2]"),
        output("o1", "a"),
        call("c2", "b", "f", "42"),
        output("o2", "b"),
        user("u2", "again"),
    ]
    assert messages_for(history) == [{"role": "user", "content": "go\n\nagain"}]
    assert ("c1", "malformed-arguments", "skipped") in entries(history)
    assert ("c2", "malformed-arguments", "skipped") in entries(history)


def test_call_id_retried_after_a_malformed_call_is_kept() -> None:
    history = [
        user("u1", "read"),
        call("c1", "call_1", "read_file", '{"path": '),
        output("o1", "call_1", "arguments were not valid JSON"),
        call("c2", "call_1", "read_file", '{"path": "a"}'),
        output("o2", "call_1", "A"),
    ]
    assert messages_for(history) == [
        {"role": "user", "content": "read"},
        tool_calls(("call_1", "read_file", '{"path": "a"}')),
        tool("call_1", "A"),
    ]


def test_valid_call_then_malformed_retry_with_same_id_keeps_the_first() -> None:
    history = [
        user("u1", "read"),
        call("c1", "k", "read_file", '{"path": "a"}'),
        output("o1", "k", "A"),
        call("c2", "k", "read_file", "{oops"),
        output("o2", "k", "bad"),
        user("u2", "next"),
    ]
    assert messages_for(history) == [
        {"role": "user", "content": "read"},
        tool_calls(("k", "read_file", '{"path": "a"}')),
        tool("k", "A"),
        {"role": "user", "content": "next"},
    ]


def test_assistant_text_left_last_by_skipped_calls_is_dropped() -> None:
    history = [
        user("u1", "go"),
        said("a1", "Let me look."),
        call("c1", "a", "f", "{"),
        output("o1", "a", "bad json"),
    ]
    assert messages_for(history) == [{"role": "user", "content": "go"}]
    assert ("a1", "trailing-assistant", "dropped") in entries(history)


# Rule 3 -----------------------------------------------------------------------------


def test_orphan_in_the_middle_is_answered_and_later_turns_are_kept() -> None:
    history = [
        user("u1", "list"),
        said("a1", "Listing."),
        call("c1", "a", "list_directory", '{"path": "."}'),
        Cancelled(id="x1"),
        user("u2", "never mind, say hi"),
        said("a2", "hi"),
        user("u3", "bye"),
    ]
    assert messages_for(history) == [
        {"role": "user", "content": "list"},
        {
            "role": "assistant",
            "content": "Listing.",
            "tool_calls": [
                {
                    "id": "a",
                    "type": "function",
                    "function": {"name": "list_directory", "arguments": '{"path": "."}'},
                }
            ],
        },
        tool("a", CANCELLED_OUTPUT),
        {"role": "user", "content": "never mind, say hi"},
        {"role": "assistant", "content": "hi"},
        {"role": "user", "content": "bye"},
    ]
    assert entries(history) == {("c1", "orphaned-call", "synthesised")}


def test_orphan_without_cancel_marker_was_interrupted() -> None:
    history = [
        user("u1", "go"),
        call("c1", "a", "f"),
        call("c2", "b", "g"),
        output("o2", "b"),
        TurnError(id="e1", message="boom"),
        user("u2", "again"),
    ]
    assert messages_for(history)[1:4] == [
        tool_calls(("a", "f", "{}"), ("b", "g", "{}")),
        tool("a", INTERRUPTED_OUTPUT),
        tool("b", "ok"),
    ]
    assert CANCELLED_OUTPUT == "Tool call did not complete: cancelled by the user."
    assert INTERRUPTED_OUTPUT == "Tool call did not complete: interrupted."


def test_orphan_at_the_end_of_a_tool_loop_is_answered() -> None:
    history = [user("u1", "go"), call("c1", "a", "f"), call("c2", "b", "g"), output("o1", "a")]
    assert messages_for(history)[-2:] == [tool("a", "ok"), tool("b", INTERRUPTED_OUTPUT)]


# Rule 4 -----------------------------------------------------------------------------


def test_parallel_calls_share_one_message_and_results_follow_in_call_order() -> None:
    history = [
        user("u1", "weather?"),
        said("a1", "Checking both."),
        call("c1", "p", "weather", '{"city": "Paris"}'),
        call("c2", "q", "weather", '{"city": "Oslo"}'),
        output("o2", "q", "cold"),
        output("o1", "p", "mild"),
    ]
    messages = messages_for(history)
    assert [c["id"] for c in messages[1]["tool_calls"]] == ["p", "q"]
    assert messages[2:] == [tool("p", "mild"), tool("q", "cold")]


def test_output_without_a_call_is_dropped() -> None:
    history = [
        user("u1", "hi"),
        output("o1", "ghost", "??"),
        said("a1", "hello"),
        user("u2", "bye"),
    ]
    assert messages_for(history) == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "bye"},
    ]
    assert entries(history) == {("o1", "unmatched-output", "dropped")}


def test_an_id_reused_in_a_later_step_is_made_unique() -> None:
    history = [
        user("u1", "go"),
        call("c1", "call_0", "f"),
        output("o1", "call_0", "1"),
        call("c2", "call_0", "g"),
        output("o2", "call_0", "2"),
    ]
    messages = messages_for(history)
    assert [m.get("tool_call_id") for m in messages if m["role"] == "tool"] == [
        "call_0",
        "call_0_2",
    ]
    assert messages[3]["tool_calls"][0]["id"] == "call_0_2"
    assert ("c2", "duplicate-call-id", "changed") in entries(history)


def test_a_call_without_id_gets_a_stable_one() -> None:
    history = [user("u1", "go"), call("c1", "", "f"), output("o1", "", "done")]
    messages = messages_for(history)
    assert messages[1]["tool_calls"][0]["id"] == "call_c1"
    assert messages[2] == tool("call_c1", "done")


# Rule 5 -----------------------------------------------------------------------------


def test_empty_messages_are_dropped() -> None:
    history = [
        user("u1", "hi"),
        said("a1", "  "),
        said("a2", "hello"),
        user("u2", "\n"),
        user("u3", "bye"),
    ]
    assert messages_for(history) == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello"},
        {"role": "user", "content": "bye"},
    ]
    assert entries(history) == {
        ("a1", "empty-message", "dropped"),
        ("u2", "empty-message", "dropped"),
    }


def test_adjacent_user_messages_are_joined_with_a_blank_line() -> None:
    history = [user("u1", "first"), TurnError(id="e1", message="503"), user("u2", "second")]
    assert messages_for(history) == [{"role": "user", "content": "first\n\nsecond"}]
    assert entries(history) == {("u2", "adjacent-user", "joined")}


def test_a_retried_prompt_after_a_failed_turn_is_sent_once() -> None:
    history = [user("u1", "same"), TurnError(id="e1", message="503"), user("u2", "same")]
    assert messages_for(history) == [{"role": "user", "content": "same"}]
    assert entries(history) == {("u2", "duplicate-message", "dropped")}


def test_image_only_user_message_is_kept_and_joined() -> None:
    image = "data:image/png;base64,iVBORw0KGgo="
    history = [user("u1", "look"), user("u2", "", images=[image])]
    assert messages_for(history) == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": image}},
            ],
        }
    ]


def test_duplicate_assistant_message_is_dropped() -> None:
    history = [
        user("u1", "hi"),
        said("a1", "Hello!"),
        TurnError(id="e1", message="cut"),
        said("a2", "Hello!"),
        user("u2", "bye"),
    ]
    assert messages_for(history) == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "bye"},
    ]
    assert entries(history) == {("a2", "duplicate-message", "dropped")}


def test_same_text_in_different_turns_is_not_a_duplicate() -> None:
    history = [
        user("u1", "a"),
        said("a1", "OK"),
        user("u2", "b"),
        said("a2", "OK"),
        user("u3", "c"),
    ]
    assert [m["content"] for m in messages_for(history)] == ["a", "OK", "b", "OK", "c"]


def test_adjacent_assistant_messages_are_joined() -> None:
    history = [
        user("u1", "go"),
        said("a1", "Trying."),
        call("c1", "a", "f", "{bad"),
        output("o1", "a", "bad"),
        said("a2", "Again."),
        call("c2", "b", "f", '{"x": 1}'),
        output("o2", "b", "fine"),
    ]
    assert messages_for(history)[1] == {
        "role": "assistant",
        "content": "Trying.\n\nAgain.",
        "tool_calls": [
            {"id": "b", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}}
        ],
    }
    assert ("a2", "adjacent-assistant", "joined") in entries(history)


def test_cancelled_partial_text_is_kept_and_markers_are_never_sent() -> None:
    history = [
        user("u1", "story"),
        said("a1", "Once upon"),
        Cancelled(id="x1"),
        TurnError(id="e1", message="later failure"),
        user("u2", "go on"),
    ]
    assert messages_for(history) == [
        {"role": "user", "content": "story"},
        {"role": "assistant", "content": "Once upon"},
        {"role": "user", "content": "go on"},
    ]


def test_system_prompt_comes_first_as_system() -> None:
    settings = settings_for("openai", system_prompt="Be brief.")
    assert messages_for([user("u1", "hi")], settings)[0] == {
        "role": "system",
        "content": "Be brief.",
    }


# Rules 6 and 7 --------------------------------------------------------------------------


def test_reasoning_anchors_to_previous_message_or_next_call() -> None:
    history = [
        user("u1", "fix it"),
        thought("r1", "look first. ", "vllm", "qwen3"),  # before the call: next anchor
        call("c1", "a", "read_file", '{"path": "a.py"}', "vllm", "qwen3"),
        output("o1", "a", "code"),
        said("a2", "Found the bug; patching.", "vllm", "qwen3"),
        thought("r2", "patch line 3", "vllm", "qwen3"),  # after the text: previous anchor
        call("c2", "b", "write_file", '{"path": "a.py"}', "vllm", "qwen3"),
        output("o2", "b", "written"),
    ]
    assert messages_for(history, VLLM) == [
        {"role": "user", "content": "fix it"},
        {**tool_calls(("a", "read_file", '{"path": "a.py"}')), "reasoning": "look first. "},
        tool("a", "code"),
        {
            "role": "assistant",
            "content": "Found the bug; patching.",
            "tool_calls": [
                {
                    "id": "b",
                    "type": "function",
                    "function": {"name": "write_file", "arguments": '{"path": "a.py"}'},
                }
            ],
            "reasoning": "patch line 3",
        },
        tool("b", "written"),
    ]


def test_reasoning_of_a_text_step_attaches_to_the_message_before_it() -> None:
    # The engine saves a text step's reasoning after its message.
    history = [
        user("u1", "hi"),
        said("a1", "Hello", "deepseek", "m1"),
        thought("r1", "greet", "deepseek", "m1"),
        user("u2", "more"),
    ]
    normalised = normalise_history(history, settings_for("deepseek"))
    assert [r.id for r in normalised.steps[1].reasoning] == ["r1"]
    assert messages_for(history, settings_for("deepseek"))[1] == {
        "role": "assistant",
        "content": "Hello",
        "reasoning_content": "greet",
    }


def test_two_reasoning_items_on_one_anchor_are_concatenated_in_order() -> None:
    history = [
        user("u1", "go"),
        thought("r1", "one ", "vllm", "qwen3"),
        thought("r2", "two", "vllm", "qwen3"),
        call("c1", "a", "f", "{}", "vllm", "qwen3"),
        output("o1", "a"),
    ]
    assert messages_for(history, VLLM)[1]["reasoning"] == "one two"


def test_a_new_user_turn_sends_no_reasoning() -> None:
    history = [
        user("u1", "go"),
        thought("r1", "plan", "vllm", "qwen3"),
        call("c1", "a", "f", "{}", "vllm", "qwen3"),
        output("o1", "a"),
        said("a1", "done", "vllm", "qwen3"),
        user("u2", "more"),
    ]
    messages = messages_for(history, VLLM)
    assert all("reasoning" not in m for m in messages)
    assert ("r1", "earlier-turn-reasoning", "dropped_reasoning") in entries(history, VLLM)


def test_model_switch_drops_foreign_reasoning() -> None:
    history = [
        user("u1", "go"),
        thought("r1", "old model thinking", "vllm", "llama"),
        call("c1", "a", "f", "{}", "vllm", "llama"),
        output("o1", "a"),
        thought("r2", "new model thinking", "vllm", "qwen3"),
        call("c2", "b", "g", "{}", "vllm", "qwen3"),
        output("o2", "b"),
    ]
    messages = messages_for(history, VLLM)
    assert "reasoning" not in messages[1]
    assert messages[3]["reasoning"] == "new model thinking"
    assert entries(history, VLLM) == {("r1", "foreign-reasoning", "dropped_reasoning")}


def test_strict_presets_never_send_reasoning_and_say_so() -> None:
    history = [
        user("u1", "go"),
        thought("r1", "plan", "openai", "m1"),
        call("c1", "a", "f", "{}", "openai", "m1"),
        output("o1", "a"),
    ]
    assert "reasoning" not in messages_for(history)[1]
    assert entries(history) == {("r1", "reasoning-not-sent", "dropped_reasoning")}


def test_reasoning_with_nothing_to_attach_to_is_dropped() -> None:
    history = [
        user("u1", "go"),
        thought("r1", "hmm", "vllm", "qwen3"),
        Cancelled(id="x1"),
        user("u2", "again"),
    ]
    assert entries(history, VLLM) == {
        ("r1", "unanchored-reasoning", "dropped_reasoning"),
        ("u2", "adjacent-user", "joined"),
    }


# Rule 8 -------------------------------------------------------------------------------


def test_every_report_entry_names_item_rule_and_action() -> None:
    history = [
        user("u1", "go"),
        call("c1", "a", "f", ""),
        call("c2", "b", "f", "{"),
        output("o2", "b"),
        said("a1", " "),
        output("o9", "zzz"),
    ]
    _, report = build_payload(history, OPENAI)
    assert report and all(isinstance(entry, ReportEntry) for entry in report)
    actions = {"skipped", "synthesised", "joined", "dropped", "changed", "dropped_reasoning"}
    for entry in report:
        assert entry.item_id and entry.rule and entry.action in actions and entry.detail


def test_ten_thousand_items_build_correctly() -> None:
    history: list[Any] = []
    for turn in range(2000):
        history += [
            user(f"u{turn}", f"q{turn}"),
            call(f"c{turn}", f"id{turn}", "f", ""),
            output(f"o{turn}", f"id{turn}", "r"),
            said(f"a{turn}", f"answer {turn}"),
        ]
    history.append(user("last", "end"))
    payload, report = build_payload(history, OPENAI)
    assert len(payload["messages"]) == 2000 * 4 + 1
    assert len(report) == 2000


def test_long_runs_of_reused_ids_and_adjacent_users_stay_correct() -> None:
    # Shapes that a quadratic builder would choke on: one id reused by every
    # step (some servers number calls per step) and a long run of user messages.
    history: list[Any] = [user(f"u{n}", f"line {n}") for n in range(3000)]
    for n in range(3000):
        history += [call(f"c{n}", "call_0", "f", "{}"), output(f"o{n}", "call_0", str(n))]
    payload, _ = build_payload(history, OPENAI)
    check_rules(neutral_view(payload, "openai-chat"))  # the schema check is slow at this size
    messages = payload["messages"]
    assert messages[0]["content"].count("\n\n") == 2999
    ids = [m["tool_call_id"] for m in messages if m["role"] == "tool"]
    assert len(set(ids)) == 3000 and ids[:3] == ["call_0", "call_0_2", "call_0_3"]
    assert [m["content"] for m in messages if m["role"] == "tool"][-1] == "2999"


def test_the_cycle_collector_is_left_as_it_was() -> None:
    assert gc.isenabled()
    build_payload([user("u1", "hi")], OPENAI)
    assert gc.isenabled()
    gc.disable()
    try:
        build_payload([user("u1", "hi")], OPENAI)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(AttributeError):
        build_payload([object()], OPENAI)  # type: ignore[list-item]
    assert gc.isenabled()
