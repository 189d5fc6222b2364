"""First run: find a provider from API-key variables, else a local server on loopback."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from llmx_tui.providers.registry import KEY_ENV_ALIASES, PRESETS

# Order matters: the first key found wins.
KEY_PRESETS: tuple[str, ...] = (
    "openai",
    "anthropic",
    "openrouter",
    "gemini",
    "deepseek",
    "groq",
    "mistral",
    "xai",
)
LOCAL_PORTS: dict[str, int] = {"ollama": 11434, "llamacpp": 8080, "lmstudio": 1234, "vllm": 8000}
PROBE_TIMEOUT = 0.4


@dataclass(frozen=True)
class Detected:
    preset: str
    base_url: str | None = None  # set for local servers found by probing
    models: tuple[str, ...] = ()
    reason: str = ""


def provider_from_env(env: Mapping[str, str] | None = None) -> Detected | None:
    env = os.environ if env is None else env
    for name in KEY_PRESETS:
        variable = PRESETS[name].api_key_env
        assert variable is not None
        for candidate in KEY_ENV_ALIASES.get(variable, (variable,)):
            if env.get(candidate):
                return Detected(name, reason=f"{candidate} is set")
    return None


async def probe_local(
    ports: Mapping[str, int] | None = None, *, timeout: float = PROBE_TIMEOUT
) -> Detected | None:
    """Asks each local server's models endpoint at once; the first in order that answers wins."""
    ports = LOCAL_PORTS if ports is None else ports
    async with httpx.AsyncClient(timeout=timeout) as client:
        results = await asyncio.gather(
            *(_probe(client, name, port) for name, port in ports.items())
        )
    return next((found for found in results if found is not None), None)


async def _probe(client: httpx.AsyncClient, name: str, port: int) -> Detected | None:
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        response = await client.get(f"{base_url}/models")
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    try:
        data = response.json().get("data") or []
        models = tuple(str(m["id"]) for m in data if isinstance(m, dict) and m.get("id"))
    except (ValueError, AttributeError, TypeError):
        models = ()
    return Detected(name, base_url, models, f"a server answered on port {port}")


async def detect_provider(
    env: Mapping[str, str] | None = None, ports: Mapping[str, int] | None = None
) -> Detected | None:
    return provider_from_env(env) or await probe_local(ports)
