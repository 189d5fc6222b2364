"""Choose a provider and a model: presets and configured providers, models from each
provider's models endpoint (cached) plus configured ones, with a fuzzy filter.

``ModelPicker(settings, current_provider, current_model, fetch=models_for)``
dismisses with ``(provider_name, model)`` or None when cancelled.

The filter keeps the focus and takes every key, so a burst runs in the order typed
(``bound_keys``): tab switches which list the arrows move, it does not move the focus
(keys typed after it were already queued in the filter, and went into the wrong list).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from llmx_tui.config import Settings
from llmx_tui.demo import DEMO_MODEL, DEMO_PROVIDER
from llmx_tui.models_cache import ModelListing, models_for
from llmx_tui.providers.registry import KEY_ENV_ALIASES, PRESETS, Preset
from llmx_tui.providers.resolve import DEFAULT_MODELS
from llmx_tui.ui.dialogs.fuzzy import fuzzy_filter
from llmx_tui.ui.dialogs.text import one_line
from llmx_tui.ui.widgets.bound_keys import run_dialog_key

ModelsFetcher = Callable[[Settings, str, bool], Awaitable[ModelListing]]
_MODEL = "model:"
_TYPED = "typed:"


def candidate_models(
    settings: Settings, provider: str, listing: ModelListing | None, current: str | None
) -> list[str]:
    """Configured models first, then the preset's default, then what the server lists."""
    configured = settings.providers.get(provider)
    preset_name = (configured.preset if configured else None) or provider
    names: list[str] = []
    if current:
        names.append(current)
    if configured:
        names += [m for m in (configured.default_model, *configured.models) if m]
    if provider == settings.default_provider and settings.default_model:
        names.append(settings.default_model)
    if preset_name in DEFAULT_MODELS:
        names.append(DEFAULT_MODELS[preset_name])
    if listing:
        names += listing.models
    return list(dict.fromkeys(names))


# What the picker says for ``--demo``'s provider: it has no models endpoint to ask.
DEMO_STATUS = f"The demo has a single model: {DEMO_MODEL} (scripted replies)."


def is_demo(settings: Settings, provider: str) -> bool:
    """``--demo``'s provider (no configured provider nor preset of that name)."""
    return (
        provider == DEMO_PROVIDER and provider not in settings.providers and provider not in PRESETS
    )


def _provider_note(configured: bool, preset: Preset | None, demo: bool = False) -> str:
    if configured:
        return "configured"
    if demo:
        return "scripted"
    if preset is None:
        return ""
    if preset.local or preset.api_key_env is None:
        return "local"
    variables = KEY_ENV_ALIASES.get(preset.api_key_env, (preset.api_key_env,))
    return "key set" if any(os.environ.get(v) for v in variables) else "no key"


class _Filter(Input):
    async def _on_key(self, event: events.Key) -> None:
        await run_dialog_key(self, event)  # else Input's own handler types the key


class _List(OptionList, can_focus=False):
    """Driven from the filter's keys, and by the mouse."""


