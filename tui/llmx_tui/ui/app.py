"""LlmxApp: the Textual application. It owns no chat logic: it gets a
Conversation (engine) and shows what its event bus publishes."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from llmx_tui.core.bus import EventBus
from llmx_tui.core.items import Item
from llmx_tui.ui.commands import ChatCommands
from llmx_tui.ui.screens.chat import ChatScreen
from llmx_tui.ui.themes import DEFAULT_THEME, load_themes
from llmx_tui.ui.widgets.key_order import OrderedKeysApp


class ConversationLike(Protocol):
    bus: EventBus
    provider: str
    model: str
    session_id: str | None
    history: list[Item]
    busy: bool

    async def submit(self, text: str) -> None: ...
    def cancel(self) -> None: ...
    async def retry(self) -> None: ...


class LlmxApp(OrderedKeysApp[None]):
    TITLE = "llmx-tui"
    # The chat screen's stylesheet, read with the app's: pushing the screen then finds it
    # loaded and does not parse every rule again before the first frame.
    CSS_PATH = ChatScreen.CSS_PATH
    COMMANDS = App.COMMANDS | {ChatCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="llmx.quit", priority=True),
    ]

    def __init__(
        self,
        conversation: ConversationLike,
        *,
        theme: str | None = None,
        on_theme_saved: Callable[[str], None] | None = None,
        on_open_sessions: Callable[[LlmxApp], Any] | None = None,
        on_pick_model: Callable[[LlmxApp], Any] | None = None,
        user_theme_dir: Path | None = None,
        context_window: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        cursor_blink: bool = True,
        notices: Sequence[str] = (),
        start_with_sessions: bool = False,
        after_first_frame: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        self.conversation = conversation
        self.on_theme_saved = on_theme_saved
        self.on_open_sessions = on_open_sessions
        self.on_pick_model = on_pick_model
        self.context_window = context_window
        self.clock = clock
        self.cursor_blink = cursor_blink
        # Load problems to report once (MCP servers that failed, config warnings).
        self.notices = list(notices)
        self.start_with_sessions = start_with_sessions
        # Work the first frame need not wait for (building the engine), run once it is drawn.
        self.after_first_frame = after_first_frame
        loaded = load_themes(user_theme_dir)
        self.theme_errors = loaded.errors
        for loaded_theme in loaded.themes:
            self.register_theme(loaded_theme)
        wanted = theme or DEFAULT_THEME
        if wanted not in self.available_themes:
            self.theme_errors.append(f"Theme {wanted!r} not found; using {DEFAULT_THEME}.")
            wanted = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self.theme = wanted

    def keys_wait_in(self, screen: Screen[Any]) -> bool:
        # A priority key (ctrl+p) typed in a dialog waits for the keys typed before it:
        # run first, it opened the palette, which the dialog's enter then closed. The chat
        # keeps the order of a burst itself (the composer holds the keys).
        return not isinstance(screen, ChatScreen)

    def on_mount(self) -> None:
        for message in [*self.theme_errors, *self.notices]:
            self.notify(message, severity="warning", markup=False, timeout=10)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.push_screen(ChatScreen())
        if self.after_first_frame is not None:
            self.call_after_refresh(self.after_first_frame)
        if self.start_with_sessions:
            self.call_after_refresh(self.open_sessions)

    def _theme_changed(self, theme: Theme) -> None:
        # Replies re-render their code colours themselves (StreamingMarkdown).
        if self.on_theme_saved is not None:
            try:
                self.on_theme_saved(theme.name)
            except Exception as exc:
                self.notify(f"Could not save the theme: {exc}", severity="error", markup=False)

    def copy_to_clipboard(self, text: str) -> None:
        """OSC 52 for the terminal, and a clipboard tool where there is one (``clipboard``):
        every copy (F6, F7, a selection, the payload JSON) comes through here."""
        super().copy_to_clipboard(text)
        from llmx_tui.ui.clipboard import clipboard_command

        command = clipboard_command()
        if command is not None:
            self.run_worker(self._pipe_to_clipboard(command, text), group="clipboard")

    async def _pipe_to_clipboard(self, command: list[str], text: str) -> None:
        from llmx_tui.ui.clipboard import pipe_to_clipboard

        problem = await pipe_to_clipboard(command, text)
        if problem is not None:
            self.notify(
                f"The system clipboard may not have it: {problem}.",
                severity="warning",
                markup=False,
            )

    def switch_conversation(self, conversation: ConversationLike) -> None:
        """Show another conversation (a resumed or new session) in the chat screen."""
        if self.conversation.busy:
            self.conversation.cancel()
        self.conversation = conversation
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                screen.attach()

    def refresh_model(self) -> None:
        """The status bar shows the conversation's current provider and model."""
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                screen.status.set_model(self.conversation.provider, self.conversation.model)

    def edit_earlier_prompt(self) -> None:
        """Pick an earlier prompt; the chat continues from it in a new session, text in the
        composer for editing. The old session stays as its own branch."""
        from llmx_tui.ui.dialogs.prompt_picker import PromptPicker

        conversation = self.conversation
        prompts = getattr(conversation, "earlier_prompts", lambda: [])()
        if not prompts or not hasattr(conversation, "branch_before"):
            self.notify("There is no earlier prompt to edit.", markup=False)
            return
        if conversation.busy:
            self.notify("Cancel the running turn first (Esc).", markup=False)
            return
        texts = dict(prompts)
        chat = next((s for s in self.screen_stack if isinstance(s, ChatScreen)), None)

        def closing() -> None:
            # Keys typed after the choice wait for the chosen prompt, then go on after it.
            if chat is not None:
                chat.composer.hold_keys()

        def chosen(index: int | None) -> None:
            if index is None:
                pass_on_keys()
            else:  # not awaited here: the dialog is still being taken down
                self.run_worker(fork(index), group="fork", exit_on_error=False)

        async def fork(index: int) -> None:
            try:
                await load_chosen(index)
            except Exception as exc:  # the store could not save the branch, say
                self.notify(f"Could not branch the session: {exc}", severity="error", markup=False)
            finally:
                pass_on_keys()

        def pass_on_keys() -> None:
            if chat is not None:  # those the dialog took first: they were typed first
                chat.composer.pass_on_held(earlier=picker.typed_after)

        async def load_chosen(index: int) -> None:
            branch = await conversation.branch_before(index)  # type: ignore[attr-defined]
            if chat is None:
                self.switch_conversation(branch)
                return
            composer = chat.composer
            # A draft is not lost: it goes where Up recalls it first (a shell keeps the
            # line being edited in its history the same way), and the user is told. Kept
            # before the switch, which ends any recall and with it the draft set aside.
            draft = composer.keep_draft() if composer.text != texts[index] else ""
            self.switch_conversation(branch)
            composer.load_text(texts[index])
            composer.move_cursor(composer.document.end)  # typing goes on after it
            composer.focus()
            if draft:
                self.notify(
                    "Your draft was put in the prompt history: Up brings it back.",
                    markup=False,
                )

        picker = PromptPicker(prompts, on_close=closing)
        self.push_screen(picker, chosen)

    def inspect_payload(self) -> None:
        """The exact last request and what the payload builder changed, keys redacted."""
        from llmx_tui.ui.dialogs.payload_inspector import PayloadInspector

        # The conversation's own last request: the engine's may be another session's.
        last = getattr(self.conversation, "last_request", None)
        engine = getattr(self.conversation, "engine", None)
        provider = getattr(engine, "provider", None)
        secrets = tuple(getattr(provider, "secrets", ()))
        self.push_screen(PayloadInspector(last, secrets=secrets))

    def open_sessions(self) -> None:
        if self.on_open_sessions is None:
            self.notify("The sessions list is not available yet.", markup=False, severity="warning")
            return
        self.on_open_sessions(self)
