"""What the demo model says once its tool call is answered: it reads the tool result, as a
real model would, and tells what happened (ran, failed, denied, or did not finish).

The demo server sees only the request's text (an OpenAI-style tool message carries no
error flag), so the outcome is read from the wording the tools layer gives each case.
"""

from __future__ import annotations

import re
from typing import Literal

Outcome = Literal["ran", "failed", "denied", "unfinished"]

# "The user denied this call to run_shell; it was not run." and the headless
# "... so it was denied and not run." (engine/tools/approval.py): one line, where a
# command's own output always ends with its exit code.
_DENIED = re.compile(r"\A[^\n]*\bdenied\b[^\n]*\bnot run\.\Z")
# The shell tool's last line: "[exit code 0]" or "[killed by signal 9]".
_EXIT = re.compile(r"\[(?:exit code (-?\d+)|killed by signal \d+)\]\s*\Z")

_LOOP_SAMPLE = (
    "The same loop in Python:\n\n"
    "```python\nwhile reply.tool_calls:\n"
    "    outputs = [run(call) for call in reply.tool_calls]\n"
    "    reply = model(history + outputs)\n```\n"
)


def tool_outcome(output: str) -> Outcome:
    """How the call went, from the tool result the model reads."""
    text = output.strip()
    if text.startswith("Tool call did not complete"):
        return "unfinished"  # cancelled or interrupted (the payload builder's wording)
    if _DENIED.search(text):
        return "denied"
    if text.startswith("Error:"):
        return "failed"
    ending = _EXIT.search(text)
    if ending is not None and ending.group(1) != "0":
        return "failed"  # a non-zero exit code, or killed
    return "ran"


def _quoted(output: str) -> str:
    """The tool result as a fenced block that model text cannot break out of."""
    shown = output.strip().replace("```", "'''") or "(no output)"
    return f"```text\n{shown}\n```\n\n"


def _steps(*rows: str) -> str:
    lines = ["| step | what happened |", "|---|---|", "| 1 | the model asked to run `run_shell` |"]
    lines += [f"| {number} | {row} |" for number, row in enumerate(rows, start=2)]
    return "\n".join(lines) + "\n\n"


def answer_text(output: str) -> tuple[str, str]:
    """(reasoning, answer) for the tool result ``output``."""
    outcome = tool_outcome(output)
    if outcome == "denied":
        return (
            "The call was denied, so nothing ran. Say so, and do not make up an output.",
            "## The tool call was denied\n\n"
            "Nothing ran on your machine, and I have no output to show.\n\n"
            + _steps(
                "it was denied at the approval",
                "the denial came back as the tool result, so the model knows it did not run",
            )
            + "Ask for a tool again in a later turn and allow it (`a`) to see what it prints.\n",
        )
    if outcome == "unfinished":
        return (
            "The call did not finish; report that without guessing its output.",
            "## The tool call did not finish\n\n"
            "It was stopped before it completed. What came back:\n\n"
            + _quoted(output)
            + _steps("it was approved", "it was stopped before it finished"),
        )
    if outcome == "failed":
        return (
            "The tool reported an error; show it as it is.",
            "## The tool failed\n\n"
            "The command did not succeed. What came back:\n\n"
            + _quoted(output)
            + _steps("it was approved", "its error came back as the tool result")
            + _LOOP_SAMPLE,
        )
    return (
        "The tool output is in; summarise it with a table and a code sample.",
        "## What the tool did\n\n"
        "The command ran and printed:\n\n"
        + _quoted(output)
        + _steps("it was approved", "its output came back as a tool result")
        + _LOOP_SAMPLE,
    )
