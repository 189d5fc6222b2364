"""Each benchmark at toy sizes, so the benchmarks cannot rot unnoticed.

Only that they complete and report figures with the expected names; never a
time (the machine is shared and timings mean nothing here).
"""

from __future__ import annotations

import math

import pytest
from bench import app_probe
from bench.common import Result
from bench.run import run_benchmark

pytestmark = pytest.mark.timeout(120)


def _figures_are_positive(results: list[Result]) -> dict[str, float]:
    figures: dict[str, float] = {}
    for result in results:
        assert result.rows, f"{result.name}: empty table"
        assert all(len(row) == len(result.headers) for row in result.rows)
        assert "|" in result.markdown()
        for name, value in result.figures.items():
            assert isinstance(value, float), name
            assert value > 0 and math.isfinite(value), f"{result.name}: {name} = {value}"
        figures.update(result.figures)
    return figures


def test_parse_benchmark_reports_ours_sdk_and_floor() -> None:
    figures = _figures_are_positive(run_benchmark("parse", "smoke"))
    for prefix in ("network", "memory", "openai"):
        for suffix in (
            "ours_s",
            "sdk_s",
            "floor_s",
            "sdk_over_ours",
            "ours_over_floor",
        ):
            assert f"{prefix}_{suffix}" in figures
    for dialect in ("anthropic", "gemini"):
        assert f"{dialect}_ours_over_floor" in figures


def test_payload_benchmark_reports_every_size_per_preset() -> None:
    (result,) = run_benchmark("payload", "smoke")
    figures = _figures_are_positive([result])
    for preset in ("openai", "anthropic", "gemini"):
        for size in (50, 100):
            assert f"{preset}_{size}_s" in figures
            assert f"{preset}_{size}_over_baseline" in figures
        assert f"{preset}_growth_vs_baseline_50_100" in figures


def test_startup_benchmark_times_the_command_line() -> None:
    (result,) = run_benchmark("startup", "smoke")
    figures = _figures_are_positive([result])
    for key in (
        "python__c_pass_s",
        "llmx_tui___version_s",
        "llmx_tui___help_s",
        "llmx_tui___version_over_python",
    ):
        assert key in figures
    assert any(key.startswith("import_") for key in figures)
    if app_probe.app_available():
        assert "llmx_tui__first_frame_s" in figures


def test_memory_benchmark_reports_peak_rss() -> None:
    (result,) = run_benchmark("memory", "smoke")
    figures = _figures_are_positive([result])
    assert "headless___print__200_tokens_mb" in figures
    assert "headless___print__200_tokens_over_baseline" in figures
    if app_probe.app_available():
        assert "app_streaming_200_tokens_mb" in figures
        assert "app_resumed_40_messages_over_baseline" in figures


def test_render_benchmark_reports_each_renderer_and_key_delays() -> None:
    (result,) = run_benchmark("render", "smoke")
    figures = _figures_are_positive([result])
    for key in (
        "bare_100_s",
        "textual_markdownstream_200_over_bare",
        "streamingmarkdown_widget_200_over_bare",
        "streamingmarkdown_widget_key_p99_s",
    ):
        assert key in figures
    if app_probe.app_available():
        assert "llmx_tui_app_200_over_bare" in figures
        assert "llmx_tui_app_key_p99_s" in figures


def test_resume_benchmark_reports_both_sessions() -> None:
    if not app_probe.app_available():
        pytest.skip(f"the app cannot be benchmarked yet: {app_probe.missing_reason()}")
    (result,) = run_benchmark("resume", "smoke")
    figures = _figures_are_positive([result])
    assert "large_over_small" in figures
