"""The dialect-independent half of payload building (PAYLOAD-RULES section 1).

``normalise_history`` turns saved items into steps that every dialect can send
as they are. It reads like the rules:

1. arguments: ``history_collect.normalise_arguments``
2. malformed calls skipped with their outputs: ``history_collect.new_call``
   and ``answer_call``
3. orphaned calls answered: ``answer_orphaned_calls``
4. pairing: ``history_collect.answer_call`` (outputs found by call_id, most
   recent call first); each ``AssistantStep`` holds its calls, each call its
   one result; ``history_ids`` makes ids unique within the payload
5. no empty messages (``add_user_step``, ``drop_empty_and_repeated_text``),
   adjacent messages joined (``add_user_step``, ``adjacent_assistant``)
6-7. reasoning ownership and anchoring: ``history_collect`` anchors each item,
   ``history_reasoning.select_reasoning`` keeps what the preset's policy sends
8. every change is a ``ReportEntry`` in ``NormalisedHistory.report``

Section 4 asks the payload to end with the user message or the loop's tool
results: ``drop_trailing_assistant``.

Everything is one linear pass per stage; nothing here does I/O.

Dialects read the result through ``compact_history``: the usual history takes
``history_fast.clean_history`` (the same rules in one pass, no intermediate
objects), anything else takes ``normalise_history`` here, converted.
"""

from __future__ import annotations

from collections.abc import Sequence

from llmx_tui.core.items import AssistantMessage, Item
from llmx_tui.providers.base import ReportEntry, RequestSettings
from llmx_tui.providers.history_collect import RawStep, collect_steps
from llmx_tui.providers.history_fast import clean_history
from llmx_tui.providers.history_ids import ShapeId, assign_unique_call_ids, rewrite_wire_ids
from llmx_tui.providers.history_model import (
    CANCELLED_OUTPUT,
    INTERRUPTED_OUTPUT,
    AssistantStep,
    CompactAssistant,
    CompactHistory,
    CompactUser,
    NormalisedHistory,
    PairedCall,
    Step,
    UserStep,
)
from llmx_tui.providers.history_reasoning import drop_reasoning_of, select_reasoning


def normalise_history(history: Sequence[Item], settings: RequestSettings) -> NormalisedHistory:
    report: list[ReportEntry] = []
    raw_steps = collect_steps(history, report)
    steps = apply_message_rules(raw_steps, report)
    drop_trailing_assistant(steps, report)
    assign_unique_call_ids(steps, report)
    select_reasoning(steps, settings, report)
    return NormalisedHistory(steps, report)


def compact_history(
    history: Sequence[Item], settings: RequestSettings, shape_id: ShapeId | None = None
) -> CompactHistory:
    """What a dialect writes its payload from: every rule applied, call ids unique and,
    with ``shape_id``, in the server's shape (``history_ids``)."""
    fast = clean_history(history, settings, shape_id)
    if fast is not None:
        return fast
    normalised = normalise_history(history, settings)
    if shape_id is not None:
        rewrite_wire_ids(normalised.steps, shape_id, normalised.report)
    return compact_from_steps(normalised)


def compact_from_steps(normalised: NormalisedHistory) -> CompactHistory:
    steps: list[CompactUser | CompactAssistant] = []
    loop_start = 0
    for step in normalised.steps:
        if isinstance(step, UserStep):
            steps.append((step.item_id, step.text, step.images))
            loop_start = len(steps)
            continue
        calls = [
            [
                call.item,
                call.item.name,
                call.arguments,
                call.parsed,
                call.wire_id,
                call.result_text,
                call.is_error,
                call.item.thought_signature,
            ]
            for call in step.calls
        ]
        segments = step.segments
        # The text of one segment, or None: several are joined (or kept apart) when written.
        text = segments[0].text if len(segments) == 1 else None if segments else ""
        steps.append([segments, calls, step.reasoning, step.reasoning_incomplete, text])
    return CompactHistory(steps, loop_start, normalised.report)


# Rule 3 ----------------------------------------------------------------------


def answer_orphaned_calls(calls: list[PairedCall], report: list[ReportEntry]) -> None:
    """Rule 3: a call without output gets a synthetic one; later turns stay."""
    for call in calls:
        if call.output is None:
            call.synthetic_output = CANCELLED_OUTPUT if call.turn.cancelled else INTERRUPTED_OUTPUT
            report.append(
                ReportEntry(call.item.id, "orphaned-call", "synthesised", call.synthetic_output)
            )


# Rule 5 ------------------------------------------------------------------------


