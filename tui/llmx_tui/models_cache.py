"""Model lists from each provider's models endpoint, cached on disk with a timestamp.

A failed fetch never raises to the caller: it falls back to the cache (however
old) and says what went wrong. The cache holds model names only, keyed by
provider name and base URL; API keys are sent in headers and never stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx

from llmx_tui import paths
from llmx_tui.config import Settings
from llmx_tui.providers.base import Dialect
from llmx_tui.providers.registry import PRESETS
from llmx_tui.providers.resolve import ProviderSetupError, ResolvedProvider, resolve_provider

CACHE_FILE = "models-cache.json"
CACHE_VERSION = 1
DEFAULT_MAX_AGE = 24 * 3600.0
FETCH_TIMEOUT = 8.0
MAX_PAGES = 10
ANTHROPIC_VERSION = "2023-06-01"
_LISTING_ONLY = "(listing models)"


@dataclass(frozen=True)
class ModelListing:
    """What the picker shows: model names, where they came from, and any problem."""

    provider: str
    models: tuple[str, ...] = ()
    source: Literal["server", "cache", "none"] = "none"
    fetched_at: float | None = None
    error: str | None = None


class ModelsFetchError(Exception):
    """The models endpoint could not be read; the message is safe to show."""


def models_request(
    dialect: Dialect, base_url: str, api_key: str | None, headers: dict[str, str] | None = None
) -> tuple[str, dict[str, str], dict[str, str]]:
    """URL, headers and query parameters for one dialect's models endpoint (pure)."""
    base = base_url.rstrip("/")
    sent = dict(headers or {})
    if dialect == "anthropic":
        if api_key:
            sent["x-api-key"] = api_key
        sent["anthropic-version"] = ANTHROPIC_VERSION
        return f"{base}/v1/models", sent, {"limit": "1000"}
    if dialect == "gemini":
        if api_key:
            sent["x-goog-api-key"] = api_key
        return f"{base}/v1beta/models", sent, {"pageSize": "1000"}
    if api_key:
        sent["Authorization"] = f"Bearer {api_key}"
    return f"{base}/models", sent, {}


def parse_models_page(dialect: Dialect, data: Any) -> tuple[list[str], dict[str, str] | None]:
    """Model names on one page and the parameters for the next page, if any (pure)."""
    if not isinstance(data, dict):
        raise ModelsFetchError("the models endpoint did not answer with a JSON object")
    if dialect == "gemini":
        names = []
        for entry in _list(data.get("models")):
            methods = entry.get("supportedGenerationMethods")
            if isinstance(methods, list) and "generateContent" not in methods:
                continue  # embeddings and other models that cannot chat
            name = str(entry.get("name") or "")
            names.append(name.removeprefix("models/"))
        token = data.get("nextPageToken")
        return [n for n in names if n], ({"pageToken": str(token)} if token else None)
    names = [str(entry["id"]) for entry in _list(data.get("data")) if entry.get("id")]
    if dialect == "anthropic" and data.get("has_more") and data.get("last_id"):
        return names, {"after_id": str(data["last_id"])}
    return names, None


def _list(value: Any) -> list[dict[str, Any]]:
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


async def fetch_model_ids(
    provider: ResolvedProvider,
    *,
    client: httpx.AsyncClient | None = None,
    timeout: float = FETCH_TIMEOUT,
) -> list[str]:
    """Every model the provider lists, sorted; raises ModelsFetchError."""
    url, headers, params = models_request(
        provider.preset.dialect, provider.base_url, provider.api_key, provider.headers
    )
    async with contextlib.AsyncExitStack() as stack:
        if client is None:
            client = await stack.enter_async_context(httpx.AsyncClient(timeout=timeout))
        names: list[str] = []
        for _ in range(MAX_PAGES):
            page, next_params = await _get_page(client, provider, url, headers, params)
            names.extend(page)
            if next_params is None:
                break
            params = {**params, **next_params}
    return sorted(set(names))


