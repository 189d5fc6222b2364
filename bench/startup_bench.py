"""Benchmark 5: startup — launch to first frame of ``llmx-tui``, and ``--version`` / ``--help``.

Each launch is a fresh process, interleaved with the baseline: a bare
``python -c pass`` from the same virtualenv (what any Python program pays).
The first frame is timed on a pseudo-terminal until the chat screen's text
shows (``bench.app_probe`` knows what to wait for).

Launches read a bytecode cache (in a temporary folder, filled by the warm-up
round), as an installed package does. The first frame is also timed without
one: with PYTHONDONTWRITEBYTECODE set (as in some sandboxes and CI) every
launch compiles the app's modules from source.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass

from bench import app_probe
from bench.common import Result, interleave, ms, times
from bench.launch import (
    bytecode_cache_env,
    import_costs,
    llmx_command,
    time_command,
    time_to_screen,
)
from bench.sse_server import serve
from bench.streams import markdown_tokens, openai_stream

COMMAND = ".venv/bin/python -m bench --only startup"
LIMIT = 0.5
FIRST_FRAME = "llmx-tui (first frame)"
UNCACHED = "llmx-tui (first frame, no bytecode cache)"
# What the first frame imports: the launch path up to the app.
LAUNCH_MODULES = "llmx_tui.cli, llmx_tui.launch, llmx_tui.ui.app"


@dataclass(frozen=True)
class StartupConfig:
    rounds: int = 9
    top_imports: int = 8
    warmup: int = 1


QUICK = StartupConfig(rounds=5)
SMOKE = StartupConfig(rounds=1, top_imports=3, warmup=0)


def run(config: StartupConfig = StartupConfig()) -> list[Result]:
    llmx = llmx_command()
    notes: list[str] = []
    app_ready = app_probe.app_available()
    with (
        serve(openai_stream(markdown_tokens(20))) as base_url,
        tempfile.TemporaryDirectory() as d,
        tempfile.TemporaryDirectory() as pycache,
    ):
        cached = bytecode_cache_env(pycache)
        candidates = {
            "python -c pass": lambda: time_command([sys.executable, "-c", "pass"]),
            "llmx-tui --version": lambda: time_command([*llmx, "--version"], env=cached),
            "llmx-tui --help": lambda: time_command([*llmx, "--help"], env=cached),
        }
        if app_ready:
            argv = [*llmx, *app_probe.app_args(base_url, d)]
            candidates[FIRST_FRAME] = lambda: time_to_screen(
                argv, app_probe.FIRST_FRAME_TEXT, env={**cached, "LLMX_TUI_CONFIG_DIR": d}
            )
            uncached = {"PYTHONDONTWRITEBYTECODE": "1", "LLMX_TUI_CONFIG_DIR": d}
            candidates[UNCACHED] = lambda: time_to_screen(
                argv, app_probe.FIRST_FRAME_TEXT, env=uncached
            )
        else:
            notes.append(f"first frame not measured: {app_probe.missing_reason()}")
        timings = interleave(candidates, config.rounds, self_timed=True, warmup=config.warmup)
        module = LAUNCH_MODULES if app_ready else "llmx_tui.cli"
        costs = import_costs(module, config.top_imports, env=cached)
    rows = []
    figures: dict[str, float] = {}
    for name in candidates:
        median = timings.median(name)
        rows.append([name, ms(median), times(timings.ratio(name, "python -c pass"))])
        figures[_key(name) + "_s"] = median
        figures[_key(name) + "_over_python"] = timings.ratio(name, "python -c pass")
    for package, seconds in costs:
        figures[f"import_{package}_s"] = seconds
    notes.insert(0, f"median of {config.rounds} interleaved rounds; every launch a new process")
    notes.insert(
        1,
        "llmx-tui launches read a bytecode cache filled by the warm-up round (as an installed "
        "package has); the no-cache row sets PYTHONDONTWRITEBYTECODE, so every launch compiles "
        "the app's modules from source (informative, not judged)",
    )
    notes.append(
        f"import costs of `{module}` by top-level package "
        f"(`python -X importtime`, self time summed): "
        + ", ".join(f"{package} {ms(seconds)}" for package, seconds in costs)
    )
    judged = [
        figures.get(_key(name) + "_s")
        for name in candidates
        if name not in ("python -c pass", UNCACHED)
    ]
    met = all(value is not None and value < LIMIT for value in judged) if app_ready else None
    return [
        Result(
            name="startup",
            title="Startup",
            command=COMMAND,
            target=f"launch to first frame under {ms(LIMIT)} (and `--version`, `--help`)",
            headers=["launch", "median", "/ python -c pass"],
            rows=rows,
            figures=figures,
            met=met,
            notes=notes,
        )
    ]


def _key(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_").lower()