def apply_message_rules(raw_steps: list[RawStep], report: list[ReportEntry]) -> list[Step]:
    """Rule 5 over the whole history (rule 3 runs per assistant step on the way)."""
    steps: list[Step] = []
    joined: list[UserStep] = []
    for raw in raw_steps:
        if isinstance(raw, UserStep):
            add_user_step(steps, raw, joined, report)
        else:
            add_assistant_step(steps, raw, report)
    for step in joined:
        assert step.joined is not None
        step.text = "\n\n".join([text for text in step.joined if text.strip()])
    return steps


def add_user_step(
    steps: list[Step], user: UserStep, joined: list[UserStep], report: list[ReportEntry]
) -> None:
    if not user.images and not user.text.strip():
        report.append(
            ReportEntry(user.item_id, "empty-message", "dropped", "user message without text")
        )
        return
    previous = steps[-1] if steps else None
    if isinstance(previous, UserStep):
        last_text = previous.joined[-1] if previous.joined else previous.text
        if user.text == last_text and not user.images:
            # A retry of a turn that failed before any reply: the prompt is sent once.
            report.append(
                ReportEntry(
                    user.item_id, "duplicate-message", "dropped", "repeats the previous prompt"
                )
            )
            return
        # Alternation: adjacent user messages become one, a blank line between.
        if previous.joined is None:
            previous.joined = [previous.text]
            joined.append(previous)
        previous.joined.append(user.text)
        if user.images:
            previous.images = [*previous.images, *user.images]
        report.append(
            ReportEntry(
                user.item_id, "adjacent-user", "joined", "joined to the previous user message"
            )
        )
        return
    steps.append(user)


def add_assistant_step(steps: list[Step], step: AssistantStep, report: list[ReportEntry]) -> None:
    if step.calls:
        answer_orphaned_calls(step.calls, report)
    target = adjacent_assistant(steps)
    if step.segments:
        previous_text = target.segments[-1].text if target is not None and target.segments else None
        step.segments = drop_empty_and_repeated_text(step.segments, previous_text, report)
    if not step.segments and not step.calls:
        drop_reasoning_of(step.reasoning, report, "its assistant message was dropped")
    elif target is None:
        steps.append(step)
    else:
        target.segments.extend(step.segments)
        target.calls = step.calls
        target.reasoning.extend(step.reasoning)
        report.append(
            ReportEntry(
                step.first_item_id(),
                "adjacent-assistant",
                "joined",
                "joined to the previous assistant message",
            )
        )


def adjacent_assistant(steps: list[Step]) -> AssistantStep | None:
    """A previous assistant message without calls has no results after it: the
    next assistant message is adjacent and joins it (alternation, rule 5)."""
    previous = steps[-1] if steps else None
    if isinstance(previous, AssistantStep) and not previous.calls:
        return previous
    return None


def drop_empty_and_repeated_text(
    messages: list[AssistantMessage], previous_text: str | None, report: list[ReportEntry]
) -> list[AssistantMessage]:
    """Rule 5: no empty text; no message that repeats the one just before it."""
    if len(messages) == 1:  # the usual case: nothing to copy when it is kept
        text = messages[0].text
        if text.strip() and text != previous_text:
            return messages
    kept: list[AssistantMessage] = []
    for message in messages:
        text = message.text
        if not text.strip():
            report.append(
                ReportEntry(
                    message.id, "empty-message", "dropped", "assistant message without text"
                )
            )
        elif text == previous_text:
            report.append(
                ReportEntry(
                    message.id,
                    "duplicate-message",
                    "dropped",
                    "repeats the previous assistant message",
                )
            )
        else:
            kept.append(message)
            previous_text = text
    return kept


def drop_trailing_assistant(steps: list[Step], report: list[ReportEntry]) -> None:
    """Section 4: the payload ends with the user message or the loop's tool results.

    An assistant message with nothing after it is left only when every call of
    the last step was skipped (rule 2); it is dropped so the model answers again.
    """
    last = steps[-1] if steps else None
    if not isinstance(last, AssistantStep) or last.calls:
        return
    steps.pop()
    for message in last.segments:
        report.append(
            ReportEntry(
                message.id,
                "trailing-assistant",
                "dropped",
                "nothing after it to answer; the model replies again",
            )
        )
    drop_reasoning_of(last.reasoning, report, "its assistant message was dropped")


__all__ = [
    "CANCELLED_OUTPUT",
    "INTERRUPTED_OUTPUT",
    "CompactHistory",
    "NormalisedHistory",
    "compact_history",
    "normalise_history",
]