class ModelPicker(ModalScreen[tuple[str, str] | None]):
    CSS_PATH = "model_picker.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="model_picker.cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("enter", "choose", "Choose", show=False),
        Binding("ctrl+r", "refresh", "Refresh list", id="model_picker.refresh"),
        Binding("tab", "switch_pane", "Providers/models", id="model_picker.switch"),
    ]

    def __init__(
        self,
        settings: Settings,
        current_provider: str,
        current_model: str,
        *,
        fetch: ModelsFetcher = models_for,
    ) -> None:
        super().__init__()
        self._settings = settings
        self._current = (current_provider, current_model)
        self._fetch = fetch
        self._listings: dict[str, ModelListing] = {}
        self._provider = current_provider
        self._loading = False
        self._shown: tuple[str, str] | None = None  # the provider and filter text shown

    def provider_names(self) -> list[str]:
        configured = list(self._settings.providers)
        rest = [name for name in PRESETS if name not in self._settings.providers]
        names = configured + rest
        if self._current[0] not in names:
            names.insert(0, self._current[0])
        return names

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(Content("Choose a model"), id="picker-title")
            yield _Filter(
                placeholder="Filter models (fuzzy), or type a model name", id="picker-filter"
            )
            with Horizontal(id="picker-panes"):
                yield _List(*self._provider_options(), id="picker-providers", markup=False)
                yield _List(id="picker-models", markup=False, classes="-active")
            yield Static(Content(""), id="picker-status")
        yield Footer()

    def _provider_options(self) -> list[Option]:
        options = []
        for name in self.provider_names():
            configured = self._settings.providers.get(name)
            preset = PRESETS.get((configured.preset if configured else None) or name)
            note = _provider_note(configured is not None, preset, is_demo(self._settings, name))
            marker = "● " if name == self._current[0] else "  "
            options.append(
                Option(Content.assemble(marker, one_line(name, 22), (f"  {note}", "dim")), id=name)
            )
        return options

    def on_mount(self) -> None:
        providers = self.query_one("#picker-providers", OptionList)
        providers.highlighted = self.provider_names().index(self._provider)
        self.query_one("#picker-filter", Input).focus()
        self._load(self._provider)

    # -- loading ---------------------------------------------------------
    def _load(self, provider: str, *, refresh: bool = False) -> None:
        self._provider = provider
        if is_demo(self._settings, provider):
            # Nothing to fetch: asking would only fail ("unknown provider 'demo'").
            self._listings[provider] = ModelListing(provider, (DEMO_MODEL,))
            refresh = False
        self._loading = provider not in self._listings or refresh
        self._show_models()
        if self._loading:
            self.run_worker(self._fetch_listing(provider, refresh), exclusive=True, group="models")

    async def _fetch_listing(self, provider: str, refresh: bool) -> None:
        try:
            listing = await self._fetch(self._settings, provider, refresh)
        except Exception as exc:  # a broken fetcher must not take the app down
            listing = ModelListing(provider, error=f"{type(exc).__name__}: {exc}")
        self._listings[provider] = listing
        if provider == self._provider:
            self._loading = False
            self._show_models()

    # -- showing ---------------------------------------------------------
    def _sync_filter(self) -> None:
        """The models list shows what the filter holds now: keys run before the filter's
        Changed messages of the letters typed ahead of them have been handled."""
        query = self.query_one("#picker-filter", Input).value.strip()
        if self._shown is None or query != self._shown[1]:
            self._show_models()

    def _show_models(self) -> None:
        listing = self._listings.get(self._provider)
        current = self._current[1] if self._provider == self._current[0] else None
        query = self.query_one("#picker-filter", Input).value.strip()
        models = self.query_one("#picker-models", OptionList)
        # The same provider and filter (its list arrived): the cursor stays on its model.
        kept = models.highlighted_option if self._shown == (self._provider, query) else None
        self._shown = (self._provider, query)
        names = fuzzy_filter(
            query, candidate_models(self._settings, self._provider, listing, current), key=str
        )
        options = [
            Option(
                Content.assemble("● " if name == current else "  ", one_line(name, 80)),
                id=_MODEL + name,
            )
            for name in names
        ]
        if query and query not in names:
            options.append(
                Option(
                    Content.assemble(
                        ("  use ", "dim"), one_line(query, 60), (" as the model name", "dim")
                    ),
                    id=_TYPED + query,
                )
            )
        models.clear_options()
        models.add_options(options)
        if options:
            ids = [option.id for option in options]
            models.highlighted = ids.index(kept.id) if kept is not None and kept.id in ids else 0
        self.query_one("#picker-status", Static).update(self._status(listing, len(names)))

    def _status(self, listing: ModelListing | None, shown: int) -> Content:
        if self._loading:
            return Content("Loading the model list…")
        if listing is None:
            return Content("")
        if is_demo(self._settings, self._provider):
            return Content(DEMO_STATUS)
        if listing.source == "server":
            where = "from the server"
        elif listing.source == "cache" and listing.fetched_at is not None:
            when = datetime.fromtimestamp(listing.fetched_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
            where = f"cached {when}"
        else:
            where = "configured and default models only"
        summary = f"{shown} shown · {where}"
        if not listing.error:
            return Content(summary)
        return Content.from_markup(
            "$summary\n[b $error]Could not list models:[/] $problem",
            summary=summary,
            problem=one_line(listing.error, 200),
        )

    # -- events and actions ----------------------------------------------
    @on(Input.Changed, "#picker-filter")
    def _filter_changed(self) -> None:
        self._sync_filter()

    @on(OptionList.OptionHighlighted, "#picker-providers")
    def _provider_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self._provider:
            self._load(event.option.id)

    @on(OptionList.OptionSelected, "#picker-providers")
    def _provider_selected(self) -> None:
        self._drive("picker-models")  # a provider clicked: the arrows go back to the models

    @on(OptionList.OptionSelected, "#picker-models")
    def _model_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _driven(self) -> OptionList:
        """The list the arrow keys move."""
        return self.query_one("#picker-panes .-active", OptionList)

    def _drive(self, list_id: str) -> None:
        for options in self.query("#picker-panes OptionList"):
            options.set_class(options.id == list_id, "-active")

    def action_choose(self) -> None:
        """Enter: on the providers, back to the models; on the models, the highlighted one."""
        if self._driven().id == "picker-providers":
            self._drive("picker-models")
            return
        self._sync_filter()
        option = self.query_one("#picker-models", OptionList).highlighted_option
        if option is not None:
            self._choose(option.id)

    def _choose(self, option_id: str | None) -> None:
        if not option_id or not self.is_active:  # once: never the screen below
            return
        model = (
            option_id.removeprefix(_MODEL)
            if option_id.startswith(_MODEL)
            else (option_id.removeprefix(_TYPED))
        )
        self.dismiss((self._provider, model))

    def action_move(self, step: int) -> None:
        """Up/down from the filter move through the models (or, after tab, the providers)."""
        options = self._driven()
        if options.id == "picker-models":
            self._sync_filter()
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()
        highlighted = options.highlighted_option
        if options.id == "picker-providers" and highlighted and highlighted.id != self._provider:
            self._load(str(highlighted.id))  # now: the next key may be enter on its models

    def action_switch_pane(self) -> None:
        providers = self._driven().id == "picker-providers"
        self._drive("picker-models" if providers else "picker-providers")

    def action_refresh(self) -> None:
        self._load(self._provider, refresh=True)

    def action_cancel(self) -> None:
        if self.is_active:
            self.dismiss(None)
