"""Benchmark 4: resume — launch to first paint of a long saved session vs a short one.

``llmx-tui --resume ID`` runs on a pseudo-terminal and is timed until the end
of the last answer is on screen. The sessions (written through the real
store) alternate questions and Markdown answers; the two launches alternate
round by round.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench import app_probe
from bench.common import Result, interleave, ms, times
from bench.launch import llmx_command, time_to_screen
from bench.sessions import END_MARKER, make_session
from bench.sse_server import serve
from bench.streams import markdown_tokens, openai_stream

COMMAND = ".venv/bin/python -m bench --only resume"
LIMIT = 1.5


@dataclass(frozen=True)
class ResumeConfig:
    messages: int = 2_000
    small_messages: int = 20
    rounds: int = 7
    warmup: int = 1


QUICK = ResumeConfig(rounds=3)
SMOKE = ResumeConfig(messages=40, small_messages=4, rounds=1, warmup=0)


def run(config: ResumeConfig = ResumeConfig()) -> list[Result]:
    large = f"{config.messages:,} messages"
    small = f"{config.small_messages} messages"
    if not app_probe.app_available():
        return [_result(config, {}, None, f"not measured: {app_probe.missing_reason()}")]
    llmx = llmx_command()
    with serve(openai_stream(markdown_tokens(20))) as base_url, tempfile.TemporaryDirectory() as d:
        env = {"LLMX_TUI_CONFIG_DIR": d}
        launches = {}
        for name, count in ((large, config.messages), (small, config.small_messages)):
            data = str(Path(d) / name.split()[0].replace(",", ""))
            session = make_session(data, count)
            argv = [*llmx, *app_probe.app_args(base_url, data), "--resume", session]
            launches[name] = lambda argv=argv: time_to_screen(argv, END_MARKER, env=env)
        timings = interleave(launches, config.rounds, self_timed=True, warmup=config.warmup)
    medians = {name: timings.median(name) for name in launches}
    return [_result(config, medians, timings.ratio(large, small), None)]


def _result(
    config: ResumeConfig, medians: dict[str, float], ratio: float | None, missing: str | None
) -> Result:
    rows = [[name, ms(value)] for name, value in medians.items()]
    figures = {f"{name.split()[0].replace(',', '')}_messages_s": v for name, v in medians.items()}
    if ratio is not None:
        rows.append(["ratio (long / short)", times(ratio)])
        figures["large_over_small"] = ratio
    notes = [
        f"median of {config.rounds} interleaved launches each; timed from starting "
        "`llmx-tui --resume ID` on a 120x40 pseudo-terminal until the end of the last "
        "answer is drawn; answers are ~300 tokens of Markdown (heading, list, table, code)"
    ]
    if missing:
        notes.append(missing)
    return Result(
        name="resume",
        title="Resume: launch to first paint of a saved session",
        command=COMMAND,
        target=f"{config.messages:,} messages within {times(LIMIT)} of {config.small_messages}",
        headers=["session", "launch to first paint"],
        rows=rows or [["—", "—"]],
        figures=figures,
        met=None if ratio is None else ratio <= LIMIT,
        notes=notes,
    )
