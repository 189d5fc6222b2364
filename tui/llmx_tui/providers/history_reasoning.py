"""Rules 6 and 7: which reasoning may go back, and on which message.

Reasoning was anchored to its assistant step while collecting (rule 7's
"message before, else next call or message"). Here each step keeps only the
items its preset's policy sends back:

- ``never``: none.
- ``anchored``, ``anthropic``, ``gemini``: only steps after the last user
  message (inside a tool loop; a history ending with a user message has none).
- ``every_message``: every step of the whole history (DeepSeek).

and, always, only items made by the same provider and model (rule 6).
``select_compact_reasoning`` does the same on the compact steps of
``history_fast``, with the same report entries in the same order.
"""

from __future__ import annotations

from llmx_tui.core.items import Reasoning
from llmx_tui.providers.base import ReportEntry, RequestSettings
from llmx_tui.providers.history_model import (
    EMPTY_PART,
    STEP_INCOMPLETE,
    STEP_REASONING,
    AssistantStep,
    CompactAssistant,
    CompactUser,
    Step,
    UserStep,
    is_same_owner,
)


def drop_reasoning_of(reasoning: list[Reasoning], report: list[ReportEntry], why: str) -> None:
    for item in reasoning:
        report.append(ReportEntry(item.id, "unanchored-reasoning", "dropped_reasoning", why))


def last_user_index(steps: list[Step]) -> int:
    for index in range(len(steps) - 1, -1, -1):
        if isinstance(steps[index], UserStep):
            return index
    return -1


def policy_cut(settings: RequestSettings, loop_start: int, step_count: int) -> tuple[int, str, str]:
    """The preset's policy as (steps before this index lose their reasoning, rule, why).

    Each drop names its rule once per request, not once per item; steps go in
    order, so the report lists the drops in history order.
    """
    policy = settings.reasoning_policy
    if policy == "never":
        why = f"{settings.provider} does not take reasoning back"
        return step_count, "reasoning-not-sent", why
    if policy == "every_message":
        return 0, "", ""
    return loop_start, "earlier-turn-reasoning", "only the current tool loop's reasoning is sent"


def select_reasoning(
    steps: list[Step], settings: RequestSettings, report: list[ReportEntry]
) -> None:
    loop_start = last_user_index(steps) + 1
    for step in steps[loop_start:]:
        if isinstance(step, AssistantStep):
            step.current_loop = True
    cut, rule, why = policy_cut(settings, loop_start, len(steps))
    drop_all_reasoning(steps[:cut], report, rule, why)
    for step in steps[cut:]:
        if isinstance(step, AssistantStep) and step.reasoning:
            keep_own_reasoning(step, settings, report)


def drop_all_reasoning(steps: list[Step], report: list[ReportEntry], rule: str, why: str) -> None:
    for step in steps:
        if isinstance(step, AssistantStep) and step.reasoning:
            for item in step.reasoning:
                report.append(ReportEntry(item.id, rule, "dropped_reasoning", why))
            step.reasoning = []


def keep_own_reasoning(
    step: AssistantStep, settings: RequestSettings, report: list[ReportEntry]
) -> None:
    """Rule 6: foreign reasoning (another provider or model) is never replayed."""
    kept = []
    for item in step.reasoning:
        if is_same_owner(item, settings):
            kept.append(item)
        else:
            step.reasoning_incomplete = True
            report.append(foreign_reasoning_entry(item))
    step.reasoning = kept


def select_compact_reasoning(
    steps: list[CompactUser | CompactAssistant],
    loop_start: int,
    settings: RequestSettings,
    report: list[ReportEntry],
) -> None:
    """``select_reasoning`` on compact steps (``history_fast``); a dropped list
    becomes the shared ``()``."""
    cut, rule, why = policy_cut(settings, loop_start, len(steps))
    _drop_all(steps[:cut], report, rule, why)
    provider, model = settings.provider, settings.model
    for step in steps[cut:]:
        if step.__class__ is list and step[2]:
            kept = []
            for item in step[2]:
                if item.provider == provider and item.model == model:
                    kept.append(item)
                else:
                    step[STEP_INCOMPLETE] = True
                    report.append(foreign_reasoning_entry(item))
            step[STEP_REASONING] = kept


def _drop_all(
    steps: list[CompactUser | CompactAssistant], report: list[ReportEntry], rule: str, why: str
) -> None:
    append = report.append
    for step in steps:
        if step.__class__ is list and step[2]:
            for item in step[2]:
                append(ReportEntry(item.id, rule, "dropped_reasoning", why))
            step[STEP_REASONING] = EMPTY_PART


def foreign_reasoning_entry(item: Reasoning) -> ReportEntry:
    """Rule 6's report entry for reasoning another provider or model made."""
    return ReportEntry(
        item.id, "foreign-reasoning", "dropped_reasoning", f"made by {item.provider}/{item.model}"
    )
