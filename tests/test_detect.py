"""First-run detection: API-key variables, then local servers probed on loopback."""

from __future__ import annotations

import json
from typing import Any

from llmx_tui.providers.detect import detect_provider, probe_local, provider_from_env
from tests.loopback import LoopbackServer, Reply


def test_first_key_in_order_wins_and_google_key_counts_for_gemini() -> None:
    assert provider_from_env({}) is None
    assert provider_from_env({"GROQ_API_KEY": "g", "ANTHROPIC_API_KEY": "a"}).preset == "anthropic"
    found = provider_from_env({"GOOGLE_API_KEY": "x"})
    assert found is not None and found.preset == "gemini" and "GOOGLE_API_KEY" in found.reason
    assert provider_from_env({"OPENAI_API_KEY": ""}) is None


async def test_probe_finds_the_first_answering_local_server(loopback: Any) -> None:
    models = json.dumps({"data": [{"id": "qwen3:8b"}, {"id": "llama3"}]}).encode()
    loopback.default = Reply(body=models, content_type="application/json")
    dead = LoopbackServer().start()
    dead_port = dead.port
    dead.stop()  # nothing listens there any more
    found = await probe_local({"ollama": dead_port, "lmstudio": loopback.port})
    assert found is not None
    assert found.preset == "lmstudio"
    assert found.base_url == f"http://127.0.0.1:{loopback.port}/v1"
    assert found.models == ("qwen3:8b", "llama3")
    assert loopback.requests[0].path == "/v1/models"


async def test_nothing_found_returns_none_quickly(loopback: Any) -> None:
    loopback.default = Reply(status=404, body=b"no")
    assert await detect_provider({}, {"vllm": loopback.port}) is None
