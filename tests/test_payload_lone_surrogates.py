"""Lone UTF-16 surrogates in saved text never make a session unsendable.

An imported or hand-edited session can hold ``"\\ud83d"`` (half an emoji) in a user
message, an assistant message, reasoning or the system prompt. No UTF-8 encoder
takes one, so every later request of the session failed. The store keeps such
text exactly as given; the payload builders send a mended copy (U+FFFD) and say so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bench.payload_bench import history as bench_history
from bench.payload_bench import settings_for as bench_settings

from llmx_tui.core.items import (
    AssistantMessage,
    Item,
    Reasoning,
    ToolCall,
    ToolOutput,
    UserMessage,
)
from llmx_tui.providers import history_collect, history_fast, surrogates
from llmx_tui.providers.base import RequestSettings
from llmx_tui.providers.dialects import get_dialect
from llmx_tui.providers.history_fast import clean_history
from llmx_tui.providers.registry import PRESETS
from llmx_tui.store.session_format import parse_session_text, session_json_text
from llmx_tui.store.sqlite import SessionStore
from tests.payload_validators import check_payload
from tests.test_payload_fast_path import full_pipeline, plain, shape_for

pytestmark = pytest.mark.timeout(60)

MODEL = "m1"
SURROGATE_RULE = "surrogates-in-text"


def session_file(provider: str) -> str:
    """An export as a hand edit leaves it: JSON escapes (``\\ud83d``) naming lone surrogates."""
    reasoning = {"provider": provider, "model": MODEL, "signature": "sig-1"}
    session = {
        "format": "llmx-tui.session/1",
        "title": "cut \ud83d title",
        "provider": provider,
        "model": MODEL,
        "system_prompt": "be \udc00 brief",
        "items": [
            {"type": "user_message", "text": "first \ud83d question"},
            {"type": "assistant_message", "text": "an \ude00 answer"},
            {"type": "user_message", "text": "read \ud83d the file"},
            {"type": "reasoning", "text": "I should \udc01 read it", **reasoning},
            {"type": "tool_call", "call_id": "c1", "name": "read_file", "arguments": "{}"},
            {"type": "tool_output", "call_id": "c1", "output": "contents"},
        ],
    }
    text = json.dumps(session)  # ensure_ascii: each surrogate as its escape
    assert "\\ud83d" in text
    return text


def settings(provider: str, **overrides: Any) -> RequestSettings:
    preset = PRESETS[provider]
    return RequestSettings(
        provider=provider,
        model=MODEL,
        reasoning_policy=preset.reasoning_policy,
        reasoning_field=preset.reasoning_field,
        **overrides,
    )


def build(history: list[Item], rs: RequestSettings) -> tuple[dict[str, Any], list[Any]]:
    return get_dialect(PRESETS[rs.provider].dialect).build_payload(history, rs)


def wire(payload: dict[str, Any]) -> bytes:
    """What the transport sends: JSON as UTF-8 (raises on a lone surrogate)."""
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("provider", sorted(PRESETS))
def test_an_imported_session_with_lone_surrogates_is_sendable_to_every_preset(
    provider: str, tmp_path: Path
) -> None:
    with SessionStore.open(tmp_path / "history.db") as store:
        session_id = store.import_session(parse_session_text(session_file(provider)))
        items = store.load_items(session_id)
        info = store.get_session(session_id)
    assert items[0].text == "first \ud83d question"  # type: ignore[union-attr]
    # The session's own fields are no history: they are stored mended.
    assert info.title == "cut \ufffd title" and info.system_prompt == "be \ufffd brief"

    # The system prompt as a flag gives it: undecodable bytes of argv become surrogates.
    rs = settings(provider, system_prompt="be \udcff brief", reasoning_effort="high")
    payload, report = build(items, rs)

    sent = wire(payload).decode("utf-8")
    check_payload(payload, rs)
    for text in ("first \ufffd question", "an \ufffd answer", "read \ufffd the file"):
        assert text in sent
    assert "be \ufffd brief" in sent
    mended = [entry.item_id for entry in report if entry.rule == SURROGATE_RULE]
    assert mended == [*[item.id for item in items[:4]], None]  # None: the system prompt
    # The current tool loop's reasoning goes back where the preset replays it, except
    # where only signed reasoning is replayed: the mended copy goes without its
    # signature (test_a_signature_never_goes_out_with_text_that_was_mended).
    assert ("I should \ufffd read it" in sent) is (provider in REPLAY_LOOP_REASONING)
    assert "sig-1" not in sent


REPLAY_LOOP_REASONING = {
    "deepseek",
    "llamacpp",
    "ollama",
    "openrouter",
    "vllm",
}


def test_the_saved_history_keeps_what_it_was_given(tmp_path: Path) -> None:
    with SessionStore.open(tmp_path / "history.db") as store:
        session_id = store.import_session(parse_session_text(session_file("anthropic")))
        before = store.load_items(session_id)
        for provider in ("openai", "anthropic", "gemini"):
            build(before, settings(provider))
        after = store.load_items(session_id)
        exported = session_json_text(store.export_json(session_id))
        again = store.import_session(parse_session_text(exported))
        reimported = store.load_items(again)

    assert after == before
    texts = [item.text for item in after if isinstance(item, UserMessage | AssistantMessage)]
    assert texts == ["first \ud83d question", "an \ude00 answer", "read \ud83d the file"]
    assert "\\ud83d" in exported and exported.encode("utf-8")
    strip = [item.model_dump(exclude={"id"}) for item in reimported]
    assert strip == [item.model_dump(exclude={"id"}) for item in before]


SURROGATE_HISTORY: list[Item] = [
    UserMessage(id="u1", text="one \ud83d"),
    AssistantMessage(id="a1", text="reply \ude00", provider="p", model=MODEL),
    # A retry of a prompt: after mending it repeats the one before, so it is sent once.
    UserMessage(id="u2", text="two \ud800"),
    UserMessage(id="u3", text="two \udbff"),
    UserMessage(id="u4", text="and \udfff more"),  # adjacent: joined
    Reasoning(id="r1", text="why \ud83d", provider="openai", model=MODEL),
    AssistantMessage(id="a2", text="é ok \ud83d\ude00", provider="openai", model=MODEL),
    UserMessage(id="u5", text="next"),
]


@pytest.mark.parametrize("provider", ["openai", "deepseek", "mistral", "anthropic", "gemini"])
def test_the_one_pass_normaliser_mends_as_the_full_pipeline_does(provider: str) -> None:
    rs = settings(provider)
    fast = clean_history(SURROGATE_HISTORY, rs, shape_for(provider))
    assert fast is not None, "mending needs no fallback to the full pipeline"
    assert plain(fast) == plain(full_pipeline(SURROGATE_HISTORY, rs))
    rules = [(entry.item_id, entry.rule) for entry in fast.report]
    assert ("u3", "duplicate-message") in rules and ("u4", "adjacent-user") in rules
    assert [item_id for item_id, rule in rules if rule == SURROGATE_RULE] == [
        "u1",
        "a1",
        "u2",
        "u3",
        "u4",
        "r1",
        "a2",
    ]
    wire(build(SURROGATE_HISTORY, rs)[0])


def test_the_usual_history_is_not_checked_beyond_a_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    """ASCII text (a flag on the string) is never scanned or copied; other text without
    surrogates is scanned once, then sent as the very same string."""
    calls: list[str] = []

    def counting(text: str, *args: Any) -> str:
        calls.append(text)
        return surrogates.mended_text(text, *args)

    monkeypatch.setattr(history_fast, "mended_text", counting)
    monkeypatch.setattr(history_collect, "mended_text", counting)
    history = bench_history(1_000, "openai")
    payload, report = build(history, bench_settings("openai"))
    assert calls == [] and not [entry for entry in report if entry.rule == SURROGATE_RULE]

    accented = [UserMessage(id="u1", text="café ☕ 😀"), AssistantMessage(id="a1", text="naïve")]
    payload, report = build([*accented, UserMessage(id="u2", text="next")], settings("openai"))
    assert calls == ["café ☕ 😀", "naïve"] and report == []
    assert payload["messages"][0]["content"] is accented[0].text


def _signed_turn(provider: str, signature: str) -> list[Item]:
    """A tool loop whose signed reasoning (and signed answer) holds a lone surrogate."""
    owner = {"provider": provider, "model": MODEL}
    return [
        UserMessage(text="read it", turn=0),
        Reasoning(text="think \ud83d more", signature=signature, turn=0, **owner),
        AssistantMessage(text="a \udc00 reply", thought_signature=signature, turn=0, **owner),
        ToolCall(call_id="c1", name="read_file", arguments="{}", turn=0, **owner),
        ToolOutput(call_id="c1", output="contents", turn=0),
    ]


@pytest.mark.parametrize("provider", ["anthropic", "gemini", "deepseek", "openrouter"])
def test_a_signature_never_goes_out_with_text_that_was_mended(provider: str) -> None:
    """Rule 6: a signature vouches for the text the provider sent; over the mended text
    the provider rejects it (Anthropic: 'Invalid signature in thinking block')."""
    signature = "SIG-for-the-original-text"
    history = _signed_turn(provider, signature)
    payload, report = build(history, settings(provider, reasoning_effort="high"))
    sent = wire(payload).decode("utf-8")
    assert signature not in sent
    assert any(entry.rule == SURROGATE_RULE for entry in report)
    # The saved items keep their signatures and text.
    assert history[1].signature == signature and "\ud83d" in history[1].text
