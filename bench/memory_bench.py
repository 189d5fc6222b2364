"""Benchmark 6: peak memory (RSS) of whole processes.

Each case is a fresh process (``bench/memory_child.py``) that reports its own
high-water mark, beside the baseline it is compared with:

* headless ``llmx-tui --print`` streaming 20,000 tokens vs our bare client
  reading the same stream (no engine, no store, no UI);
* the app streaming 20,000 tokens vs the app idle at its first frame;
* the app resuming a 2,000-message session vs a 20-message one.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench import app_probe
from bench.common import Result
from bench.sessions import make_session
from bench.sse_server import serve
from bench.streams import markdown_tokens, openai_stream

COMMAND = ".venv/bin/python -m bench --only memory"
CHILD = str(Path(__file__).resolve().parent / "memory_child.py")


@dataclass(frozen=True)
class MemoryConfig:
    tokens: int = 20_000
    messages: int = 2_000
    small_messages: int = 20
    rounds: int = 3
    # Run the processes of a round side by side (peaks are per process; only for the smoke
    # test, where the time matters more than a quiet machine).
    parallel: bool = False


QUICK = MemoryConfig(rounds=1)
SMOKE = MemoryConfig(tokens=200, messages=40, small_messages=4, rounds=1, parallel=True)


def peak_rss_mb(argv: list[str]) -> tuple[float, dict[str, object]]:
    """Runs a memory_child command to the end; its peak RSS in MB and its report."""
    result = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"{argv[2:4]} failed ({result.returncode}): {result.stderr[-600:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return float(report["peak_mb"]), report


def run(config: MemoryConfig = MemoryConfig()) -> list[Result]:
    python = sys.executable
    body = openai_stream(markdown_tokens(config.tokens))
    app_ready = app_probe.app_available()
    cases: dict[str, list[str]] = {}
    pairs: list[tuple[str, str]] = []
    with serve(body) as base_url, tempfile.TemporaryDirectory() as data:
        headless = f"headless --print, {config.tokens:,} tokens"
        bare = f"bare client, {config.tokens:,} tokens"
        cases[headless] = [
            python,
            CHILD,
            "headless",
            "--print",
            "Say it all.",
            "--json",
            "--no-tools",
            *app_probe.app_args(base_url, str(Path(data) / "headless")),
        ]
        cases[bare] = [python, CHILD, "client", base_url]
        pairs.append((headless, bare))
        if app_ready:
            big = make_session(Path(data) / "big", config.messages)
            small = make_session(Path(data) / "small", config.small_messages)
            stream = f"app streaming {config.tokens:,} tokens"
            idle = "app idle (first frame)"
            resumed = f"app resumed {config.messages:,} messages"
            resumed_small = f"app resumed {config.small_messages} messages"
            cases[stream] = [
                python,
                CHILD,
                "app-stream",
                base_url,
                str(Path(data) / "stream"),
                str(config.tokens),
            ]
            cases[idle] = [python, CHILD, "app-idle", base_url, str(Path(data) / "idle")]
            cases[resumed] = [python, CHILD, "app-resume", base_url, str(Path(data) / "big"), big]
            cases[resumed_small] = [
                python,
                CHILD,
                "app-resume",
                base_url,
                str(Path(data) / "small"),
                small,
            ]
            pairs += [(stream, idle), (resumed, resumed_small)]
        peaks: dict[str, list[float]] = {name: [] for name in cases}
        workers = len(cases) if config.parallel else 1
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for _ in range(config.rounds):
                measured = dict(zip(cases, pool.map(peak_rss_mb, cases.values()), strict=True))
                for name, (peak, report) in measured.items():
                    if report.get("exit_code", 0) != 0:
                        raise RuntimeError(f"{name}: exit code {report['exit_code']}")
                    peaks[name].append(peak)
    return [_result(config, peaks, pairs, app_ready)]


def _result(
    config: MemoryConfig,
    peaks: dict[str, list[float]],
    pairs: list[tuple[str, str]],
    app_ready: bool,
) -> Result:
    rows = []
    figures: dict[str, float] = {}
    for name, baseline in pairs:
        candidate_mb = statistics.median(peaks[name])
        baseline_mb = statistics.median(peaks[baseline])
        rows.append(
            [
                name,
                f"{candidate_mb:.1f} MB",
                baseline,
                f"{baseline_mb:.1f} MB",
                f"{candidate_mb / baseline_mb:.2f}x",
                f"{candidate_mb - baseline_mb:+.1f} MB",
            ]
        )
        key = "".join(c if c.isalnum() else "_" for c in name).strip("_").lower()
        figures[f"{key}_mb"] = candidate_mb
        figures[f"{key}_over_baseline"] = candidate_mb / baseline_mb
    notes = [
        f"median of {config.rounds} runs of each process; peak RSS (VmHWM, read by the "
        "process itself as it ends), so it includes the interpreter and every import",
        "the stream is served from the loopback server in another process",
    ]
    if not app_ready:
        notes.append(f"in-app cases not measured: {app_probe.missing_reason()}")
    return Result(
        name="memory",
        title="Memory: peak RSS",
        command=COMMAND,
        target="none set (reported with the baseline beside it)",
        headers=["process", "peak RSS", "baseline", "baseline RSS", "ratio", "difference"],
        rows=rows,
        figures=figures,
        met=None,
        notes=notes,
    )
