"""One-pass normalisation of the usual history, straight into the compact form.

``providers.history.normalise_history`` applies PAYLOAD-RULES section 1 in
passes over intermediate objects; it handles anything. ``clean_history`` does
the same work in one loop for the histories a session normally has, and gives
up (returns None: the caller takes the full pipeline) at the first thing
outside that shape. What it gives is, field for field and report entry for
report entry, what the full pipeline gives (``tests/test_payload_fast_path.py``).

Handled here, as the full pipeline handles them:

- empty arguments sent as ``"{}"`` (rule 1), orphaned calls answered with the
  cancelled or interrupted text of their turn (rule 3), reasoning anchored or
  left unanchored (rule 7), reasoning and signatures of other providers or
  models, turns that failed or were cancelled;
- a call id reused in a later step (suffixed, ``history_ids``), ids reshaped
  for Mistral or Anthropic;
- empty user messages dropped, adjacent ones joined, a retried prompt sent once;
- lone surrogates in user, assistant and reasoning text (an imported or
  hand-edited session) mended in a copy (``surrogates.mended_text``): ``isascii``
  is a flag read, so the usual ASCII text costs nothing more.

Given up on (rare, and each reaches back across steps): a malformed call
(rule 2), a call without id, an id twice in one step, an output that does not
answer a call of the latest step with calls in its turn, an empty or repeated
assistant message, two adjacent assistant messages, a trailing assistant
message. Giving up costs the work done so far, never a different payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmx_tui.core.items import (
    AssistantMessage,
    Cancelled,
    Item,
    Reasoning,
    ToolCall,
    ToolOutput,
    TurnError,
    UserMessage,
)
from llmx_tui.core.surrogates import has_surrogates
from llmx_tui.providers.base import ReportEntry, RequestSettings
from llmx_tui.providers.history_collect import (
    DEEP_ARGUMENTS_LENGTH,
    SCAN_JSON_VALUE,
    SURROGATE_ESCAPE,
    encodable,
    parse_arguments,
    too_deep,
    unanchored,
    with_mended_text,
)
from llmx_tui.providers.history_ids import ShapeId, shaped_id, suffixed_id
from llmx_tui.providers.history_model import (
    CALL_IS_ERROR,
    CALL_RESULT,
    CANCELLED_OUTPUT,
    EMPTY_PART,
    INTERRUPTED_OUTPUT,
    STEP_REASONING,
    STEP_TEXT,
    CompactAssistant,
    CompactCall,
    CompactHistory,
    CompactUser,
)
from llmx_tui.providers.history_reasoning import select_compact_reasoning
from llmx_tui.providers.surrogates import mended_text

_BOUNDARIES = frozenset({UserMessage, ToolOutput, TurnError, Cancelled})


def clean_history(
    history: Sequence[Item], settings: RequestSettings, shape_id: ShapeId | None = None
) -> CompactHistory | None:
    """The compact normalised history, or None when the full pipeline must run."""
    # One report list per stage of the full pipeline, joined in its order at the end.
    collect_report: list[ReportEntry] = []  # rules 1, 7 (history_collect)
    rules_report: list[ReportEntry] = []  # rules 3, 5 (history.apply_message_rules)
    ids_report: list[ReportEntry] = []  # history_ids.assign_unique_call_ids
    shape_report: list[ReportEntry] = []  # history_ids.rewrite_wire_ids
    steps: list[CompactUser | CompactAssistant] = []
    open_step: CompactAssistant | None = None  # the assistant step being filled
    last_is_user = False  # steps[-1] is a user step
    last_user_index = -1
    pending: list[Item] = []  # reasoning waiting for the next call or message
    previous_type: type | None = None  # class of the last non-reasoning item
    # Calls of the step that took the latest call: the only ones an output may answer here.
    answerable: dict[str, CompactCall] = {}
    answerable_step: CompactAssistant | None = None
    turn_start = 0  # the first step since the last user message
    unanswered = 0  # calls of this turn without output yet
    cancelled = False  # the user cancelled this turn
    used_ids: set[str] = set()  # wire ids before shaping
    next_suffix: dict[str, int] = {}
    taken_ids: set[str] = set()  # wire ids after shaping
    joined_texts: list[str] | None = None  # texts of the user messages joined into steps[-1]

    # The loop dispatches on the exact class (``kind``), which the type checker does not
    # follow through a variable: inside it, items are typed Any.
    items: Sequence[Any] = history
    for item in items:
        # Dispatch on the exact class: reading ``item.type`` takes pydantic's
        # ``__getattr__`` hook, several times the cost of ``type()``.
        kind = type(item)
        if kind is Reasoning:
            if not item.text.isascii():  # 30 ns: ``isascii`` reads a flag
                item = with_mended_text(item, collect_report)
            if previous_type is AssistantMessage and open_step is not None:
                reasoning = open_step[STEP_REASONING]
                if reasoning:
                    reasoning.append(item)
                else:
                    open_step[STEP_REASONING] = [item]
            else:
                pending.append(item)
            continue
        if kind is AssistantMessage or kind is ToolCall:
            if open_step is None or (kind is AssistantMessage and open_step[1]):
                if steps and not last_is_user and not steps[-1][1]:
                    return None  # adjacent assistant messages (joined by the full pipeline)
                if joined_texts is not None:
                    steps[-1] = _joined_user(steps[-1], joined_texts)  # type: ignore[arg-type]
                    joined_texts = None
                open_step = [EMPTY_PART, EMPTY_PART, pending or EMPTY_PART, False, ""]
                steps.append(open_step)
                last_is_user = False
                if pending:
                    pending = []
            elif pending:
                if open_step[STEP_REASONING]:
                    open_step[STEP_REASONING].extend(pending)
                else:
                    open_step[STEP_REASONING] = pending
                pending = []
            if kind is AssistantMessage:
                text = item.text
                if not text.isascii():
                    item = with_mended_text(item, collect_report)
                    text = item.text
                segments = open_step[0]
                if not text.strip():
                    return None  # an empty message
                if segments:
                    if segments[-1].text == text:
                        return None  # a repeated message
                    segments.append(item)
                    open_step[STEP_TEXT] = None  # several: joined when written
                else:
                    open_step[0] = [item]
                    open_step[STEP_TEXT] = text
                previous_type = kind
                continue
            # One read of the field dict: each attribute read goes through the hook.
            fields = item.__dict__
            call_id = fields["call_id"]
            original = fields["arguments"]
            arguments = original if original.strip() else "{}"
            if arguments is not original:
                collect_report.append(
                    ReportEntry(
                        item.id, "empty-arguments", "changed", 'empty arguments sent as "{}"'
                    )
                )
            if not arguments.isascii() and has_surrogates(arguments):
                return None  # a character cut in two (mended by the full pipeline)
            if arguments[0] == "{":
                # ``parse_arguments`` inlined: its call and slicing cost as much as the scan.
                try:
                    parsed, end = SCAN_JSON_VALUE(arguments, 0)
                except (StopIteration, ValueError, RecursionError):
                    return None  # malformed (rule 2)
                if end != len(arguments):  # trailing whitespace or junk: the full check
                    parsed = parse_arguments(arguments)
                elif end > DEEP_ARGUMENTS_LENGTH and too_deep(parsed):
                    return None  # nested too deeply (rule 2)
            else:
                parsed = parse_arguments(arguments)
            if parsed is None or not call_id:
                return None  # malformed (rule 2) or without id
            if "\\u" in arguments and SURROGATE_ESCAPE.search(arguments) and not encodable(parsed):
                return None  # an escaped lone surrogate: malformed (rule 2)
            if answerable_step is not open_step:
                answerable = {}
                answerable_step = open_step
            elif call_id in answerable:  # no output comes between the calls of a step
                return None  # one id twice in one step
            wire_id = call_id
            if wire_id in used_ids:
                wire_id = suffixed_id(item.id, call_id, used_ids, next_suffix, ids_report)
            used_ids.add(wire_id)
            if shape_id is not None:
                shaped = shape_id(wire_id, 0)
                if shaped == wire_id and shaped not in taken_ids:
                    taken_ids.add(shaped)  # already in the server's shape
                else:
                    wire_id = shaped_id(item.id, wire_id, shaped, shape_id, taken_ids, shape_report)
            call = [
                item,
                fields["name"],
                arguments,
                parsed,
                wire_id,
                None,
                True,
                fields["thought_signature"],
            ]
            if open_step[1]:
                open_step[1].append(call)
            else:
                open_step[1] = [call]
            answerable[call_id] = call
            unanswered += 1
        elif kind in _BOUNDARIES:
            # A boundary: user message, output, error or cancel ends the step.
            open_step = None
            if pending:
                unanchored(pending, collect_report)
                pending = []
            if kind is ToolOutput:
                fields = item.__dict__
                answered = answerable.pop(fields["call_id"], None)
                if answered is None:
                    return None  # an output the full pipeline pairs further back, or drops
                result = fields["output"]
                if not result.isascii() and has_surrogates(result):
                    return None  # a character cut in two (mended by the full pipeline)
                answered[CALL_RESULT] = result
                answered[CALL_IS_ERROR] = fields["is_error"]
                unanswered -= 1
            elif kind is UserMessage:
                if unanswered:  # the turn is over: its calls without output are orphans
                    _answer_orphans(steps[turn_start:], cancelled, rules_report)
                    unanswered = 0
                    answerable = {}
                turn_start = len(steps)
                cancelled = False
                fields = item.__dict__
                text = fields["text"]
                if not text.isascii():
                    text = mended_text(text, item.id, "user message", collect_report)
                images = fields["images"]
                if not images and not text.strip():
                    rules_report.append(
                        ReportEntry(
                            item.id, "empty-message", "dropped", "user message without text"
                        )
                    )
                elif not last_is_user:
                    last_user_index = len(steps)
                    steps.append((fields["id"], text, images))
                    last_is_user = True
                else:
                    joined_texts = _join_user(steps, item, text, joined_texts, rules_report)
            elif kind is Cancelled:
                cancelled = True
        else:
            return None  # not one of the item classes this pass knows
        previous_type = kind
    unanchored(pending, collect_report)
    if steps and not last_is_user and not steps[-1][1]:
        return None  # a trailing assistant message (dropped by the full pipeline)
    if joined_texts is not None:
        steps[-1] = _joined_user(steps[-1], joined_texts)  # type: ignore[arg-type]
    if unanswered:
        _answer_orphans(steps[turn_start:], cancelled, rules_report)
    report = collect_report
    report += rules_report
    report += ids_report
    loop_start = last_user_index + 1
    select_compact_reasoning(steps, loop_start, settings, report)
    report += shape_report
    return CompactHistory(steps, loop_start, report)


def _joined_user(step: CompactUser, texts: list[str]) -> CompactUser:
    """Rule 5: adjacent user messages become one, a blank line between the non-empty texts."""
    return (step[0], "\n\n".join([text for text in texts if text.strip()]), step[2])


def _join_user(
    steps: list[CompactUser | CompactAssistant],
    item: UserMessage,
    text: str,
    joined_texts: list[str] | None,
    report: list[ReportEntry],
) -> list[str] | None:
    """``history.add_user_step`` when the previous step is a user step: a retried
    prompt is dropped, any other message joins it (``text``: the item's, mended).
    Returns the joined texts."""
    previous: CompactUser = steps[-1]  # type: ignore[assignment]
    last_text = joined_texts[-1] if joined_texts is not None else previous[1]
    if text == last_text and not item.images:
        report.append(
            ReportEntry(item.id, "duplicate-message", "dropped", "repeats the previous prompt")
        )
        return joined_texts
    if joined_texts is None:
        joined_texts = [previous[1]]
    joined_texts.append(text)
    if item.images:
        steps[-1] = (previous[0], previous[1], [*previous[2], *item.images])
    report.append(
        ReportEntry(item.id, "adjacent-user", "joined", "joined to the previous user message")
    )
    return joined_texts


def _answer_orphans(
    steps: list[CompactUser | CompactAssistant], cancelled: bool, report: list[ReportEntry]
) -> None:
    """Rule 3 for the calls of one turn, once it is over and its cancel marker is known."""
    text = CANCELLED_OUTPUT if cancelled else INTERRUPTED_OUTPUT
    for step in steps:
        if step.__class__ is list:
            for call in step[1]:
                if call[CALL_RESULT] is None:
                    call[CALL_RESULT] = text
                    report.append(ReportEntry(call[0].id, "orphaned-call", "synthesised", text))
