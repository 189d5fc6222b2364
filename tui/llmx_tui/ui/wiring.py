"""Hooks that connect the chat app to the screens around it (issue 7).

Kept apart from the app so the app stays testable with a conversation double:
these hooks need the real store, settings and engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmx_tui.config import Settings
    from llmx_tui.engine.conversation import Conversation
    from llmx_tui.ui.app import LlmxApp


def open_sessions_hook(store: Any) -> Callable[[LlmxApp], None]:
    """ctrl+s: the session browser; the chosen session replaces the one on screen."""

    def open_sessions(app: LlmxApp) -> None:
        # Imported here: the engine (httpx) is not loaded until after the first frame.
        from llmx_tui.engine.conversation import Conversation
        from llmx_tui.ui.dialogs.session_browser import SessionBrowser
        from llmx_tui.ui.dialogs.text import one_line

        current: Conversation = app.conversation  # type: ignore[assignment]

        async def chosen(session_id: str | None) -> None:
            if session_id is None or session_id == current.session_id:
                return
            if current.busy:
                app.notify("Cancel the running turn first (Esc).", markup=False)
                return
            try:
                history = await store.load_history(session_id)
                info = await store.get_session(session_id)
            except Exception as exc:  # a damaged row (StoreError): the app quit with a traceback
                app.notify(
                    f"Could not open that session: {exc}",
                    severity="error",
                    markup=False,
                    timeout=15,
                )
                return
            resumed = Conversation(
                engine=current.engine,
                store=store,
                session_id=session_id,
                history=history,
                # The app's mode, not the opened session's: in --demo a chat started from
                # here (ctrl+n) talks to the demo server and must be labelled as such.
                demo=current.demo,
                resolve=current.resolve,
                saved_usage=info.reported_usage,
                system_prompt=info.system_prompt,
                default_system_prompt=current.default_system_prompt,
                recorded_model=(info.provider, info.model),
                recorder=current.recorder,
            )
            app.switch_conversation(resumed)
            app.notify(f"Resumed: {one_line(info.title, 60, empty=session_id[:8])}", markup=False)

        app.push_screen(SessionBrowser(store, current_session_id=current.session_id), chosen)

    return open_sessions


def pick_model_hook(settings: Settings) -> Callable[[LlmxApp], None]:
    """F4 and /model: the provider and model picker."""

    def pick_model(app: LlmxApp) -> None:
        from llmx_tui.ui.dialogs.model_picker import ModelPicker

        conversation: Conversation = app.conversation  # type: ignore[assignment]

        async def chosen(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            provider, model = choice
            if conversation.resolve is None:
                return
            try:
                await conversation.switch_provider(conversation.resolve(provider, model))
            except Exception as exc:
                app.notify(str(exc), title="Cannot switch", severity="error", markup=False)
                return
            app.refresh_model()
            app.notify(f"Now using {provider} · {model}", markup=False)

        app.push_screen(ModelPicker(settings, conversation.provider, conversation.model), chosen)

    return pick_model
