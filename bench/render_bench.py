"""Benchmark 2: rendering a long streamed Markdown reply, and keys handled meanwhile.

A reply of N tokens (headings, lists, tables, code) is served at full speed
from the loopback server (another process). Timed from sending the request
until the reply is fully rendered, interleaved round by round:

* bare client: our transport and parser reading the stream, no UI (the baseline);
* Textual's ``Markdown`` widget fed every delta through ``MarkdownStream``;
* our ``StreamingMarkdown`` widget alone, fed at a fixed 30 frames a second (no pacing:
  the chat screen spaces its frames by their cost and by how much text arrives);
* the real app (``LlmxApp``), headless;
* the same app drawing nothing between the first deltas and the end ("app, end only"):
  the least any frame policy could draw, so its time bounds what pacing can win.

While the largest reply streams into each app, a probe key is posted every
20 ms and the delay until the app handles it is recorded (p99 over all rounds).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bench import app_probe, code_reply
from bench.common import Result, Timings, interleave_async, ms, percentile, times
from bench.render_apps import (
    KEY_EVERY,
    SCREEN,
    TextualStreamApp,
    TimedScreen,
    WidgetStreamApp,
    press_keys_while,
)
from bench.sse_server import serve
from bench.streams import markdown_tokens, openai_stream
from llmx_tui.core.events import TextDelta
from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
from llmx_tui.providers.transport import HttpRequest, Transport

COMMAND = ".venv/bin/python -m bench --only render"
RENDER_LIMIT, KEY_LIMIT = 1.3, 0.050
TEXTUAL = "Textual MarkdownStream"
# The app drawing nothing between the first deltas and the end: the floor of any frame policy.
END_ONLY = "app, end only"
ENGINE_ONLY = "engine, no UI"
BODY = {
    "model": "bench-model",
    "messages": [{"role": "user", "content": "Say it all."}],
    "stream": True,
    "stream_options": {"include_usage": True},
}


@dataclass(frozen=True)
class RenderConfig:
    sizes: tuple[int, ...] = (2_000, 5_000, 20_000)
    # The judged size gets the most rounds: its ratio is the median of per-round ratios,
    # and one round there is about a second for all the other candidates together.
    rounds: tuple[int, ...] = (5, 5, 9)
    # Textual's MarkdownStream takes minutes at 20,000 tokens: this many rounds there.
    textual_rounds_at_largest: int = 1
    warmup: int = 1
    code_kilobytes: int = 20
    code_rounds: int = 3


QUICK = RenderConfig(rounds=(3, 3, 2), textual_rounds_at_largest=0)
SMOKE = RenderConfig(sizes=(100, 200), rounds=(1, 1), warmup=0, code_kilobytes=2, code_rounds=1)

Runner = Callable[[str, str, list[float]], Awaitable[None]]


async def bare_read(base_url: str, client: httpx.AsyncClient) -> str:
    request = HttpRequest(
        url=base_url + "/chat/completions", headers={"accept": "text/event-stream"}, body=BODY
    )
    outcome = await Transport(client).stream(
        request, OpenAIChatParser(usage_requested=True), lambda event: None
    )
    return outcome.text


async def _stream_into(
    base_url: str, client: httpx.AsyncClient, deltas: asyncio.Queue[str | None]
) -> None:
    def emit(event: Any) -> None:
        if isinstance(event, TextDelta):
            deltas.put_nowait(event.text)

    request = HttpRequest(
        url=base_url + "/chat/completions", headers={"accept": "text/event-stream"}, body=BODY
    )
    try:
        await Transport(client).stream(request, OpenAIChatParser(usage_requested=True), emit)
    finally:
        deltas.put_nowait(None)


def _small_app_runner(
    app_class: type[TextualStreamApp] | type[WidgetStreamApp], client: httpx.AsyncClient
) -> Runner:
    async def run(base_url: str, expected: str, key_delays: list[float]) -> None:
        app = app_class()
        async with app.run_test(size=SCREEN) as pilot:
            await pilot.pause()
            started = time.perf_counter()
            deltas: asyncio.Queue[str | None] = asyncio.Queue()
            reader = asyncio.ensure_future(_stream_into(base_url, client, deltas))
            shown = asyncio.ensure_future(app.show(deltas))
            keys = asyncio.ensure_future(press_keys_while(app, shown, KEY_EVERY))
            source = await shown
            await reader
            screen: Any = app.screen
            if isinstance(screen, TimedScreen):
                # The end was rendered during a screen update, which paints in the same call.
                app.elapsed = screen.drawn_at - started  # type: ignore[attr-defined]
            else:
                await screen.wait_for_refresh()  # Textual's widget: the end is painted next
                app.elapsed = time.perf_counter() - started  # type: ignore[attr-defined]
            await keys
            await pilot.pause()
        _check(source == expected, f"{app_class.__name__} showed different text")
        key_delays.extend(app.key_delays)
        return app.elapsed  # type: ignore[attr-defined,no-any-return]

    return run


def run(config: RenderConfig = RenderConfig()) -> list[Result]:
    return asyncio.run(_run(config))


async def _run(config: RenderConfig) -> list[Result]:
    with tempfile.TemporaryDirectory() as data_dir:
        return await _measure(config, data_dir)


async def _measure(config: RenderConfig, data_dir: str) -> list[Result]:
    per_size: dict[int, Timings] = {}
    notes: list[str] = []
    async with httpx.AsyncClient(timeout=60) as client:
        runners: dict[str, Runner] = {
            TEXTUAL: _small_app_runner(TextualStreamApp, client),
            "StreamingMarkdown widget": _small_app_runner(WidgetStreamApp, client),
        }
        app_runner = app_probe.render_runner(data_dir) if app_probe.app_available() else None
        if app_runner is not None:
            runners["llmx-tui app"] = app_runner
            runners[END_ONLY] = app_probe.render_runner(data_dir, only_the_end=True)
            runners[ENGINE_ONLY] = app_probe.engine_runner(data_dir)
        else:
            notes.append(f"the real app is not measured: {app_probe.missing_reason()}")
        key_delays = {name: [] for name in runners}
        for size, rounds in zip(config.sizes, config.rounds, strict=True):
            tokens = markdown_tokens(size)
            expected = "".join(tokens)
            largest = size == config.sizes[-1]
            with serve(openai_stream(tokens)) as base_url:
                candidates = {"bare client": _bare(base_url, client, expected)}
                for name, runner in runners.items():
                    sink = key_delays[name] if largest else []
                    candidates[name] = _timed(runner, base_url, expected, sink)
                capped = {TEXTUAL: config.textual_rounds_at_largest} if largest else {}
                per_size[size] = await interleave_async(
                    candidates, rounds, self_timed=True, capped=capped, warmup=config.warmup
                )
    result = _result(config, per_size, key_delays, notes, app_runner is not None)
    code = await code_reply.measure(config.code_kilobytes, config.code_rounds)
    result.figures.update({f"code_{key}": value for key, value in code.items()})
    result.notes.append(
        f"a {code['kilobytes']:g} kB fenced code block fed to the reply widget in "
        f"{code_reply.FRAMES} frames (`bench/code_reply.py`, median of {code['rounds']:g} "
        f"interleaved rounds): rendering in pieces of finished lines took "
        f"{ms(code['pieces_render_s'])} in all, slowest frame {ms(code['pieces_worst_frame_s'])}; "
        f"the same widget rendering the open block whole on every frame took "
        f"{ms(code['whole_render_s'])}, slowest frame {ms(code['whole_worst_frame_s'])} "
        f"({times(code['whole_over_pieces'])} the pieces' time)"
    )
    return [result]


def _bare(
    base_url: str, client: httpx.AsyncClient, expected: str
) -> Callable[[], Awaitable[float]]:
    async def read() -> float:
        started = time.perf_counter()
        text = await bare_read(base_url, client)
        elapsed = time.perf_counter() - started
        _check(text == expected, "the bare client read different text")
        return elapsed

    return read


def _timed(
    runner: Runner, base_url: str, expected: str, sink: list[float]
) -> Callable[[], Awaitable[float]]:
    async def once() -> float:
        return await runner(base_url, expected, sink)  # type: ignore[return-value]

    return once


def _result(
    config: RenderConfig,
    per_size: dict[int, Timings],
    key_delays: dict[str, list[float]],
    notes: list[str],
    app_measured: bool,
) -> Result:
    sizes = config.sizes
    names = [name for name in per_size[sizes[0]].runs if name != "bare client"]
    headers = ["tokens", "bare client", *names, *(f"{name} / bare" for name in names)]
    rows = []
    figures: dict[str, float] = {}
    for size in sizes:
        timings = per_size[size]
        ran = [name for name in names if timings.runs.get(name)]
        rows.append(
            [
                f"{size:,}",
                ms(timings.median("bare client")),
                *(ms(timings.median(name)) if name in ran else "not run" for name in names),
                *(
                    times(timings.ratio(name, "bare client")) if name in ran else "—"
                    for name in names
                ),
            ]
        )
        figures[f"bare_{size}_s"] = timings.median("bare client")
        for name in ran:
            key = _key(name)
            figures[f"{key}_{size}_s"] = timings.median(name)
            figures[f"{key}_{size}_over_bare"] = timings.ratio(name, "bare client")
    growth_notes = []
    for name in ["bare client", *names]:
        first, last = per_size[sizes[0]].runs.get(name), per_size[sizes[-1]].runs.get(name)
        if not first or not last:
            growth_notes.append(f"{name} not run at {sizes[-1]:,}")
            continue
        growth = per_size[sizes[-1]].median(name) / per_size[sizes[0]].median(name)
        figures[f"{_key(name)}_growth"] = growth
        growth_notes.append(f"{name} {times(growth)}")
    size_ratio = sizes[-1] / sizes[0]
    notes.insert(
        0,
        f"growth from {sizes[0]:,} to {sizes[-1]:,} tokens ({size_ratio:g}x the "
        "text; linear would be about the same factor): " + ", ".join(growth_notes),
    )
    key_rows = []
    for name, delays in key_delays.items():
        if delays:
            p99 = percentile(delays, 0.99)
            figures[f"{_key(name)}_key_p99_s"] = p99
            figures[f"{_key(name)}_key_median_s"] = percentile(delays, 0.5)
            key_rows.append(
                f"{name}: p99 {ms(p99)}, median {ms(percentile(delays, 0.5))}, "
                f"max {ms(max(delays))} over {len(delays)} keys"
            )
    notes.append(
        f"key delay while {sizes[-1]:,} tokens stream in (a probe key every "
        f"{ms(KEY_EVERY)}, from posting to the app handling it): " + "; ".join(key_rows)
    )
    from bench.app_driver import scroll_to_top_seconds

    if scroll_to_top_seconds:
        top = percentile(scroll_to_top_seconds, 0.5)
        figures["llmx_tui_app_scroll_to_top_s"] = top
        notes.append(
            "the app renders a block when it is first painted (or sits in the bottom "
            "screenful), so most of a long reply is rendered only if the reader scrolls "
            f"back to it: jumping from the end of a reply to its start took {ms(top)} "
            f"(median over all app runs, max {ms(max(scroll_to_top_seconds))})"
        )
    notes.append(
        f"median of {'/'.join(map(str, config.rounds))} interleaved rounds per size "
        f"({TEXTUAL}: {config.textual_rounds_at_largest} at {sizes[-1]:,}, no warm-up); "
        f"each app at {SCREEN[0]}x{SCREEN[1]} in `run_test()`, timed from the request "
        "until the end of the reply is painted (app start-up not counted; the app then "
        "still saves the finished message, off the event loop, which is not counted)"
    )
    if "StreamingMarkdown widget" in names:
        notes.append(
            "StreamingMarkdown widget: our reply widget alone in a small app, fed what arrived "
            "every 1/30 s however much that is; the app paces its frames by what drawing costs "
            "and draws at most 4 a second while more than a screenful arrives per frame, so at "
            "full loopback speed the widget alone draws more frames than the app"
        )
    if ENGINE_ONLY in names:
        notes.append(
            f"{ENGINE_ONLY}: the engine, transport, bus, recorder and store the app runs, built "
            "as the app builds them, timed from submitting the prompt until the turn is over: "
            "what the app costs beyond the bare read before any drawing"
        )
    if END_ONLY in names:
        notes.append(
            f"{END_ONLY}: the real app with its pump drawing the first deltas and the turn's "
            "end and no frame between (the chat screen's `frame_gap` replaced for these runs): "
            "what remains is the engine, the app around it and the final frame, the least any "
            "frame policy could cost"
        )
    met = None
    if app_measured:
        big = per_size[sizes[-1]]
        met = (
            big.ratio("llmx-tui app", "bare client") <= RENDER_LIMIT
            and figures.get("llmx_tui_app_key_p99_s", 1.0) < KEY_LIMIT
        )
    return Result(
        name="render",
        title="Render: a streamed Markdown reply",
        command=COMMAND,
        target=f"the app within {times(RENDER_LIMIT)} of the bare read at {sizes[-1]:,} tokens; "
        f"p99 key delay under {ms(KEY_LIMIT)}",
        headers=headers,
        rows=rows,
        figures=figures,
        met=met,
        notes=notes,
    )


def _key(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_").lower()


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)
