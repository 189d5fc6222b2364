"""models_cache: each dialect's models endpoint over loopback, the disk cache, fallbacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from llmx_tui import paths
from llmx_tui.config import ProviderConfig, Settings
from llmx_tui.models_cache import (
    ModelsCache,
    list_models,
    models_for,
    models_request,
    parse_models_page,
)
from llmx_tui.providers.registry import PRESETS
from llmx_tui.providers.resolve import ResolvedProvider
from tests.loopback import LoopbackServer, Reply

SECRET = "sk-test-secret-123"


def json_reply(data: object, status: int = 200) -> Reply:
    return Reply(status=status, body=json.dumps(data).encode(), content_type="application/json")


def provider(preset: str, base_url: str, name: str | None = None) -> ResolvedProvider:
    return ResolvedProvider(
        name=name or preset,
        preset=PRESETS[preset],
        base_url=base_url,
        model="m",
        api_key=SECRET,
        headers={"X-Extra": "1"},
    )


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_openai_style_lists_sorted_ids_with_bearer_key(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.add(
        json_reply(
            {"object": "list", "data": [{"id": "gpt-4o"}, {"id": "a-model"}, {"object": "model"}]}
        )
    )
    cache = ModelsCache(tmp_path / "cache.json")
    listing = await list_models(
        provider("openai", loopback.base_url), cache=cache, clock=Clock(1000.0)
    )
    assert listing.models == ("a-model", "gpt-4o")
    assert (listing.source, listing.fetched_at, listing.error) == ("server", 1000.0, None)
    request = loopback.requests[0]
    assert request.path == "/v1/models"
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert request.headers["x-extra"] == "1"
    # Cached on disk with its timestamp; the key is never written.
    assert cache.get("openai", loopback.base_url) == (1000.0, ("a-model", "gpt-4o"))
    assert SECRET not in cache.path.read_text()


async def test_anthropic_headers_path_and_pages(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.add(
        json_reply({"data": [{"id": "claude-b"}], "has_more": True, "last_id": "claude-b"}),
        json_reply({"data": [{"id": "claude-a"}], "has_more": False, "last_id": "claude-a"}),
    )
    listing = await list_models(
        provider("anthropic", loopback.root_url), cache=ModelsCache(tmp_path / "c.json")
    )
    assert listing.models == ("claude-a", "claude-b")
    first, second = loopback.requests
    assert first.path == "/v1/models?limit=1000"
    assert first.headers["x-api-key"] == SECRET
    assert first.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in first.headers
    assert second.path == "/v1/models?limit=1000&after_id=claude-b"


async def test_gemini_names_and_chat_models_only(loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.add(
        json_reply(
            {
                "models": [
                    {
                        "name": "models/gemini-2.5-flash",
                        "supportedGenerationMethods": ["generateContent"],
                    },
                    {
                        "name": "models/text-embedding-004",
                        "supportedGenerationMethods": ["embedContent"],
                    },
                    {"name": "models/gemini-pro"},
                ]
            }
        )
    )
    listing = await list_models(
        provider("gemini", loopback.root_url), cache=ModelsCache(tmp_path / "c.json")
    )
    assert listing.models == ("gemini-2.5-flash", "gemini-pro")
    request = loopback.requests[0]
    assert request.path.startswith("/v1beta/models")
    assert request.headers["x-goog-api-key"] == SECRET
    assert SECRET not in request.path


async def test_fresh_cache_is_used_without_a_request(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    cache = ModelsCache(tmp_path / "c.json")
    cache.put("openai", loopback.base_url, ["cached-model"], 1000.0)
    listing = await list_models(
        provider("openai", loopback.base_url), cache=cache, clock=Clock(1000.0 + 60)
    )
    assert (listing.models, listing.source) == (("cached-model",), "cache")
    assert loopback.requests == []


async def test_refresh_or_stale_cache_asks_the_server(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    cache = ModelsCache(tmp_path / "c.json")
    cache.put("openai", loopback.base_url, ["old"], 1000.0)
    loopback.add(json_reply({"data": [{"id": "new"}]}), json_reply({"data": [{"id": "newer"}]}))
    stale = await list_models(
        provider("openai", loopback.base_url), cache=cache, clock=Clock(1000.0 + 2 * 86400)
    )
    refreshed = await list_models(
        provider("openai", loopback.base_url),
        cache=cache,
        refresh=True,
        clock=Clock(1000.0 + 2 * 86400 + 1),
    )
    assert (stale.models, refreshed.models) == (("new",), ("newer",))
    assert len(loopback.requests) == 2


async def test_failure_falls_back_to_cache_with_the_error(
    loopback: LoopbackServer, tmp_path: Path
) -> None:
    cache = ModelsCache(tmp_path / "c.json")
    cache.put("openai", loopback.base_url, ["kept"], 1000.0)
    loopback.add(json_reply({"error": {"message": "bad key"}}, status=401))
    listing = await list_models(provider("openai", loopback.base_url), cache=cache, refresh=True)
    assert (listing.models, listing.source, listing.fetched_at) == (("kept",), "cache", 1000.0)
    assert listing.error is not None and "401" in listing.error
    assert SECRET not in listing.error


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=200, body=b"<html>", content_type="text/html"),
        Reply(status=200, body=b"[1, 2]", content_type="application/json"),
    ],
)
async def test_unusable_answers_are_reported_not_raised(
    loopback: LoopbackServer, tmp_path: Path, reply: Reply
) -> None:
    loopback.add(reply)
    listing = await list_models(
        provider("openai", loopback.base_url), cache=ModelsCache(tmp_path / "c.json")
    )
    assert (listing.models, listing.source) == ((), "none")
    assert listing.error


async def test_unreachable_server_is_reported(tmp_path: Path) -> None:
    listing = await list_models(
        provider("openai", "http://127.0.0.1:9/v1"), cache=ModelsCache(tmp_path / "c.json")
    )
    assert listing.source == "none" and "could not reach" in (listing.error or "")


def test_damaged_cache_reads_as_empty(tmp_path: Path) -> None:
    cache = ModelsCache(tmp_path / "c.json")
    cache.path.write_text("{not json")
    assert cache.get("openai", "http://x") is None
    cache.put("openai", "http://x/", ["m"], 5.0)
    assert cache.get("openai", "http://x") == (5.0, ("m",))


async def test_models_for_uses_configured_provider_and_default_cache(
    loopback: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCAL_KEY", SECRET)
    settings = Settings(
        providers={
            "box": ProviderConfig(
                preset="vllm", base_url=loopback.base_url, api_key_env="LOCAL_KEY"
            )
        }
    )
    loopback.add(json_reply({"data": [{"id": "qwen"}]}))
    listing = await models_for(settings, "box")
    assert listing.models == ("qwen",)
    assert (paths.data_dir() / "models-cache.json").exists()


async def test_models_for_without_a_key_explains_and_uses_cache() -> None:
    ModelsCache().put("openai", PRESETS["openai"].base_url, ["gpt-4o"], 7.0)
    listing = await models_for(Settings(), "openai")
    assert listing.models == ("gpt-4o",) and listing.source == "cache"
    assert "OPENAI_API_KEY" in (listing.error or "")


async def test_models_for_uses_a_fresh_cache_without_resolving_the_key(
    tmp_path: Path,
) -> None:
    marker = tmp_path / "ran"
    settings = Settings(
        providers={
            "vault": ProviderConfig(preset="openai", api_key_cmd=f"touch {marker} && echo sk-x")
        }
    )
    cache = ModelsCache(tmp_path / "c.json")
    cache.put("vault", PRESETS["openai"].base_url, ["gpt-4o"], 1000.0)
    listing = await models_for(settings, "vault", cache=cache, clock=Clock(1060.0))
    assert (listing.models, listing.source) == (("gpt-4o",), "cache")
    assert not marker.exists()  # the key command never ran


def test_request_shapes_are_pure() -> None:
    url, headers, params = models_request("openai-chat", "http://h/v1/", None)
    assert (url, headers, params) == ("http://h/v1/models", {}, {})
    assert parse_models_page("openai-chat", {"data": "nope"}) == ([], None)


def test_core_modules_do_not_import_textual() -> None:
    code = (
        "import sys, llmx_tui.models_cache, llmx_tui.config_write\n"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
