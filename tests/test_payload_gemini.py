"""PAYLOAD-RULES section 2, ``gemini``: exact generateContent payloads."""

from __future__ import annotations

from typing import Any

from llmx_tui.providers.base import RequestSettings, ToolSpec
from llmx_tui.providers.gemini.payload import build_payload
from llmx_tui.providers.history import INTERRUPTED_OUTPUT
from tests.payload_validators import (
    call,
    check_payload,
    output,
    said,
    settings_for,
    thought,
    user,
)

MODEL = "gemini-2.5-flash"
OWN = {"provider": "gemini", "model": MODEL}
SETTINGS = settings_for("gemini", model=MODEL)


def build(history: list[Any], settings: RequestSettings = SETTINGS) -> dict[str, Any]:
    payload, _ = build_payload(history, settings)
    check_payload(payload, settings)
    return payload


def rules(history: list[Any], settings: RequestSettings = SETTINGS) -> set[tuple[Any, ...]]:
    return {(e.item_id, e.rule, e.action) for e in build_payload(history, settings)[1]}


def test_top_level_shape() -> None:
    tool = ToolSpec(
        "get_country",
        "Country of a city.",
        {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "additionalProperties": False,
        },
    )
    settings = settings_for(
        "gemini",
        model=MODEL,
        system_prompt="Be brief.",
        tools=(tool,),
        max_tokens=256,
        temperature=0.1,
        reasoning_effort="low",
    )
    assert build([user("u1", "hi")], settings) == {
        "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "get_country",
                        "description": "Country of a city.",
                        "parametersJsonSchema": tool.parameters,
                    }
                ]
            }
        ],
        "generationConfig": {
            "maxOutputTokens": 256,
            "temperature": 0.1,
            "thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True},
        },
    }
    assert build([user("u1", "hi")]) == {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}


def test_gemini_3_uses_thinking_level() -> None:
    settings = settings_for("gemini", model="gemini-3-pro-preview", reasoning_effort="high")
    payload, _ = build_payload([user("u1", "hi")], settings)
    assert payload["generationConfig"]["thinkingConfig"] == {
        "thinkingLevel": "high",
        "includeThoughts": True,
    }


def parallel_loop() -> list[Any]:
    return [
        user("u1", "Where are Paris and Oslo?"),
        thought("r1", "two lookups", **OWN, signature="sig-thought"),
        call("c1", "g1", "get_country", '{"city": "Paris"}', **OWN, signature="sig-call"),
        call("c2", "g2", "get_country", "", **OWN),
        output("o2", "g2", "Norway"),
        output("o1", "g1", "France"),
    ]


def test_parallel_calls_answered_in_one_content_in_call_order_signatures_in_place() -> None:
    assert build(parallel_loop())["contents"] == [
        {"role": "user", "parts": [{"text": "Where are Paris and Oslo?"}]},
        {
            "role": "model",
            "parts": [
                {"text": "two lookups", "thought": True, "thoughtSignature": "sig-thought"},
                {
                    "functionCall": {"name": "get_country", "args": {"city": "Paris"}},
                    "thoughtSignature": "sig-call",
                },
                {"functionCall": {"name": "get_country", "args": {}}},
            ],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "get_country", "response": {"output": "France"}}},
                {"functionResponse": {"name": "get_country", "response": {"output": "Norway"}}},
            ],
        },
    ]


def test_text_part_keeps_its_own_signature() -> None:
    history = [
        user("u1", "go"),
        said("a1", "Looking.", **OWN, signature="sig-text"),
        call("c1", "g1", "f", "{}", **OWN),
        output("o1", "g1", "x"),
    ]
    assert build(history)["contents"][1] == {
        "role": "model",
        "parts": [
            {"text": "Looking.", "thoughtSignature": "sig-text"},
            {"functionCall": {"name": "f", "args": {}}},
        ],
    }


def test_signatures_of_earlier_turns_are_dropped() -> None:
    history = [
        *parallel_loop(),
        said("a1", "France and Norway.", **OWN, signature="sig-end"),
        user("u2", "thanks"),
    ]
    payload = build(history)
    assert "thoughtSignature" not in str(payload)
    assert all(not part.get("thought") for c in payload["contents"] for part in c["parts"])
    found = rules(history)
    assert ("c1", "earlier-turn-reasoning", "dropped_reasoning") in found
    assert ("r1", "earlier-turn-reasoning", "dropped_reasoning") in found


def test_model_switch_drops_foreign_signatures() -> None:
    settings = settings_for("gemini", model="gemini-2.5-pro")
    payload = build(parallel_loop(), settings)
    assert "thoughtSignature" not in str(payload)
    found = rules(parallel_loop(), settings)
    assert ("c1", "foreign-reasoning", "dropped_reasoning") in found
    assert ("r1", "foreign-reasoning", "dropped_reasoning") in found


def test_user_text_after_responses_shares_their_content() -> None:
    history = [user("u1", "go"), call("c1", "g1", "f", "{}", **OWN), user("u2", "skip it")]
    assert build(history)["contents"][2] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"name": "f", "response": {"error": INTERRUPTED_OUTPUT}}},
            {"text": "skip it"},
        ],
    }


def test_error_output_is_sent_as_error() -> None:
    history = [user("u1", "go"), call("c1", "g1", "f", "{}"), output("o1", "g1", "denied", True)]
    assert build(history)["contents"][2]["parts"] == [
        {"functionResponse": {"name": "f", "response": {"error": "denied"}}}
    ]


def test_history_starting_with_the_model_gets_a_user_turn_first() -> None:
    history = [call("c1", "g1", "f", "{}"), output("o1", "g1"), user("u1", "and now?")]
    payload = build(history)
    assert payload["contents"][0]["role"] == "user"
    assert ("c1", "leading-assistant", "synthesised") in rules(history)


def test_images_become_inline_or_file_data() -> None:
    history = [
        user("u1", "see", images=["data:image/webp;base64,UklG", "https://example.com/a.png"])
    ]
    assert build(history)["contents"][0]["parts"] == [
        {"text": "see"},
        {"inlineData": {"mimeType": "image/webp", "data": "UklG"}},
        {"fileData": {"fileUri": "https://example.com/a.png", "mimeType": "image/png"}},
    ]


def test_imported_thought_signature_field_is_replayed() -> None:
    history = [
        user("u1", "go"),
        thought("r1", "t", **OWN, thoughtSignature="sig-imported"),
        call("c1", "g1", "f", "{}", **OWN),
        output("o1", "g1"),
    ]
    assert build(history)["contents"][1]["parts"][0] == {
        "text": "t",
        "thought": True,
        "thoughtSignature": "sig-imported",
    }


def test_gemini_3_unsigned_current_call_gets_the_documented_placeholder() -> None:
    settings = settings_for("gemini", model="gemini-3-pro-preview")
    history = [
        user("u1", "go"),
        call("c1", "g1", "f", "{}", "openai", "gpt-4o"),
        call("c2", "g2", "f", "{}", "openai", "gpt-4o"),
        output("o1", "g1"),
        output("o2", "g2"),
    ]
    parts = build(history, settings)["contents"][1]["parts"]
    assert parts[0]["thoughtSignature"] == "skip_thought_signature_validator"
    assert "thoughtSignature" not in parts[1]
    assert ("c1", "missing-thought-signature", "synthesised") in rules(history, settings)
    assert "thoughtSignature" not in str(build(history)), "Gemini 2.5 does not validate"
