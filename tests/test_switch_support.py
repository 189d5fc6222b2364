"""Shared by the provider-switch tests: scripted streams and a session driven through
``--print``, one turn per provider, every request checked against PAYLOAD-RULES.

Holds no tests. ``SwitchSession.turn`` runs one real turn (``cli.main``) against the
loopback server, then checks each request the server received: the strict
validators, rule 6 (no opaque value reaches a provider or model that did not make
it) and that the saved history before the turn is still there, unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from llmx_tui import paths
from llmx_tui.cli import main
from llmx_tui.core.items import (
    AssistantMessage,
    Item,
    Reasoning,
    ToolCall,
    ToolOutput,
    UserMessage,
)
from llmx_tui.providers.base import RequestSettings
from llmx_tui.providers.registry import PRESETS
from llmx_tui.store.sqlite import SessionStore
from tests.loopback import sse_body
from tests.payload_strict_validators import validate, validate_against_history
from tests.payload_validators import check_payload

KEYS = {
    "ANTHROPIC_API_KEY": "sk-ant-switch-not-real",
    "OPENAI_API_KEY": "sk-openai-switch-not-real",
    "GEMINI_API_KEY": "gm-switch-not-real",
    "DEEPSEEK_API_KEY": "sk-deepseek-switch-not-real",
    "MISTRAL_API_KEY": "mistral-switch-not-real",
    "OPENROUTER_API_KEY": "sk-or-switch-not-real",
}

# Streams ---------------------------------------------------------------------------


def _anthropic_event(kind: str, **data: Any) -> str:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"


def anthropic_stream(
    *,
    thinking: str = "",
    signature: str = "",
    redacted: str = "",
    text: str = "",
    calls: tuple[tuple[str, str, str], ...] = (),
) -> bytes:
    """A Messages stream: optional signed thinking or redacted thinking, text, then
    ``tool_use`` blocks given as (id, name, arguments)."""
    out = [
        _anthropic_event(
            "message_start",
            message={
                "id": "msg_switch",
                "type": "message",
                "role": "assistant",
                "model": "claude",
                "content": [],
                "usage": {"input_tokens": 12, "output_tokens": 1},
            },
        )
    ]
    index = 0

    def block(start: dict[str, Any], *deltas: dict[str, Any]) -> None:
        nonlocal index
        out.append(_anthropic_event("content_block_start", index=index, content_block=start))
        for delta in deltas:
            out.append(_anthropic_event("content_block_delta", index=index, delta=delta))
        out.append(_anthropic_event("content_block_stop", index=index))
        index += 1

    if thinking:
        block(
            {"type": "thinking", "thinking": "", "signature": ""},
            {"type": "thinking_delta", "thinking": thinking},
            {"type": "signature_delta", "signature": signature},
        )
    if redacted:
        block({"type": "redacted_thinking", "data": redacted})
    if text:
        block({"type": "text", "text": ""}, {"type": "text_delta", "text": text})
    for call_id, name, arguments in calls:
        block(
            {"type": "tool_use", "id": call_id, "name": name, "input": {}},
            {"type": "input_json_delta", "partial_json": arguments},
        )
    stop = "tool_use" if calls else "end_turn"
    out.append(
        _anthropic_event("message_delta", delta={"stop_reason": stop}, usage={"output_tokens": 9})
    )
    out.append(_anthropic_event("message_stop"))
    return "".join(out).encode()


def gemini_stream(*parts: dict[str, Any]) -> bytes:
    """One streamGenerateContent event holding ``parts``, CRLF framed as Gemini sends it."""
    chunk = {
        "candidates": [
            {"content": {"role": "model", "parts": list(parts)}, "finishReason": "STOP"}
        ],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 4},
    }
    return f"data: {json.dumps(chunk)}\r\n\r\n".encode()


def openai_reasoning_stream(
    reasoning: str,
    *,
    text: str = "",
    call: tuple[str, str, str] | None = None,
    field_name: str = "reasoning_content",
) -> bytes:
    """A Chat Completions stream with reasoning in ``field_name``, then text or one call."""
    chunks: list[Any] = [
        {"choices": [{"index": 0, "delta": {"role": "assistant", field_name: reasoning}}]}
    ]
    if text:
        chunks.append({"choices": [{"index": 0, "delta": {"content": text}}]})
    if call is not None:
        call_id, name, arguments = call
        function = {"name": name, "arguments": arguments}
        delta = {
            "tool_calls": [{"index": 0, "id": call_id, "type": "function", "function": function}]
        }
        chunks.append({"choices": [{"index": 0, "delta": delta}]})
    finish = "tool_calls" if call is not None else "stop"
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
    return sse_body(*chunks)


# Rule 6 ----------------------------------------------------------------------------


def opaque_values(item: Item) -> list[str]:
    """Every provider-owned value an item carries: signatures, encrypted data, the
    opaque fields of its native blocks (texts are not opaque: anyone may read them)."""
    values: list[str] = []
    if isinstance(item, Reasoning):
        values += [v for v in (item.signature, item.encrypted) if v]
        for detail in item.details or ():
            values += [
                str(detail[key])
                for key in ("signature", "data", "encrypted_content")
                if detail.get(key)
            ]
        extra = item.model_extra or {}
        if isinstance(extra.get("thoughtSignature"), str):
            values.append(extra["thoughtSignature"])
    elif isinstance(item, (AssistantMessage, ToolCall)) and item.thought_signature:
        values.append(item.thought_signature)
    return values


def check_no_foreign_replay(
    payload: dict[str, Any], history: list[Item], own: tuple[str, str]
) -> None:
    """Rule 6: nothing opaque that another provider or model made is in the request,
    and no reasoning field at all goes to a preset that takes none back."""
    wire = json.dumps(payload)
    for item in history:
        owner = (getattr(item, "provider", None), getattr(item, "model", None))
        if owner == own:
            continue
        for value in opaque_values(item):
            assert value not in wire, f"{owner} value replayed to {own}: {value[:40]}"
    if PRESETS[own[0]].reasoning_policy == "never":
        for message in payload.get("messages", []):
            assert not {"reasoning", "reasoning_content", "reasoning_details"} & set(message)


def thinking_blocks(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        block
        for message in payload["messages"]
        if message["role"] == "assistant"
        for block in message["content"]
        if block["type"] in ("thinking", "redacted_thinking")
    ]


def signed_parts(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        part
        for content in payload["contents"]
        for part in content["parts"]
        if "thoughtSignature" in part
    ]


# A session switched between turns ----------------------------------------------------


def dumped(items: list[Item]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items]


def request_histories(before: list[Item], after: list[Item], requests: int) -> list[list[Item]]:
    """The history each request of a turn was built from: the turn's user message, then
    after each step that ran tools, everything up to that step's last output."""
    cuts: list[int] = [len(before) + 1]
    for index in range(len(before) + 1, len(after)):
        is_output = isinstance(after[index], ToolOutput)
        next_is_output = index + 1 < len(after) and isinstance(after[index + 1], ToolOutput)
        if is_output and not next_is_output:
            cuts.append(index + 1)
    assert len(cuts) >= requests, "a request for every step"
    return [after[:cut] for cut in cuts[:requests]]


