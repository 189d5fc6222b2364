"""What the demo says, turn by turn; streams are recorded, or generated in a recorded envelope."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from llmx_tui.demo.tool_answer import answer_text

DEMO_COMMAND = "echo 'hello from a harmless demo tool' && uname -s"


def recording(name: str) -> bytes:
    return resources.files("llmx_tui.demo").joinpath("recordings", name).read_bytes()


def _envelope() -> dict[str, Any]:
    """The first chunk of the recorded DeepSeek stream: id, model, fingerprint and all."""
    first = recording("deepseek-reasoning-content.sse").split(b"\n\n", 1)[0]
    envelope: dict[str, Any] = json.loads(first.removeprefix(b"data: "))
    return envelope


def _chunk(
    envelope: dict[str, Any],
    delta: dict[str, Any],
    finish: str | None = None,
    usage: dict[str, Any] | None = None,
) -> bytes:
    data = dict(envelope)
    data["choices"] = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
    data["usage"] = usage
    return b"data: " + json.dumps(data, ensure_ascii=False).encode() + b"\n\n"


def _words(text: str) -> list[str]:
    """Split into word-sized pieces the way a model streams tokens (whitespace kept)."""
    pieces, current = [], ""
    for char in text:
        current += char
        if char in " \n":
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def tool_call_stream() -> bytes:
    envelope = _envelope()
    reasoning = (
        "The user wants to see a tool call. A harmless shell command that prints a line and "
        "the operating system name will do; it needs their approval first."
    )
    out = [_chunk(envelope, {"role": "assistant", "content": None, "reasoning_content": ""})]
    out += [_chunk(envelope, {"content": None, "reasoning_content": w}) for w in _words(reasoning)]
    arguments = json.dumps({"command": DEMO_COMMAND})
    call = {
        "index": 0,
        "id": "call_demo_1",
        "type": "function",
        "function": {"name": "run_shell", "arguments": ""},
    }
    out.append(_chunk(envelope, {"content": None, "tool_calls": [call]}))
    for start in range(0, len(arguments), 8):
        fragment = {"index": 0, "function": {"arguments": arguments[start : start + 8]}}
        out.append(_chunk(envelope, {"content": None, "tool_calls": [fragment]}))
    usage = {
        "prompt_tokens": 412,
        "completion_tokens": 61,
        "total_tokens": 473,
        "completion_tokens_details": {"reasoning_tokens": 29},
    }
    out.append(_chunk(envelope, {"content": ""}, "tool_calls", usage))
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def answer_with_tool_output(tool_output: str) -> bytes:
    """The answer after the tool call, saying what happened to it (ran, failed, denied)."""
    envelope = _envelope()
    reasoning, text = answer_text(tool_output)
    out = [_chunk(envelope, {"role": "assistant", "content": None, "reasoning_content": ""})]
    out += [_chunk(envelope, {"content": None, "reasoning_content": w}) for w in _words(reasoning)]
    out += [_chunk(envelope, {"content": w, "reasoning_content": None}) for w in _words(text)]
    usage = {
        "prompt_tokens": 530,
        "completion_tokens": 180,
        "total_tokens": 710,
        "completion_tokens_details": {"reasoning_tokens": 14},
    }
    out.append(_chunk(envelope, {"content": ""}, "stop", usage))
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def reply_for(request: dict[str, Any]) -> bytes:
    """The scripted reply for a chat request, chosen by where the conversation is."""
    messages = request.get("messages") or []
    if messages and messages[-1].get("role") == "tool":
        return answer_with_tool_output(str(messages[-1].get("content") or ""))
    turn = sum(1 for m in messages if m.get("role") == "user")
    choice = (turn - 1) % 3
    if choice == 0:
        return recording("together-r1-think-tags.sse")
    if choice == 1:
        return tool_call_stream()
    return recording("deepseek-reasoning-content.sse")
