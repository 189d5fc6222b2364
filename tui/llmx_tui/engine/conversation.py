"""A conversation: one session's history, the engine that extends it, its persistence.

This is what the UI and the headless printer drive. It creates the session in
the store on the first prompt, recovers an interrupted reply on resume, and
runs each turn as a task that ``cancel()`` can stop at any moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import Usage
from llmx_tui.core.items import Item, UserMessage, new_id
from llmx_tui.engine.turn import LastRequest, TurnEngine
from llmx_tui.providers.registry import UnknownProviderError
from llmx_tui.providers.resolve import ResolvedProvider


class _Default:
    """The marker for "not given" where None is a value (no system prompt)."""


_DEFAULT = _Default()


class Conversation:
    def __init__(
        self,
        *,
        engine: TurnEngine,
        store: Any | None = None,
        session_id: str | None = None,
        history: list[Item] | None = None,
        demo: bool = False,
        title: str | None = None,
        resolve: Callable[[str, str], ResolvedProvider] | None = None,
        saved_usage: Usage | None = None,
        system_prompt: str | _Default | None = _DEFAULT,
        default_system_prompt: str | _Default | None = _DEFAULT,
        recorded_model: tuple[str | None, str | None] | None = None,
        recorder: Any | None = None,
    ) -> None:
        """``system_prompt``: this session's (a resumed session's saved one); by default
        ``default_system_prompt``, what a new chat starts with, by default the engine's
        configured one.
        ``recorded_model``: the (provider, model) the store has for a resumed session."""
        self.engine = engine
        self.default_system_prompt: str | None = (
            engine.configured_system_prompt
            if isinstance(default_system_prompt, _Default)
            else default_system_prompt
        )
        # The engine is shared by every conversation the app opens; each sends its own.
        self._system_prompt: str | None = (
            self.default_system_prompt if isinstance(system_prompt, _Default) else system_prompt
        )
        self._recorded_model = recorded_model
        # The store's SessionRecorder saving what the bus publishes (shared by the app's
        # conversations, as the engine is); None without a store.
        self.recorder = recorder
        self._sent = False  # a request has gone out since this conversation was opened
        self._forget_approvals()  # "allow for this session" was said in another session
        # Tokens the saved session had used before it was opened here (the status bar's
        # session totals start from them).
        self.saved_usage = saved_usage or Usage()
        # (provider name, model) -> a usable provider; set by whoever knows the config.
        self.resolve = resolve
        self.store = store
        self.session_id = session_id
        self.history: list[Item] = list(history or [])
        self.demo = demo
        self.title = title
        self._task: asyncio.Task[str] | None = None

    # -- what the UI reads -------------------------------------------------
    @property
    def bus(self) -> EventBus:
        return self.engine.bus

    @property
    def provider(self) -> str:
        return self.engine.provider.name

    @property
    def model(self) -> str:
        return self.engine.provider.model

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def system_prompt(self) -> str | None:
        return self._system_prompt

    @property
    def last_request(self) -> LastRequest | None:
        """The last request this conversation sent (None when it has sent none since it
        was opened: the engine's may be another session's)."""
        return self.engine.last_request if self._sent else None

    # -- actions -----------------------------------------------------------
    async def submit(self, text: str) -> str:
        """Runs one turn; returns "completed", "failed" or "cancelled". Never raises for
        provider or tool failures (they are published as TurnFailed)."""
        if self.busy:
            raise RuntimeError("a turn is already running")
        await self._ensure_session()
        await self._record_model()
        turn = sum(1 for item in self.history if isinstance(item, UserMessage))
        self.engine.options.system_prompt = self._system_prompt
        if not self._sent:
            self.engine.last_request = None  # another session's, until this turn's is built
            self._sent = True
        self._task = asyncio.create_task(
            self.engine.run_turn(self.history, text, session_id=self.session_id, turn=turn)
        )
        try:
            return await self._task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # we were cancelled ourselves, not just the turn
            return "cancelled"
        finally:
            self._task = None

    async def save_failures(self) -> list[BaseException]:
        """Store errors met while saving turns (a full disk, a damaged file), oldest
        first, once everything published so far has been written or has failed."""
        if self.recorder is None:
            return []
        await self.recorder.flush()
        return list(self.recorder.failures)

    def cancel(self) -> bool:
        """Cancels the running turn; the partial reply stays, marked cancelled."""
        if self._task is None or self._task.done():
            return False
        self._task.cancel()
        return True

    def last_user_text(self) -> str | None:
        for item in reversed(self.history):
            if isinstance(item, UserMessage):
                return item.text
        return None

    async def retry(self) -> str:
        """Sends the last prompt again as a new turn (the failed attempt stays in history)."""
        text = self.last_user_text()
        if text is None:
            return "failed"
        return await self.submit(text)

    async def switch_provider(self, provider: ResolvedProvider) -> None:
        """Later turns go to another provider or model. Reasoning and signatures from the old
        one stay in history but are not replayed to the new one (the builder checks origin)."""
        if self.busy:
            raise RuntimeError("cannot switch models while a turn is running")
        self.engine.provider = provider
        # The session's record names it once a turn is sent to it (``submit``).

    async def set_model(self, spec: str) -> None:
        """``/model NAME`` (same provider) or ``/model PROVIDER:NAME``.

        Ollama-style names hold colons too (``qwen3:8b``): the part before the
        first colon counts as a provider only when it names one.
        """
        if self.resolve is None:
            raise RuntimeError("switching models needs the app's configuration")
        spec = spec.strip()
        if not spec:
            raise ValueError("no model given")
        head, sep, tail = spec.partition(":")
        if sep and head and tail:
            try:
                await self.switch_provider(self.resolve(head, tail))
                return
            except UnknownProviderError:
                pass
        await self.switch_provider(self.resolve(self.engine.provider.name, spec))

    def earlier_prompts(self) -> list[tuple[int, str]]:
        """(history index, text) of every user prompt, oldest first."""
        return [
            (i, item.text) for i, item in enumerate(self.history) if isinstance(item, UserMessage)
        ]

    async def branch_before(self, index: int) -> Conversation:
        """Edit and resend: a new conversation holding the items before ``history[index]``.

        The current session stays as it is (its own branch); the new one is saved
        as a session of its own when it has anything in it.
        """
        if self.busy:
            raise RuntimeError("cannot branch while a turn is running")
        if not 0 <= index < len(self.history):
            raise IndexError(f"no item {index} in this conversation")
        kept = [item.model_copy(update={"id": new_id()}) for item in self.history[:index]]
        branch = Conversation(
            engine=self.engine,
            store=self.store,
            demo=self.demo,
            resolve=self.resolve,
            system_prompt=self._system_prompt,
            default_system_prompt=self.default_system_prompt,
            recorder=self.recorder,
        )
        branch.history = kept
        if self.store is not None and kept:
            provider = self.engine.provider
            title = f"{self.title or 'Untitled'} (edited)"
            if self.session_id is not None:
                info = await self.store.get_session(self.session_id)
                title = f"{info.title or 'Untitled'} (edited)"
            branch.session_id = await self.store.create_session(
                title=title,
                provider=provider.name,
                model=provider.model,
                system_prompt=self._system_prompt,
                demo=self.demo,
            )
            branch._recorded_model = (provider.name, provider.model)
            await self.store.append_items(branch.session_id, kept)
        return branch

    async def new_session(self) -> None:
        """Start afresh: the next prompt opens a new saved session."""
        if self.busy:
            raise RuntimeError("cannot start a new chat while a turn is running")
        self.session_id = None
        self.history = []
        self.title = None
        self.saved_usage = Usage()
        self._system_prompt = self.default_system_prompt  # /system was for that session
        self._recorded_model = None
        self._sent = False
        self._forget_approvals()

    async def export(self, path: str | None = None) -> Path:
        """Markdown export of this session into ``path`` (default: a new file in the cwd)."""
        if self.store is None or self.session_id is None:
            raise RuntimeError("nothing to export yet: send a prompt first")
        from llmx_tui.store.export import session_to_markdown

        info = await self.store.get_session(self.session_id)
        items = await self.store.export_items(self.session_id)
        target = (
            Path(path) if path else _free_path(Path.cwd(), f"llmx-{self.session_id[:8]}", ".md")
        )
        target.write_text(session_to_markdown(info, items), encoding="utf-8")
        return target

    async def set_system_prompt(self, text: str | None) -> None:
        """This session's system prompt from now on (a new chat starts from the default)."""
        self._system_prompt = text or None
        if self.store is not None and self.session_id is not None:
            await self.store.update_session(self.session_id, system_prompt=text or None)

    async def _ensure_session(self) -> None:
        if self.store is None or self.session_id is not None:
            return
        provider = self.engine.provider
        self.session_id = await self.store.create_session(
            title=self.title,
            provider=provider.name,
            model=provider.model,
            system_prompt=self._system_prompt,
            demo=self.demo,
        )
        self._recorded_model = (provider.name, provider.model)

    def _forget_approvals(self) -> None:
        if self.engine.tools is not None:
            self.engine.tools.forget_session()

    async def _record_model(self) -> None:
        """The saved session names the provider and model its next turn goes to (a session
        opened while another model is chosen continues with that one)."""
        if self.store is None or self.session_id is None:
            return
        current = (self.engine.provider.name, self.engine.provider.model)
        if current != self._recorded_model:
            await self.store.update_session(self.session_id, provider=current[0], model=current[1])
            self._recorded_model = current


def _free_path(folder: Path, stem: str, suffix: str) -> Path:
    """A file name in ``folder`` that does not exist yet (never overwrite an export)."""
    candidate = folder / f"{stem}{suffix}"
    number = 1
    while candidate.exists():
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate
