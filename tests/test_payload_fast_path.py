"""The one-pass normaliser (``history_fast.clean_history``) against the full pipeline.

For any history, ``clean_history`` either gives up (None) or gives exactly what
``normalise_history`` (+ the id shaping the dialect asks for) gives, converted
to the compact form: same steps, same fields, same report entries in the same
order. Every builder's payload and report are then compared with the ones built
with the fast path switched off.

Histories are session-like (turns of reasoning, text, calls and outputs) with
every anomaly PAYLOAD-RULES lists mixed in at random, plus the messier
histories of ``test_payload_properties``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from bench.payload_bench import given_up
from bench.payload_bench import history as bench_history
from bench.payload_bench import settings_for as bench_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmx_tui.core.items import Cancelled, Item, TurnError
from llmx_tui.providers import history as history_module
from llmx_tui.providers.anthropic.payload import build_payload as anthropic_payload
from llmx_tui.providers.base import RequestSettings
from llmx_tui.providers.gemini.payload import build_payload as gemini_payload
from llmx_tui.providers.history import compact_from_steps, normalise_history
from llmx_tui.providers.history_fast import ShapeId, clean_history
from llmx_tui.providers.history_ids import anthropic_id, mistral_id, rewrite_wire_ids
from llmx_tui.providers.history_model import CompactHistory
from llmx_tui.providers.openai_chat.payload import build_payload as openai_payload
from llmx_tui.providers.registry import PRESETS
from tests.payload_validators import call, check_payload, output, said, thought, user
from tests.test_payload_properties import histories as messy_histories
from tests.test_payload_properties import request_settings

BUILDERS = {"openai-chat": openai_payload, "anthropic": anthropic_payload, "gemini": gemini_payload}
MODEL = "m1"
EXAMPLES = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ANOMALIES = (
    "empty-arguments",
    "malformed-arguments",
    "missing-call-id",
    "same-id-in-one-step",
    "id-reused-later",
    "orphan",
    "orphan-answered-late",
    "unmatched-output",
    "output-for-an-earlier-step",
    "empty-user",
    "repeated-prompt",
    "adjacent-user",
    "image-user",
    "empty-assistant",
    "repeated-assistant",
    "adjacent-assistant",
    "unanchored-reasoning",
    "reasoning-after-calls",
    "foreign-reasoning",
    "foreign-signature",
    "cancelled",
    "error",
    "odd-id-shape",
    "leading-assistant",
)
# Outside what a session normally holds: the fast path leaves these to the full pipeline.
GIVEN_UP = {
    "malformed-arguments",
    "missing-call-id",
    "same-id-in-one-step",
    "orphan-answered-late",
    "unmatched-output",
    "output-for-an-earlier-step",
    "empty-assistant",
    "repeated-assistant",
    "adjacent-assistant",
    "leading-assistant",
}
# What a session normally holds: each of these still takes the fast path.
HANDLED = tuple(kind for kind in ANOMALIES if kind not in GIVEN_UP)


def shape_for(provider: str) -> ShapeId | None:
    if provider == "mistral":
        return mistral_id
    return anthropic_id if PRESETS[provider].dialect == "anthropic" else None


def full_pipeline(history: list[Item], rs: RequestSettings) -> CompactHistory:
    normalised = normalise_history(history, rs)
    shape = shape_for(rs.provider)
    if shape is not None:
        rewrite_wire_ids(normalised.steps, shape, normalised.report)
    return compact_from_steps(normalised)


def plain(compact: CompactHistory) -> Any:
    """Comparable form: the fast path uses () where the full pipeline has an empty list."""

    def step(value: Any) -> Any:
        if isinstance(value, tuple):
            return ("user", value[0], value[1], list(value[2]))
        segments, calls, reasoning, incomplete, text = value
        return [list(segments), [list(c) for c in calls], list(reasoning), incomplete, text]

    return [step(s) for s in compact.steps], compact.loop_start, compact.report


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def next(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"


@st.composite
def sessions(
    draw: st.DrawFn, provider: str, allowed: tuple[str, ...] = ANOMALIES, ask_last: bool = False
) -> list[Item]:
    """Turns as a session makes them, with anomalies drawn from ``allowed``; with
    ``ask_last``, a request after a new user message (never after a final answer)."""
    ids = _Ids()
    anomalies = draw(st.sets(st.sampled_from(allowed), max_size=6)) if allowed else set()
    own = {"provider": provider, "model": MODEL}
    items: list[Item] = []

    def owner(kind: str) -> dict[str, Any]:
        if kind in anomalies and draw(st.booleans()):
            # Another provider, or the same provider with another model (a model switch).
            return draw(
                st.sampled_from([{"provider": "other", "model": MODEL}, {**own, "model": "m2"}])
            )
        return own

    def maybe(kind: str) -> bool:
        return kind in anomalies and draw(st.booleans())

    if maybe("leading-assistant"):
        items.append(said(ids.next("a"), ids.next("hello ")))
    earlier_ids: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        text = ids.next("question ")
        if maybe("empty-user"):
            items.append(user(ids.next("u"), " "))
        images = ["data:image/png;base64,AAAA"] if maybe("image-user") else []
        items.append(user(ids.next("u"), text, images))
        if maybe("repeated-prompt"):
            items.append(user(ids.next("u"), text))
        if maybe("adjacent-user"):
            items.append(user(ids.next("u"), ids.next("also ")))
        if maybe("error"):
            items.append(TurnError(id=ids.next("e"), message="failed"))
        for _ in range(draw(st.integers(0, 3))):  # tool steps
            if draw(st.booleans()):
                items.append(
                    thought(
                        ids.next("r"),
                        ids.next("think "),
                        **owner("foreign-reasoning"),
                        signature="sig",
                    )
                )
            if maybe("unanchored-reasoning"):
                items.append(Cancelled(id=ids.next("x")))
                items.append(thought(ids.next("r"), ids.next("lost "), **own))
            if draw(st.integers(0, 3)) == 0:
                items.append(said(ids.next("a"), ids.next("let me look "), **own))
            calls = []
            for _ in range(draw(st.integers(1, 3))):
                call_id = ids.next("call_")
                if maybe("missing-call-id"):
                    call_id = ""
                elif maybe("same-id-in-one-step") and calls:
                    call_id = calls[-1].call_id
                elif maybe("id-reused-later") and set(earlier_ids) - {c.call_id for c in calls}:
                    reusable = set(earlier_ids) - {c.call_id for c in calls}
                    call_id = draw(st.sampled_from(sorted(reusable)))
                elif maybe("odd-id-shape"):
                    call_id = ids.next("functions.f:")
                arguments = '{"a": 1}'
                if maybe("empty-arguments"):
                    arguments = draw(st.sampled_from(["", "  "]))
                elif maybe("malformed-arguments"):
                    arguments = draw(st.sampled_from(["{", "[1]", '{"a": NaN}', ' {"a": 1} ']))
                signature = ids.next("ts ") if draw(st.booleans()) else None
                who = owner("foreign-signature")
                calls.append(
                    call(ids.next("c"), call_id, "f", arguments, **who, signature=signature)
                )
            items += calls
            if maybe("reasoning-after-calls"):  # nothing to attach it to before the outputs
                items.append(thought(ids.next("r"), ids.next("late "), **own))
            earlier_ids += [c.call_id for c in calls]
            answered = [c for c in calls if not maybe("orphan")]
            for answered_call in draw(st.permutations(answered)):
                items.append(output(ids.next("o"), answered_call.call_id, ids.next("out ")))
            if len(answered) < len(calls):  # a call left unanswered: the turn was cut
                if draw(st.booleans()):
                    items.append(Cancelled(id=ids.next("x")))
                else:
                    items.append(TurnError(id=ids.next("e"), message="crashed"))
            if maybe("unmatched-output"):
                items.append(output(ids.next("o"), ids.next("nobody"), "stray"))
            if maybe("output-for-an-earlier-step") and earlier_ids:
                items.append(output(ids.next("o"), draw(st.sampled_from(earlier_ids)), "late"))
            if maybe("cancelled"):
                items.append(Cancelled(id=ids.next("x")))
        if draw(st.booleans()):
            if draw(st.booleans()):
                items.append(
                    thought(ids.next("r"), ids.next("think "), **owner("foreign-reasoning"))
                )
            answer = ids.next("answer ")
            items.append(said(ids.next("a"), answer, **own, signature=ids.next("ts ")))
            if maybe("repeated-assistant"):
                items.append(said(ids.next("a"), answer))
            if maybe("empty-assistant"):
                items.append(said(ids.next("a"), ""))
            if maybe("adjacent-assistant"):
                items.append(TurnError(id=ids.next("e"), message="failed"))
                items.append(said(ids.next("a"), ids.next("more ")))
            if maybe("orphan-answered-late") and earlier_ids:
                items.append(user(ids.next("u"), ids.next("wait ")))
                items.append(output(ids.next("o"), earlier_ids[-1], "late"))
    if ask_last or draw(st.booleans()):
        items.append(user(ids.next("u"), ids.next("new question ")))
    return items


def check_same(history: list[Item], rs: RequestSettings) -> bool:
    """Asserts the fast path equals the full pipeline; True when it was taken."""
    fast = clean_history(history, rs, shape_for(rs.provider))
    if fast is not None:
        assert plain(fast) == plain(full_pipeline(history, rs))
    return fast is not None


def payload_without_fast_path(
    monkeypatch: pytest.MonkeyPatch, history: list[Item], rs: RequestSettings
) -> tuple[dict[str, Any], list[Any]]:
    with monkeypatch.context() as patch:
        patch.setattr(history_module, "clean_history", lambda *args: None)
        return BUILDERS[PRESETS[rs.provider].dialect](history, rs)


@EXAMPLES
@given(data=st.data(), provider=st.sampled_from(sorted(PRESETS)))
def test_fast_path_equals_the_full_pipeline_on_sessions(provider: str, data: st.DataObject) -> None:
    history = data.draw(sessions(provider), label="history")
    check_same(history, request_settings(data.draw, provider))


@EXAMPLES
@given(data=st.data(), provider=st.sampled_from(sorted(PRESETS)))
def test_sessions_with_only_handled_anomalies_take_the_fast_path(
    provider: str, data: st.DataObject
) -> None:
    history = data.draw(sessions(provider, HANDLED, ask_last=True), label="history")
    assert check_same(history, request_settings(data.draw, provider))


@EXAMPLES
@given(data=st.data(), provider=st.sampled_from(sorted(PRESETS)))
def test_fast_path_equals_the_full_pipeline_on_messy_histories(
    provider: str, data: st.DataObject
) -> None:
    history = data.draw(messy_histories(provider), label="history")
    check_same(history, request_settings(data.draw, provider))


@settings(EXAMPLES, max_examples=60)
@given(data=st.data(), provider=st.sampled_from(sorted(PRESETS)))
def test_payload_and_report_are_those_of_the_full_pipeline(
    provider: str, data: st.DataObject
) -> None:
    history = data.draw(sessions(provider), label="history")
    rs = request_settings(data.draw, provider)
    build = BUILDERS[PRESETS[provider].dialect]
    payload, report = build(history, rs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(history_module, "clean_history", lambda *args: None)
        slow_payload, slow_report = build(history, rs)
    assert json.dumps(payload) == json.dumps(slow_payload)
    assert report == slow_report


@pytest.mark.parametrize("provider", sorted(PRESETS))
def test_the_benchmark_history_takes_the_fast_path(
    provider: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    history = bench_history(600, provider)
    rs = bench_settings(provider)
    assert check_same(history, rs)
    payload, report = BUILDERS[PRESETS[provider].dialect](history, rs)
    assert (payload, report) == payload_without_fast_path(monkeypatch, history, rs)


def test_a_session_with_cancels_errors_orphans_and_a_model_switch_takes_the_fast_path() -> None:
    history: list[Item] = [
        user("u1", "one"),
        thought("r1", "hmm", provider="vllm", model="old-model"),
        call("c1", "id1", "f", ""),
        Cancelled(id="x1"),
        user("u2", "two"),
        TurnError(id="e1", message="timeout"),
        user("u3", "two, again"),
        call("c2", "id1", "f", '{"a": 1}', provider="vllm", model=MODEL),
        output("o2", "id1", "done"),
        said("a1", "Done.", provider="vllm", model=MODEL),
        user("u4", "three"),
        thought("r2", "now", provider="vllm", model=MODEL),
        call("c3", "id3", "f", "{}"),
        output("o3", "id3", "ok"),
    ]
    rs = RequestSettings(provider="vllm", model=MODEL, reasoning_policy="anchored")
    assert check_same(history, rs)
    rules = [entry.rule for entry in full_pipeline(history, rs).report]
    assert rules == [
        "empty-arguments",
        "orphaned-call",
        "adjacent-user",
        "duplicate-call-id",
        "earlier-turn-reasoning",
    ]


def test_the_benchmark_history_given_up_on_takes_the_full_pipeline() -> None:
    history = given_up(bench_history(300, "openai"))
    rs = bench_settings("openai")
    assert clean_history(history, rs) is None
    _, report = openai_payload(history, rs)
    assert [e.rule for e in report].count("unmatched-output") == 1


@pytest.mark.parametrize(
    "history",
    [
        [user("u1", "a"), call("c1", "i", "f", "{")],
        [user("u1", "a"), call("c1", "", "f", "{}")],
        [user("u1", "a"), call("c1", "i", "f", "{}"), call("c2", "i", "f", "{}")],
        [user("u1", "a"), output("o1", "i", "stray")],
        [user("u1", "a"), call("c1", "i", "f", "{}"), user("u2", "b"), output("o1", "i", "x")],
        [user("u1", "a"), said("a1", " ")],
        [user("u1", "a"), said("a1", "x"), said("a2", "x"), user("u2", "b")],
        [
            user("u1", "a"),
            said("a1", "x"),
            TurnError(message="e"),
            said("a2", "y"),
            user("u2", "b"),
        ],
        [user("u1", "a"), said("a1", "x")],
    ],
    ids=[
        "malformed",
        "no-id",
        "id-twice-in-a-step",
        "unmatched-output",
        "output-after-the-turn",
        "empty-assistant",
        "repeated-assistant",
        "adjacent-assistant",
        "trailing-assistant",
    ],
)
def test_what_the_fast_path_leaves_to_the_full_pipeline(history: list[Item]) -> None:
    rs = RequestSettings(provider="openai", model=MODEL)
    assert clean_history(history, rs) is None
    payload, _ = openai_payload(history, rs)  # built by the full pipeline instead
    check_payload(payload, rs)
