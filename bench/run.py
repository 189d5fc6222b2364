"""Runs the benchmarks and prints Markdown tables (the ones BENCHMARKS.md quotes).

.venv/bin/python -m bench                 # everything, full sizes
.venv/bin/python -m bench --quick         # fewer rounds (a few minutes less)
.venv/bin/python -m bench --only parse --only payload
.venv/bin/python -m bench --markdown out.md --json out.json
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict
from importlib import metadata
from typing import Any

from bench.common import REPO, Result

# name -> module; each module has run(config), a default config, QUICK and SMOKE.
BENCHMARKS = {
    "parse": "bench.parse_bench",
    "payload": "bench.payload_bench",
    "render": "bench.render_bench",
    "resume": "bench.resume_bench",
    "startup": "bench.startup_bench",
    "memory": "bench.memory_bench",
}


def run_benchmark(name: str, mode: str = "full") -> list[Result]:
    """``mode``: "full", "quick" or "smoke" (the tiny sizes the test suite uses)."""
    module = importlib.import_module(BENCHMARKS[name])
    if mode == "full":
        return module.run()
    return module.run(getattr(module, mode.upper()))


def machine() -> dict[str, str]:
    versions = {
        name: _version(name)
        for name in ("textual", "httpx", "httpx-sse", "pydantic", "openai", "rich")
    }
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "cpus": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        **versions,
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument(
        "--only",
        action="append",
        choices=list(BENCHMARKS),
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables here")
    parser.add_argument("--json", metavar="FILE", help="also write every figure here")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    names = args.only or list(BENCHMARKS)

    info = machine()
    header = (
        "| "
        + " | ".join(info)
        + " |\n|"
        + "---|" * len(info)
        + "\n| "
        + " | ".join(info.values())
        + " |\n"
    )
    print(header, flush=True)
    sections = [header]
    collected: list[dict[str, Any]] = []
    for name in names:
        started = time.perf_counter()
        results = run_benchmark(name, mode)
        for result in results:
            text = result.markdown()
            print(text, flush=True)
            sections.append(text)
            collected.append(asdict(result))
        print(f"({name}: {time.perf_counter() - started:.0f} s)\n", file=sys.stderr, flush=True)
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write("\n".join(sections))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"machine": info, "results": collected}, handle, indent=1)
    return 0
