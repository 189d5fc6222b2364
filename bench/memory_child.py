"""One measured process for the memory benchmark (its parent reads its peak RSS).

    python bench/memory_child.py client BASE_URL       # our client reads one stream, no UI
    python bench/memory_child.py headless ARGS...      # ``llmx-tui ARGS...`` in this process
    python bench/memory_child.py app-idle BASE_URL DATA_DIR
    python bench/memory_child.py app-stream BASE_URL DATA_DIR TOKENS
    python bench/memory_child.py app-resume BASE_URL DATA_DIR SESSION_ID

Its last line of output is JSON: what it did and ``peak_mb``, the process's own
high-water mark (VmHWM). Not ``ru_maxrss`` from the parent: on Linux that is
kept across exec, so a child started by a large parent reports the parent's size.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

import bench  # noqa: E402,F401  (puts the checkout on sys.path)


async def client(base_url: str) -> dict[str, object]:
    """Transport + parser only (not bench.parse_clients: that imports the openai SDK too)."""
    import httpx

    from llmx_tui.providers.openai_chat.parse import OpenAIChatParser
    from llmx_tui.providers.transport import HttpRequest, Transport

    body = {
        "model": "bench-model",
        "messages": [{"role": "user", "content": "Say it all."}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    request = HttpRequest(
        url=base_url + "/chat/completions", headers={"accept": "text/event-stream"}, body=body
    )
    published = 0

    def count(_event: object) -> None:
        nonlocal published
        published += 1

    async with httpx.AsyncClient(timeout=60) as http:
        outcome = await Transport(http).stream(
            request, OpenAIChatParser(usage_requested=True), count
        )
    return {"text_chars": len(outcome.text), "events": published}


async def app(mode: str, base_url: str, data_dir: str, extra: str | None) -> dict[str, object]:
    from bench import app_driver

    if mode == "app-idle":
        return await app_driver.idle(base_url, data_dir)
    assert extra is not None
    if mode == "app-stream":
        return await app_driver.stream_reply(base_url, data_dir, int(extra))
    return await app_driver.resume(base_url, data_dir, extra)


def peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(argv: list[str]) -> int:
    mode = argv[0]
    if mode == "headless":
        from llmx_tui.cli import main as cli_main

        code = cli_main(argv[1:])
        report: dict[str, object] = {"exit_code": code}
    elif mode == "client":
        report = asyncio.run(client(argv[1]))
    else:
        extra = argv[3] if len(argv) > 3 else None
        report = asyncio.run(app(mode, argv[1], argv[2], extra))
    report["peak_mb"] = peak_mb()
    print("\n" + json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
