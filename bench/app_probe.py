"""What the app-based benchmarks need from the app, in one place.

The Textual app (``llmx_tui.ui.app.LlmxApp``) is written alongside these
benchmarks; until it can be imported and launched, the render, resume,
first-frame and in-app memory measurements say so instead of failing.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

# Text the chat screen shows once it has drawn its first frame: the status bar's model.
FIRST_FRAME_TEXT = "bench-model"


def missing_reason() -> str | None:
    """Why the app cannot be benchmarked yet, or None when it can."""
    for module in ("llmx_tui.ui.app", "llmx_tui.launch"):
        if importlib.util.find_spec(module) is None:
            return f"`{module}` does not exist yet (the app is being written)"
    try:
        app_module = importlib.import_module("llmx_tui.ui.app")
    except Exception as exc:
        return f"`llmx_tui.ui.app` does not import: {type(exc).__name__}: {exc}"
    if not hasattr(app_module, "LlmxApp"):
        return "`llmx_tui.ui.app` has no `LlmxApp` yet"
    return None


def app_available() -> bool:
    return missing_reason() is None


def app_args(base_url: str, data_dir: str) -> list[str]:
    """Command-line arguments that start the app against the loopback server."""
    return [
        "--provider",
        "openai-compatible",
        "--base-url",
        base_url,
        "--model",
        "bench-model",
        "--data-dir",
        data_dir,
    ]


def render_runner(data_dir: str, *, only_the_end: bool = False) -> Any:
    """The real app's render run for render_bench: (base_url, expected, key_delays) -> seconds.

    ``only_the_end``: the pump draws no frame between the first deltas and the end."""
    from bench.app_driver import render_reply

    counter = 0
    folder = "end" if only_the_end else "run"

    async def run(base_url: str, expected: str, key_delays: list[float]) -> float:
        nonlocal counter
        counter += 1  # a fresh data folder per run: every run starts from an empty history
        return await render_reply(
            base_url,
            f"{data_dir}/{folder}{counter}",
            expected,
            key_delays,
            only_the_end=only_the_end,
        )

    return run


def engine_runner(data_dir: str) -> Any:
    """The engine under the app, with no UI, for render_bench: same signature as
    ``render_runner``'s runs."""
    from bench.app_driver import engine_reply

    counter = 0

    async def run(base_url: str, expected: str, key_delays: list[float]) -> float:
        nonlocal counter
        counter += 1  # a fresh data folder per run, as for the app
        return await engine_reply(base_url, f"{data_dir}/engine{counter}", expected, key_delays)

    return run
