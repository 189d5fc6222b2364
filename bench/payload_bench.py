"""Benchmark 3: building the request payload from histories of 1,000 to 100,000 items.

Every preset, through ``providers.dialects`` (the lookup the engine uses).
The history is the worst ordinary case: every turn has reasoning owned by the
same provider and model (so it is replayed wherever the preset allows), a tool
call with its output and a final answer. The baseline, timed in the same
rounds, is the least any builder must do: ``model_dump()`` of every item.

Both are timed as a turn runs them: the app and headless ``--print`` pause the
cyclic collector while a turn runs (``llmx_tui.collector_pause``), so the
build is never followed by a collection over the payload it made. The builder
called with the collector running (which then scans the new payload at once)
is timed beside them, not judged.
"""

from __future__ import annotations

import gc
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass

from bench.common import Result, interleave, ms, times
from llmx_tui.core.items import (
    AssistantMessage,
    Item,
    Reasoning,
    ToolCall,
    ToolOutput,
    UserMessage,
)
from llmx_tui.providers.base import RequestSettings, ToolSpec
from llmx_tui.providers.dialects import BuildPayload, get_dialect
from llmx_tui.providers.registry import PRESETS

COMMAND = ".venv/bin/python -m bench --only payload"
MODEL = "bench-model"
LIMIT_10K = 0.020  # seconds for 10,000 items
# Growing the history 10x may cost at most this much more than it costs the baseline.
RELATIVE_GROWTH_LIMIT = 1.3


@dataclass(frozen=True)
class PayloadConfig:
    sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    # Per size; a 10,000-item round is about 0.1 s for the four candidates, so the judged
    # size can afford many; the 100,000-item step's growth is judged too, on five.
    rounds: tuple[int, ...] = (25, 15, 5)
    presets: tuple[str, ...] | None = None  # None: every preset


QUICK = PayloadConfig(rounds=(5, 3, 1))
SMOKE = PayloadConfig(sizes=(50, 100), rounds=(1, 1), presets=("openai", "anthropic", "gemini"))

TOOL = ToolSpec(
    name="read_file",
    description="Read a file from the workspace.",
    parameters={"type": "object", "properties": {"path": {"type": "string"}}},
)


def history(count: int, provider: str) -> list[Item]:
    """``count`` items in turns of user, reasoning, tool call, tool output, answer."""
    items: list[Item] = []
    turn = 0
    while len(items) < count:
        call_id = f"call_{turn:06d}"
        items += [
            UserMessage(text=f"Question {turn}: what does file {turn} do?", turn=turn),
            Reasoning(
                text=f"The user asks about file {turn}; I should read it first.",
                provider=provider,
                model=MODEL,
                signature=f"sig-{turn}",
                turn=turn,
            ),
            ToolCall(
                call_id=call_id,
                name="read_file",
                arguments=json.dumps({"path": f"src/file_{turn}.py"}),
                provider=provider,
                model=MODEL,
                thought_signature=f"ts-{turn}",
                turn=turn,
            ),
            ToolOutput(call_id=call_id, output=f"def f_{turn}():\n    return {turn}\n", turn=turn),
            AssistantMessage(
                text=f"File {turn} defines one function that returns {turn}.",
                provider=provider,
                model=MODEL,
                turn=turn,
            ),
        ]
        turn += 1
    # End on a user message, as a request does (the last turn may be cut short).
    items = items[:count]
    if not isinstance(items[-1], UserMessage):
        items[-1] = UserMessage(text="And the next one?", turn=turn)
    return items


def given_up(items: list[Item]) -> list[Item]:
    """``items`` with an output no call asked for just before the last item: the one-pass
    normaliser (``history_fast``) reads the whole history, then leaves it to the full pipeline."""
    stray = ToolOutput(call_id="call_nobody", output="stray", turn=items[-1].turn)
    return [*items[:-1], stray, items[-1]]


def settings_for(name: str) -> RequestSettings:
    preset = PRESETS[name]
    return RequestSettings(
        provider=name,
        model=MODEL,
        reasoning_policy=preset.reasoning_policy,
        reasoning_field=preset.reasoning_field,
        system_prompt="You are a helpful assistant.",
        tools=(TOOL,),
        max_tokens=4096,
    )


def run(config: PayloadConfig = PayloadConfig()) -> list[Result]:
    medians: dict[str, dict[int, float]] = {}
    over_baseline: dict[str, dict[int, float]] = {}
    baseline_growth: dict[str, dict[int, float]] = {}
    collector_on: dict[str, dict[int, float]] = {}
    fallback: dict[str, dict[int, float]] = {}
    broken: dict[str, str] = {}
    for name in config.presets or PRESETS:
        try:
            build = get_dialect(PRESETS[name].dialect).build_payload
            measured = _measure(build, name, config)
        except Exception as exc:  # a builder mid-rewrite must not stop the other presets
            broken[name] = f"{type(exc).__name__}: {exc}"
            continue
        medians[name] = {size: m[0] for size, m in measured.items()}
        over_baseline[name] = {size: m[1] for size, m in measured.items()}
        baseline_growth[name] = {size: m[2] for size, m in measured.items()}
        collector_on[name] = {size: m[3] for size, m in measured.items()}
        fallback[name] = {size: m[4] for size, m in measured.items()}
    return [
        _result(config, medians, over_baseline, baseline_growth, collector_on, fallback, broken)
    ]


def _in_a_turn(action: Callable[[], object]) -> object:
    """``action`` with the cyclic collector paused, as while a turn runs."""
    gc.disable()
    try:
        return action()
    finally:
        gc.enable()


