"""Command line entry point (placeholder until the headless mode lands)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    print("usage: llmx-tui [--print PROMPT] ...")
    return 0
