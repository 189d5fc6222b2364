"""Builds a ready Conversation from CLI flags and config: provider, store, tools, engine.

Shared by ``--print`` and the app, so both take the same path to a provider.
Everything that can fail with a message for the user (config, provider,
store, resumed session) happens in ``open_conversation``. The app may ask for
the rest (engine, tools, recorder: the HTTP stack and the tools package, which
its first frame does not need) to be built after that frame: ``defer_engine``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmx_tui import paths
from llmx_tui.config import ConfigError, Settings, load_settings
from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import Usage
from llmx_tui.core.items import Item
from llmx_tui.providers.registry import UnknownProviderError
from llmx_tui.providers.resolve import (
    NoProviderError,
    ProviderSetupError,
    ResolvedProvider,
    resolve_provider,
)

if TYPE_CHECKING:
    from llmx_tui.engine.conversation import Conversation
    from llmx_tui.providers.transport import Transport
    from llmx_tui.store.models import SessionInfo


class SetupError(Exception):
    """Something the user must fix before a conversation can start; one clear line.

    ``no_provider``: nothing is configured to talk to (the first-run screen's case).
    """

    def __init__(self, message: str, *, no_provider: bool = False) -> None:
        super().__init__(message)
        self.no_provider = no_provider


@dataclass
class Setup:
    # A Conversation, or with defer_engine a DeferredConversation standing in for one.
    conversation: Any
    settings: Settings
    store: Any
    provider: ResolvedProvider
    problems: list[str] = field(default_factory=list)
    _closers: list[Any] = field(default_factory=list)

    def finish(self) -> None:
        """Builds the engine now if it was deferred (the app calls this after its first frame)."""
        if isinstance(self.conversation, DeferredConversation):
            self.conversation.finish()

    async def close(self) -> None:
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                await closer()
        from llmx_tui.providers.transport import close_shared_client

        await close_shared_client()


class DeferredConversation:
    """The app's conversation until ``finish()`` builds the real one (after the first frame).

    What the first frame reads (bus, provider, model, session, history, saved usage, busy)
    comes from the setup; any other use (reading or setting an attribute)
    builds the engine at once and goes to the real Conversation, so early key
    presses behave as they always did.
    """

    def __init__(
        self,
        bus: EventBus,
        provider: ResolvedProvider,
        session_id: str | None,
        history: list[Item],
        build: Callable[[], Conversation],
        *,
        saved_usage: Usage | None = None,
    ) -> None:
        self.bus = bus  # the engine publishes on this same bus
        self._provider = provider
        self._session_id = session_id
        self._history = history
        self._saved_usage = saved_usage or Usage()
        self._build = build
        self._real: Conversation | None = None

    @property
    def built(self) -> bool:
        return self._real is not None

    def finish(self) -> Conversation:
        if self._real is None:
            self._real = self._build()
        return self._real

    @property
    def provider(self) -> str:
        return self._real.provider if self._real is not None else self._provider.name

    @property
    def model(self) -> str:
        return self._real.model if self._real is not None else self._provider.model

    @property
    def session_id(self) -> str | None:
        return self._real.session_id if self._real is not None else self._session_id

    @property
    def history(self) -> list[Item]:
        return self._real.history if self._real is not None else self._history

    @property
    def saved_usage(self) -> Usage:
        return self._real.saved_usage if self._real is not None else self._saved_usage

    @property
    def busy(self) -> bool:
        return self._real is not None and self._real.busy

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.finish(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name == "bus":
            object.__setattr__(self, name, value)
        else:
            setattr(self.finish(), name, value)


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
    except NoProviderError as exc:
        if settings.providers:  # configured, just not chosen: say how to choose one
            raise SetupError(_unchosen(settings)) from None
        raise SetupError(str(exc), no_provider=True) from None
    except (ProviderSetupError, UnknownProviderError) as exc:
        raise SetupError(str(exc)) from None


def _unchosen(settings: Settings) -> str:
    names = sorted(settings.providers)
    where = f"{settings.source} defines" if settings.source else "the config defines"
    listed = ", ".join(f"[providers.{name}]" for name in names)
    return (
        f"no provider chosen: {where} {listed} but no default_provider; "
        f'pass --provider {names[0]} or set default_provider = "{names[0]}"'
    )


async def open_store(data_dir: str | None) -> Any:
    from llmx_tui.store.async_store import AsyncSessionStore
    from llmx_tui.store.errors import StoreError

    try:
        return await AsyncSessionStore.open(paths.history_db_path(data_dir))
    except StoreError as exc:
        raise SetupError(str(exc)) from None


async def open_conversation(
    args: argparse.Namespace, bus: EventBus, *, interactive: bool, defer_engine: bool = False
) -> Setup:
    """Config, provider, store and resumed history, then the engine.

    With ``defer_engine`` (the app) the engine is built on ``Setup.finish()``
    or first use instead, unless MCP servers must be started first.
    """
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
        session_id, history, info = await _resumed(store, args)
        saved_usage = info.reported_usage if info is not None else Usage()
        parts = _Parts(
            settings, args, bus, provider, store, session_id, history, info, demo, closers
        )
        problems: list[str] = []
        if defer_engine and not _starts_mcp(settings, args):
            conversation: Any = DeferredConversation(
                bus,
                provider,
                session_id,
                history,
                lambda: parts.assemble(_builtin_tools(settings, args, bus, interactive)),
                saved_usage=saved_usage,
            )
        else:
            tools, problems, tool_closer = await _tools(settings, args, bus, interactive)
            if tool_closer is not None:
                closers.append(tool_closer)
            conversation = parts.assemble(tools)
    except BaseException:
        for closer in reversed(closers):
            with contextlib.suppress(Exception):
                await closer()
        raise
    return Setup(conversation, settings, store, provider, problems + settings.warnings, closers)


@dataclass
class _Parts:
    """What the engine is built from, once the fallible steps are done."""

    settings: Settings
    args: argparse.Namespace
    bus: EventBus
    provider: ResolvedProvider
    store: Any
    session_id: str | None
    history: list[Item]
    saved: SessionInfo | None  # the resumed session's record
    demo: bool
    closers: list[Any]

    def assemble(self, tools: Any) -> Conversation:
        """The recorder, the engine and the Conversation: nothing here can fail for the user."""
        # Local imports: the engine brings httpx (~50 ms) that the app's first frame never needs.
        from llmx_tui.engine.conversation import Conversation
        from llmx_tui.engine.turn import TurnEngine, TurnOptions
        from llmx_tui.store.recorder import SessionRecorder

        settings, args, saved = self.settings, self.args, self.saved
        default_system_prompt = args.system or settings.system_prompt
        # A resumed session keeps its own system prompt, unless --system says otherwise.
        system_prompt = (
            saved.system_prompt if saved is not None and not args.system else default_system_prompt
        )
        recorder = SessionRecorder(self.store, self.bus)
        recorder.start()
        self.closers.append(recorder.close)
        engine = TurnEngine(
            bus=self.bus,
            provider=self.provider,
            transport=_transport(settings, args),
            tools=tools,
            options=TurnOptions(
                system_prompt=system_prompt,
                max_steps=args.max_steps or settings.max_steps,
                max_tokens=getattr(args, "max_tokens", None) or settings.max_tokens,
                reasoning_effort=settings.reasoning_effort,
            ),
        )
        return Conversation(
            engine=engine,
            store=self.store,
            session_id=self.session_id,
            history=self.history,
            demo=self.demo,
            resolve=_resolver(settings, args, self.provider),
            saved_usage=saved.reported_usage if saved is not None else None,
            system_prompt=system_prompt,
            default_system_prompt=default_system_prompt,
            recorded_model=(saved.provider, saved.model) if saved is not None else None,
            recorder=recorder,
        )


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


async def _resumed(
    store: Any, args: argparse.Namespace
) -> tuple[str | None, list[Item], SessionInfo | None]:
    """The session to resume, if asked: its id, history and record."""
    wanted = args.resume
    if wanted is None and not args.continue_latest:
        return None, [], None
    from llmx_tui.store.errors import StoreError

    try:
        if wanted:
            session_id = await store.resolve_session_id(wanted)
        else:
            # A demo session goes on with the demo, and only there: a real provider
            # would be sent the scripted conversation (and --demo would answer one).
            demo = bool(getattr(args, "demo", False))
            session_id = await store.latest_session_id(demo=demo)
            if session_id is None:
                others = await store.latest_session_id(demo=not demo) is not None
                raise SetupError(_nothing_to_continue(demo, others))
        history = await store.load_history(session_id)
        info = await store.get_session(session_id)
        return session_id, history, info
    except StoreError as exc:
        raise SetupError(str(exc)) from None


def _nothing_to_continue(demo: bool, others: bool) -> str:
    """Why --continue found no session; ``others``: sessions of the other kind exist."""
    if demo or not others:
        return f"there is no saved {'demo ' if demo else ''}session to continue"
    return (
        "there is no saved session to continue (only demo sessions: "
        "llmx-tui --demo --continue goes on with the latest of those)"
    )


def _transport(settings: Settings, args: argparse.Namespace) -> Transport:
    from llmx_tui.providers.transport import RetryPolicy, Timeouts, Transport, shared_client

    # Made now, not at the first request: building its TLS context reads the CA
    # bundle (40-60 ms), which the first reply would otherwise wait for.
    shared_client()
    network = settings.network
    idle = args.idle_timeout or network.idle_timeout
    return Transport(
        retry=RetryPolicy(max_attempts=network.max_attempts),
        timeouts=Timeouts(connect=network.connect_timeout, idle=idle),
    )


def _tools_enabled(settings: Settings, args: argparse.Namespace) -> bool:
    return not args.no_tools and settings.tools.enabled


def _starts_mcp(settings: Settings, args: argparse.Namespace) -> bool:
    return _tools_enabled(settings, args) and bool(settings.mcp.servers)


async def _tools(
    settings: Settings, args: argparse.Namespace, bus: EventBus, interactive: bool
) -> tuple[Any, list[str], Any]:
    if not _tools_enabled(settings, args):
        return None, [], None
    from llmx_tui.engine.tool_runner import build_tool_runner

    return await build_tool_runner(
        settings, bus, working_dir=Path.cwd(), interactive=interactive, auto_approve=args.yes
    )


def _builtin_tools(
    settings: Settings, args: argparse.Namespace, bus: EventBus, interactive: bool
) -> Any:
    """The tools without MCP servers: nothing to await, so it can be built on first use."""
    if not _tools_enabled(settings, args):
        return None
    from llmx_tui.engine.tool_runner import builtin_tool_runner

    return builtin_tool_runner(
        settings, bus, working_dir=Path.cwd(), interactive=interactive, auto_approve=args.yes
    )