async def _get_page(
    client: httpx.AsyncClient,
    provider: ResolvedProvider,
    url: str,
    headers: dict[str, str],
    params: dict[str, str],
) -> tuple[list[str], dict[str, str] | None]:
    try:
        response = await client.get(url, headers=headers, params=params)
    except httpx.HTTPError as exc:
        raise ModelsFetchError(f"could not reach {url}: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise ModelsFetchError(f"{url} answered HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise ModelsFetchError(f"{url} did not answer with JSON") from None
    return parse_models_page(provider.preset.dialect, data)


class ModelsCache:
    """One JSON file in the data dir: {provider|base_url: {fetched_at, models}}."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.data_dir() / CACHE_FILE

    @staticmethod
    def key(provider: str, base_url: str) -> str:
        return f"{provider}|{base_url.rstrip('/')}"

    def _entries(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged: the cache is only a convenience
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def get(self, provider: str, base_url: str) -> tuple[float, tuple[str, ...]] | None:
        entry = self._entries().get(self.key(provider, base_url))
        try:
            return float(entry["fetched_at"]), tuple(str(m) for m in entry["models"])
        except (TypeError, KeyError, ValueError):
            return None

    def put(self, provider: str, base_url: str, models: list[str], fetched_at: float) -> None:
        entries = self._entries()
        entries[self.key(provider, base_url)] = {"fetched_at": fetched_at, "models": models}
        text = json.dumps({"version": CACHE_VERSION, "entries": entries}, indent=1)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


async def list_models(
    provider: ResolvedProvider,
    *,
    cache: ModelsCache | None = None,
    refresh: bool = False,
    max_age: float = DEFAULT_MAX_AGE,
    client: httpx.AsyncClient | None = None,
    clock: Callable[[], float] = time.time,
) -> ModelListing:
    """Fresh cache unless ``refresh``; else the server; on failure, the cache and the error."""
    cache = cache or ModelsCache()
    cached = await asyncio.to_thread(cache.get, provider.name, provider.base_url)
    if cached and not refresh and clock() - cached[0] < max_age:
        return ModelListing(provider.name, cached[1], "cache", cached[0])
    try:
        models = await fetch_model_ids(provider, client=client)
    except ModelsFetchError as exc:
        return _fallback(provider.name, cached, str(exc))
    fetched_at = clock()
    with contextlib.suppress(OSError):
        await asyncio.to_thread(cache.put, provider.name, provider.base_url, models, fetched_at)
    return ModelListing(provider.name, tuple(models), "server", fetched_at)


def _fallback(name: str, cached: tuple[float, tuple[str, ...]] | None, error: str) -> ModelListing:
    if cached:
        return ModelListing(name, cached[1], "cache", cached[0], error)
    return ModelListing(name, (), "none", None, error)


async def models_for(
    settings: Settings,
    provider: str,
    refresh: bool = False,
    *,
    cache: ModelsCache | None = None,
    max_age: float = DEFAULT_MAX_AGE,
    clock: Callable[[], float] = time.time,
) -> ModelListing:
    """The picker's default fetcher: a fresh cache entry, else resolve the key and fetch.

    The cache is checked before resolving, so browsing providers does not run
    every ``api_key_cmd``.
    """
    cache = cache or ModelsCache()
    base_url = _base_url(settings, provider)
    cached = await asyncio.to_thread(cache.get, provider, base_url) if base_url else None
    if cached and not refresh and clock() - cached[0] < max_age:
        return ModelListing(provider, cached[1], "cache", cached[0])
    try:
        # api_key_cmd may run a command: keep it off the event loop.
        # Listing needs no model; a placeholder keeps resolve_provider from asking for one.
        resolved = await asyncio.to_thread(
            resolve_provider, settings, provider=provider, model=_LISTING_ONLY
        )
    except (ProviderSetupError, ValueError) as exc:
        return _fallback(provider, cached, str(exc))
    return await list_models(resolved, cache=cache, refresh=True, max_age=max_age, clock=clock)


def _base_url(settings: Settings, provider: str) -> str | None:
    configured = settings.providers.get(provider)
    preset = PRESETS.get((configured.preset if configured else None) or provider)
    return (configured.base_url if configured else None) or (preset.base_url if preset else None)
