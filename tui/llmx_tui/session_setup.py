"""Builds a ready Conversation from CLI flags and config: provider, store, tools, engine.

Shared by ``--print`` and the app, so both take the same path to a provider.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmx_tui import paths
from llmx_tui.config import ConfigError, Settings, load_settings
from llmx_tui.core.bus import EventBus
from llmx_tui.core.items import Item
from llmx_tui.engine.conversation import Conversation, load_history
from llmx_tui.engine.turn import TurnEngine, TurnOptions
from llmx_tui.providers.registry import UnknownProviderError
from llmx_tui.providers.resolve import ProviderSetupError, ResolvedProvider, resolve_provider
from llmx_tui.providers.transport import RetryPolicy, Timeouts, Transport, close_shared_client


class SetupError(Exception):
    """Something the user must fix before a conversation can start; one clear line."""


@dataclass
class Setup:
    conversation: Conversation
    settings: Settings
    store: Any
    problems: list[str] = field(default_factory=list)
    _closers: list[Any] = field(default_factory=list)

    async def close(self) -> None:
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                await closer()
        await close_shared_client()


def load_config(args: argparse.Namespace) -> Settings:
    try:
        return load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        raise SetupError(str(exc)) from None


async def provider_from_args(settings: Settings, args: argparse.Namespace) -> ResolvedProvider:
    provider, base_url, model = args.provider, args.base_url, args.model
    if not (provider or base_url or settings.default_provider):
        # First run: a key in the environment, else a local server that answers.
        from llmx_tui.providers.detect import detect_provider

        found = await detect_provider()
        if found is not None:
            provider, base_url = found.preset, found.base_url
            model = model or (found.models[0] if found.models else None)
    try:
        return resolve_provider(
            settings,
            provider=provider,
            model=model,
            base_url=base_url,
            api_key_env=args.api_key_env,
        )
    except (ProviderSetupError, UnknownProviderError) as exc:
        raise SetupError(str(exc)) from None


async def open_store(data_dir: str | None) -> Any:
    from llmx_tui.store.async_store import AsyncSessionStore
    from llmx_tui.store.errors import StoreError

    try:
        return await AsyncSessionStore.open(paths.history_db_path(data_dir))
    except StoreError as exc:
        raise SetupError(str(exc)) from None


async def open_conversation(args: argparse.Namespace, bus: EventBus, *, interactive: bool) -> Setup:
    settings = load_config(args)
    demo = bool(getattr(args, "demo", False))
    closers: list[Any] = []
    if demo:
        from llmx_tui.demo.server import DemoServer, demo_provider

        server = await DemoServer().start()
        closers.append(server.close)
        provider = demo_provider(server.base_url)
    else:
        provider = await provider_from_args(settings, args)
    try:
        store = await open_store(args.data_dir)
        closers.append(store.close)
        session_id, history = await _resumed(store, args)
        from llmx_tui.store.recorder import SessionRecorder

        recorder = SessionRecorder(store, bus)
        recorder.start()
        closers.append(recorder.close)
        tools, problems, tool_closer = await _tools(settings, args, bus, interactive)
        if tool_closer is not None:
            closers.append(tool_closer)
        engine = TurnEngine(
            bus=bus,
            provider=provider,
            transport=_transport(settings, args),
            tools=tools,
            options=TurnOptions(
                system_prompt=args.system or settings.system_prompt,
                max_steps=args.max_steps or settings.max_steps,
                max_tokens=getattr(args, "max_tokens", None) or settings.max_tokens,
                reasoning_effort=settings.reasoning_effort,
            ),
        )
    except BaseException:
        for closer in reversed(closers):
            with contextlib.suppress(Exception):
                await closer()
        raise
    conversation = Conversation(
        engine=engine,
        store=store,
        session_id=session_id,
        history=history,
        demo=demo,
        resolve=_resolver(settings, args, provider),
    )
    return Setup(conversation, settings, store, problems + settings.warnings, closers)


def _resolver(
    settings: Settings, args: argparse.Namespace, first: ResolvedProvider
) -> Callable[[str, str], ResolvedProvider]:
    """How the app turns "provider, model" into a provider, with the flags that started it."""

    def resolve(name: str, model: str) -> ResolvedProvider:
        if name == first.name:
            # Same provider: keep its URL and key (flags such as --base-url included).
            return dataclasses.replace(first, model=model)
        try:
            return resolve_provider(settings, provider=name, model=model)
        except ProviderSetupError as exc:
            raise SetupError(str(exc)) from None

    return resolve


async def _resumed(store: Any, args: argparse.Namespace) -> tuple[str | None, list[Item]]:
    from llmx_tui.store.errors import StoreError

    wanted = args.resume
    if wanted is None and not args.continue_latest:
        return None, []
    try:
        if wanted:
            session_id = await store.resolve_session_id(wanted)
        else:
            session_id = await store.latest_session_id()
            if session_id is None:
                raise SetupError("there is no saved session to continue")
        return session_id, await load_history(store, session_id)
    except StoreError as exc:
        raise SetupError(str(exc)) from None


def _transport(settings: Settings, args: argparse.Namespace) -> Transport:
    network = settings.network
    idle = args.idle_timeout or network.idle_timeout
    return Transport(
        retry=RetryPolicy(max_attempts=network.max_attempts),
        timeouts=Timeouts(connect=network.connect_timeout, idle=idle),
    )


async def _tools(
    settings: Settings, args: argparse.Namespace, bus: EventBus, interactive: bool
) -> tuple[Any, list[str], Any]:
    if args.no_tools or not settings.tools.enabled:
        return None, [], None
    from llmx_tui.engine.tool_runner import build_tool_runner

    return await build_tool_runner(
        settings, bus, working_dir=Path.cwd(), interactive=interactive, auto_approve=args.yes
    )
