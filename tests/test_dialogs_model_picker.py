"""ModelPicker: providers, models from the models endpoint (loopback) plus configured ones,
fuzzy filter, typed names, failures shown not raised."""

from __future__ import annotations

import json

from textual.widgets import Input, OptionList, Static

from llmx_tui.config import ProviderConfig, Settings
from llmx_tui.models_cache import ModelListing
from llmx_tui.ui.dialogs.model_picker import ModelPicker, candidate_models
from tests.loopback import LoopbackServer, Reply
from tests.test_dialogs_harness import SIZE, DialogHost, steady, workers_done


def models_reply(*names: str, status: int = 200) -> Reply:
    body = {"data": [{"id": n} for n in names]} if status == 200 else {"error": "down"}
    return Reply(status=status, body=json.dumps(body).encode(), content_type="application/json")


def box_settings(base_url: str) -> Settings:
    return Settings(
        default_provider="box",
        providers={
            "box": ProviderConfig(preset="vllm", base_url=base_url, models=["configured-model"])
        },
    )


def shown_models(app: DialogHost) -> list[str]:
    models = app.screen.query_one("#picker-models", OptionList)
    return [str(models.get_option_at_index(i).id) for i in range(models.option_count)]


def status(app: DialogHost) -> str:
    return str(app.screen.query_one("#picker-status", Static).render())


async def wait_loaded(pilot) -> None:  # type: ignore[no-untyped-def]
    await workers_done(pilot)


async def test_lists_server_and_configured_models_and_filters(loopback: LoopbackServer) -> None:
    loopback.add(models_reply("qwen2.5-coder-32b", "llama-3.1-8b", "mistral-7b"))
    app = DialogHost(
        lambda: ModelPicker(box_settings(loopback.base_url), "box", "configured-model")
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert shown_models(app) == [
            "model:configured-model",
            "model:llama-3.1-8b",
            "model:mistral-7b",
            "model:qwen2.5-coder-32b",
        ]
        assert "from the server" in status(app)
        assert loopback.requests[0].path == "/v1/models"
        await pilot.press("down", "down", "up")  # from the filter, arrows move through models
        assert app.screen.query_one("#picker-models", OptionList).highlighted == 1
        await pilot.press(*"qwcod")
        assert shown_models(app) == ["model:qwen2.5-coder-32b", "typed:qwcod"]
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("box", "qwen2.5-coder-32b")]


async def test_failure_is_shown_and_configured_models_remain(loopback: LoopbackServer) -> None:
    loopback.add(models_reply(status=503))
    app = DialogHost(
        lambda: ModelPicker(box_settings(loopback.base_url), "box", "configured-model")
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert shown_models(app) == ["model:configured-model"]
        assert "Could not list models" in status(app) and "503" in status(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("box", "configured-model")]


async def test_typed_name_is_offered_and_chosen(loopback: LoopbackServer) -> None:
    loopback.add(models_reply("a-model"))
    app = DialogHost(lambda: ModelPicker(box_settings(loopback.base_url), "box", "a-model"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press(*"my-finetune")
        assert shown_models(app) == ["typed:my-finetune"]
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("box", "my-finetune")]


async def test_switching_provider_loads_its_models_and_refresh_refetches() -> None:
    calls: list[tuple[str, bool]] = []

    async def fetch(settings: Settings, provider: str, refresh: bool) -> ModelListing:
        calls.append((provider, refresh))
        return ModelListing(provider, (f"{provider}-large", f"{provider}-small"), "server", 1.0)

    settings = Settings(providers={"box": ProviderConfig(preset="vllm")})
    app = DialogHost(lambda: ModelPicker(settings, "box", "box-small", fetch=fetch))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        names = app.screen.query_one("#picker-providers", OptionList)
        assert names.get_option_at_index(0).id == "box"  # configured first, then presets
        await pilot.press("tab", "down")
        await wait_loaded(pilot)
        second = str(names.get_option_at_index(1).id)
        assert shown_models(app)[-2:] == [f"model:{second}-large", f"model:{second}-small"]
        await pilot.press("enter")  # back to the filter
        assert app.screen.query_one("#picker-filter", Input).has_focus
        await pilot.press("down", "ctrl+r")
        await wait_loaded(pilot)
        assert calls == [("box", False), (second, False), (second, True)]
        await pilot.press("enter")
        await pilot.pause()
    assert app.results and app.results[0][0] == second


async def test_a_crashing_fetcher_is_reported_not_raised() -> None:
    async def fetch(settings: Settings, provider: str, refresh: bool) -> ModelListing:
        raise RuntimeError("[bold]boom[/]")

    app = DialogHost(lambda: ModelPicker(Settings(), "openai", "gpt-4o", fetch=fetch))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert "RuntimeError: [bold]boom[/]" in status(app)
        assert "model:gpt-4o" in shown_models(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


def test_candidate_models_order_and_dedup() -> None:
    settings = Settings(
        default_provider="openai",
        default_model="gpt-4.1",
        providers={"openai": ProviderConfig(models=["o3", "gpt-4.1"])},
    )
    listing = ModelListing("openai", ("gpt-4o-mini", "o3", "zeta"), "server")
    assert candidate_models(settings, "openai", listing, "gpt-4o") == [
        "gpt-4o",
        "o3",
        "gpt-4.1",
        "gpt-4o-mini",
        "zeta",
    ]


def test_snapshot_model_picker(snap_compare) -> None:
    async def fetch(settings: Settings, provider: str, refresh: bool) -> ModelListing:
        return ModelListing(
            provider,
            ("claude-haiku-4-5", "claude-opus-4-1", "claude-sonnet-4-5"),
            "cache",
            1_763_900_000.0,
            "https://api.anthropic.com/v1/models answered HTTP 401",
        )

    settings = Settings(providers={"anthropic": ProviderConfig(models=["claude-sonnet-4-5"])})
    assert snap_compare(
        DialogHost(lambda: ModelPicker(settings, "anthropic", "claude-sonnet-4-5", fetch=fetch)),
        terminal_size=SIZE,
        run_before=steady,
    )