@dataclass
class Sent:
    """One request of a turn: its body, path and the history it came from."""

    payload: dict[str, Any]
    path: str
    history: list[Item]


@dataclass
class SwitchSession:
    loopback: Any
    folder: Path
    capsys: pytest.CaptureFixture[str]
    config: Path | None = None
    session_id: str | None = None
    items: list[Item] = field(default_factory=list)

    def turn(
        self,
        provider: str,
        model: str,
        prompt: str,
        replies: list[bytes],
        *,
        expect_exit: int = 0,
        extra: tuple[str, ...] = (),
    ) -> list[Sent]:
        """One ``--print`` turn on ``provider``/``model`` answered by ``replies``; every
        request it sent, checked."""
        seen = len(self.loopback.requests)
        for body in replies:
            self.loopback.add_stream(body, chunk_size=61)
        args = ["--print", prompt, "--json", "--yes", "--provider", provider, "--model", model]
        args += ["--base-url", self.loopback.base_url, "--data-dir", str(self.folder)]
        if self.config is not None:
            args += ["--config", str(self.config)]
        if self.session_id is not None:
            args += ["--resume", self.session_id]
        args += extra
        code = main(args)
        captured = self.capsys.readouterr()
        assert code == expect_exit, captured.err
        received = self.loopback.requests[seen:]
        assert len(received) == len(replies), captured.err
        after = self._saved()
        assert self.recorded_model() == (provider, model), "the session names its new model"
        # Nothing saved before the switch is lost or changed.
        assert dumped(after[: len(self.items)]) == dumped(self.items)
        assert isinstance(after[len(self.items)], UserMessage)
        assert after[len(self.items)].text == prompt
        histories = request_histories(self.items, after, len(received))
        sent = [
            Sent(request.json(), request.path, history)
            for request, history in zip(received, histories, strict=True)
        ]
        settings = settings_of(provider, model)
        for request, one in zip(received, sent, strict=True):
            check_request(one, settings)
            raw = request.body.decode()
            for key in KEYS.values():
                assert key not in raw, "an API key in the request body"
        self.items = after
        return sent

    def recorded_model(self) -> tuple[str | None, str | None]:
        assert self.session_id is not None
        with SessionStore.open(paths.history_db_path(str(self.folder))) as store:
            info = store.get_session(self.session_id)
        return info.provider, info.model

    def _saved(self) -> list[Item]:
        with SessionStore.open(paths.history_db_path(str(self.folder))) as store:
            if self.session_id is None:
                self.session_id = store.latest_session_id()
            assert self.session_id is not None
            return store.load_items(self.session_id)


def settings_of(provider: str, model: str) -> RequestSettings:
    preset = PRESETS[provider]
    return RequestSettings(
        provider=provider,
        model=model,
        reasoning_policy=preset.reasoning_policy,
        reasoning_field=preset.reasoning_field,
    )


def check_request(sent: Sent, settings: RequestSettings) -> None:
    """Both validator sets, the history it came from, and rule 6."""
    payload = sent.payload
    if PRESETS[settings.provider].dialect != "gemini":
        assert payload["model"] == settings.model
    else:
        assert f"/models/{settings.model}:streamGenerateContent" in sent.path
    check_payload(payload, settings)
    validate(payload, settings)
    validate_against_history(payload, sent.history, settings)
    check_no_foreign_replay(payload, sent.history, (settings.provider, settings.model))


def with_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)


def start_session(
    loopback: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    files: dict[str, str] | None = None,
    config: str | None = None,
) -> SwitchSession:
    """A session's world: keys set, a work folder holding ``files`` (the tools read
    notes.txt), and ``config`` as the config file's text when given."""
    with_keys(monkeypatch)
    work = tmp_path / "work"
    work.mkdir()
    for name, text in (files or {"notes.txt": "the secret word is pelican\n"}).items():
        (work / name).write_text(text)
    monkeypatch.chdir(work)
    config_path = None
    if config is not None:
        config_path = tmp_path / "config.toml"
        config_path.write_text(config)
    return SwitchSession(loopback, tmp_path / "data", capsys, config=config_path)
