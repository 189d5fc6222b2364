"""F4 in `--demo`: the picker said "Could not list models: unknown provider 'demo'; choose
one of: …" (the demo is no preset to resolve). It says plainly that the demo has one model."""

from __future__ import annotations

from typing import Any

from textual.widgets import OptionList, Static

from llmx_tui.config import Settings
from llmx_tui.models_cache import ModelListing
from llmx_tui.ui.dialogs.model_picker import ModelPicker
from tests.test_dialogs_harness import SIZE, DialogHost, workers_done


def status(app: DialogHost) -> str:
    return str(app.screen.query_one("#picker-status", Static).render())


def shown_models(app: DialogHost) -> list[str]:
    models = app.screen.query_one("#picker-models", OptionList)
    return [str(models.get_option_at_index(i).id) for i in range(models.option_count)]


async def test_the_demo_says_it_has_a_single_model_and_lists_nothing() -> None:
    app = DialogHost(lambda: ModelPicker(Settings(), "demo", "demo"))
    async with app.run_test(size=SIZE) as pilot:
        await workers_done(pilot)
        assert "Could not list models" not in status(app)
        assert "unknown provider" not in status(app)
        assert "The demo has a single model" in status(app)
        assert shown_models(app) == ["model:demo"]
        providers = app.screen.query_one("#picker-providers", OptionList)
        demo = providers.get_option_at_index(0)
        assert demo.id == "demo" and "scripted" in str(demo.prompt)
        await pilot.press("ctrl+r")  # refreshing does not try to list it either
        await workers_done(pilot)
        assert "The demo has a single model" in status(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.results == [("demo", "demo")]


async def test_a_provider_configured_under_the_name_demo_is_listed_as_usual() -> None:
    from llmx_tui.config import ProviderConfig

    asked: list[str] = []

    async def fetch(settings: Settings, provider: str, refresh: bool) -> Any:
        asked.append(provider)
        return ModelListing(provider, ("served-model",), "server")

    settings = Settings(providers={"demo": ProviderConfig(preset="vllm", base_url="http://x/v1")})
    app = DialogHost(lambda: ModelPicker(settings, "demo", "served-model", fetch=fetch))
    async with app.run_test(size=SIZE) as pilot:
        await workers_done(pilot)
        assert asked == ["demo"]
        assert "single model" not in status(app)
        assert "from the server" in status(app)