def _measure(
    build: BuildPayload, name: str, config: PayloadConfig
) -> dict[int, tuple[float, float, float, float, float]]:
    """Per size: median build time, median ratio to the baseline, median baseline time
    (both with the collector paused, as in a turn), median build time with the
    collector running and median build time of the same history when the fast path
    gives up at its end (``given_up``).

    One preset at a time, so only its history is alive (a dozen 100,000-item
    histories at once would make the garbage collector, not the builder, the cost).
    """
    settings = settings_for(name)
    measured = {}
    for size, rounds in zip(config.sizes, config.rounds, strict=True):
        items = history(size, name)
        odd = given_up(items)
        timings = interleave(
            {
                "build": lambda items=items: _in_a_turn(lambda: build(items, settings)),
                "baseline": lambda items=items: _in_a_turn(
                    lambda: [item.model_dump() for item in items]
                ),
                "collector on": lambda items=items: build(items, settings),
                "given up": lambda odd=odd: _in_a_turn(lambda: build(odd, settings)),
            },
            rounds,
        )
        measured[size] = (
            timings.median("build"),
            timings.ratio("build", "baseline"),
            timings.median("baseline"),
            timings.median("collector on"),
            timings.median("given up"),
        )
        del items, odd
    return measured


def _result(
    config: PayloadConfig,
    medians: dict[str, dict[int, float]],
    over_baseline: dict[str, dict[int, float]],
    baseline: dict[str, dict[int, float]],
    collector_on: dict[str, dict[int, float]],
    fallback: dict[str, dict[int, float]],
    broken: dict[str, str],
) -> Result:
    sizes = config.sizes
    steps = list(itertools.pairwise(sizes))
    headers = ["preset", *(f"{size:,} items" for size in sizes)]
    headers += [f"{b:,} / {a:,}" for a, b in steps]
    headers += [f"{b:,} / {a:,} vs baseline's" for a, b in steps]
    headers.append(f"/ baseline at {sizes[-1]:,}")
    headers += [f"{size:,}, collector on" for size in sizes[1:]]
    headers += [f"{size:,}, fast path given up" for size in sizes[1:]]
    rows: list[list[str]] = []
    figures: dict[str, float] = {}
    limit_met = linear_met = True
    for name, by_size in medians.items():
        growth = [by_size[b] / by_size[a] for a, b in steps]
        relative = [
            g / (baseline[name][b] / baseline[name][a])
            for (a, b), g in zip(steps, growth, strict=True)
        ]
        rows.append(
            [
                name,
                *(ms(by_size[size]) for size in sizes),
                *(times(g) for g in growth),
                *(times(r) for r in relative),
                times(over_baseline[name][sizes[-1]]),
                *(ms(collector_on[name][size]) for size in sizes[1:]),
                *(ms(fallback[name][size]) for size in sizes[1:]),
            ]
        )
        for size in sizes:
            figures[f"{name}_{size}_s"] = by_size[size]
            figures[f"{name}_{size}_over_baseline"] = over_baseline[name][size]
            figures[f"{name}_{size}_collector_on_s"] = collector_on[name][size]
            figures[f"{name}_{size}_given_up_s"] = fallback[name][size]
        for (a, b), g, r in zip(steps, growth, relative, strict=True):
            figures[f"{name}_growth_{a}_{b}"] = g
            figures[f"{name}_growth_vs_baseline_{a}_{b}"] = r
        linear_met = linear_met and all(r <= RELATIVE_GROWTH_LIMIT for r in relative)
        limit_met = limit_met and by_size.get(10_000, 0.0) <= LIMIT_10K
    all_baseline = [baseline[name][size] for name in baseline for size in sizes]
    if all_baseline:
        figures["baseline_median_s"] = sorted(all_baseline)[len(all_baseline) // 2]
    notes = [
        f"median of {'/'.join(map(str, config.rounds))} rounds per size; each round runs the "
        "build and the baseline once, alternating which goes first",
        "timed as a turn runs them: the app and headless `--print` pause the cyclic collector "
        "while a turn runs, so the build, the baseline and the given-up build run with it "
        "paused (`gc.disable()` around each call)",
        "history: turns of user message, reasoning (same provider and model, signed), "
        "tool call, tool output, answer; one tool offered; system prompt set",
        "baseline: `[item.model_dump() for item in history]`, the least a builder could do; "
        "it is linear by construction, so its own growth shows what the machine adds "
        "(caches, allocator, garbage collector) when the history grows 10x",
        "collector on (not judged): the builder called with the collector running, as a caller "
        "that leaves it on would; the builder pauses it itself and switches it back on, and a "
        "young-generation collection over the payload it has just made follows at once (in a "
        "turn that collection comes after the turn, when the payload has been sent)",
        "fast path given up: the same history with one output no call asked for just before "
        "its last item; the one-pass normaliser reads it all, then the full pipeline builds it "
        "(any history outside the usual shape costs this much at most); not judged",
        f"linear (judged): growth at most {RELATIVE_GROWTH_LIMIT:g}x the baseline's growth "
        "over the same step; the raw growth columns are shown beside it",
    ]
    notes += [f"{name}: not measured — {error}" for name, error in broken.items()]
    return Result(
        name="payload",
        title="Payload build per preset",
        command=COMMAND,
        target=f"linear in the history length; 10,000 items under {ms(LIMIT_10K)}",
        headers=headers,
        rows=rows,
        figures=figures,
        met=limit_met and linear_met and not broken,
        notes=notes,
    )
