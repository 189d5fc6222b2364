"""Slash commands typed in the composer: /new /model /theme /system /retry /export /help.

Features whose engine side is optional are found by duck typing on the
conversation (``new_session``, ``set_model``, ``set_system_prompt``,
``export``); when missing, the command says it is not available yet.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmx_tui.ui.screens.chat import ChatScreen

HELP = """Commands: /new  /model [name]  /theme [name]  /system [prompt]  /retry  /export  /help
(a message that begins with / is sent as written; // sends one that looks like a command)
Keys: Enter send · ctrl+j or alt+enter newline · Esc cancel the turn · ctrl+r retry
F2 reasoning · F3 tools · F4 model · F5 theme · F6 copy reply · F7 copy code
F8 payload inspector · F9 edit a prompt · ctrl+n new · ctrl+s sessions
PageUp/PageDown scroll · up/down recall prompts
Drag to select text; ctrl+c copies it (a double click takes a whole reply)
Approval: a allow once · s allow for this session · d or Esc deny · c deny and stop
ctrl+p command palette · ctrl+q quit"""


COMMANDS = frozenset({"/new", "/model", "/theme", "/system", "/retry", "/export", "/help"})
# What a mistyped command looks like ("/hlep"); "/usr/bin/env ..." or "/5 of them" is text.
_COMMAND_SHAPE = re.compile(r"/[A-Za-z][\w-]*")
ESCAPE = "//"  # a message that begins with "/" is sent by starting it with "//"
NEAR_MISS = 0.75  # how alike a word and a command name must be to call it a typo


def read_composed(text: str) -> tuple[str, str]:
    """What the composer's text is: ("command", line), ("unknown", the word typed),
    or ("message", the text to send)."""
    line = text.strip()
    if not line.startswith("/"):
        return "message", text
    word = line.split(maxsplit=1)[0]
    if line.startswith(ESCAPE):
        # "//new ..." sends "/new ..."; "// TODO" or "//comment" (code) is sent as typed.
        escaped = _near_command(word[1:]) is not None
        return "message", text.replace(ESCAPE, "/", 1) if escaped else text
    if word in COMMANDS:
        return "command", line
    if _near_command(word) is not None:
        return "unknown", word
    return "message", text  # "/etc is where configs live", "/tmp is full"


def _near_command(word: str) -> str | None:
    """The command ``word`` names or nearly names ("/hlep"), else None."""
    if word in COMMANDS:
        return word
    if not _COMMAND_SHAPE.fullmatch(word):
        return None
    close = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=NEAR_MISS)
    return close[0] if close else None


def _not_available(screen: ChatScreen, what: str) -> None:
    screen.notify(f"{what} is not available yet.", markup=False, severity="warning")


def _call(
    screen: ChatScreen,
    method: Callable[..., Any],
    *args: Any,
    failure: str,
    done: Callable[[Any], None] | None = None,
) -> None:
    """Call a conversation method that may be sync or async; a failure is reported as
    ``failure`` ("Could not ...") and the reason."""

    async def run() -> None:
        try:
            result = method(*args)
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            screen.notify(f"{failure}: {exc}", markup=False, severity="error")
            return
        if done is not None:
            done(result)

    screen.run_worker(run(), exit_on_error=False)


def _edit_system_prompt(screen: ChatScreen, method: Callable[..., Any]) -> None:
    """Opens the system prompt editor; an empty result clears the prompt."""
    from llmx_tui.ui.dialogs.system_prompt import SystemPromptEditor

    def chosen(text: str | None) -> None:
        if text is not None:
            _call(
                screen,
                method,
                text,
                failure="Could not set the system prompt",
                done=lambda _: screen.notify(
                    "System prompt set." if text else "System prompt cleared.", markup=False
                ),
            )

    current = getattr(screen.app.conversation, "system_prompt", None)
    screen.app.push_screen(SystemPromptEditor(current), chosen)


def run_slash_command(screen: ChatScreen, line: str) -> None:
    name, _, arg = line.partition(" ")
    arg = arg.strip()
    conv = screen.app.conversation
    if name == "/help":
        from llmx_tui.ui.dialogs.help import HelpDialog

        screen.app.push_screen(HelpDialog(HELP))
    elif name == "/retry":
        screen.action_retry()
    elif name == "/theme":
        if not arg:
            screen.app.action_change_theme()
        elif arg in screen.app.available_themes:
            screen.app.theme = arg
        else:
            # A near miss ("/theme nrod") names the theme meant; /theme alone lists them all.
            close = difflib.get_close_matches(arg, sorted(screen.app.available_themes), n=1)
            guess = f" (did you mean {close[0]}?)" if close else ""
            screen.notify(
                f"Unknown theme {arg!r}{guess}. /theme alone (or F5) lists them.",
                markup=False,
                severity="error",
            )
    elif name == "/new":
        method = getattr(conv, "new_session", None)
        if method is None:
            return _not_available(screen, "/new (a new session)")
        if conv.busy:
            return screen.notify("Cancel the running turn first (Esc).", markup=False)
        _call(screen, method, failure="Could not start a new chat", done=lambda _: screen.attach())
    elif name == "/model":
        method = getattr(conv, "set_model", None)
        if not arg:
            if screen.app.on_pick_model is not None:
                return screen.app.on_pick_model(screen.app)
            return screen.notify(
                f"Model: {conv.provider} · {conv.model}. Change it with /model NAME.", markup=False
            )
        if method is None:
            return _not_available(screen, "/model (switching models)")

        def switched(_: object) -> None:
            screen.status.set_model(conv.provider, conv.model)
            screen.notify(f"Now using {conv.provider} · {conv.model}", markup=False)

        _call(screen, method, arg, failure="Could not switch the model", done=switched)
    elif name == "/system":
        method = getattr(conv, "set_system_prompt", None)
        if method is None:
            return _not_available(screen, "/system (the system prompt)")
        if not arg:
            return _edit_system_prompt(screen, method)
        _call(
            screen,
            method,
            arg,
            failure="Could not set the system prompt",
            done=lambda _: screen.notify(
                "System prompt set." if arg else "System prompt cleared.", markup=False
            ),
        )
    elif name == "/export":
        method = getattr(conv, "export", None)
        if method is None:
            return _not_available(screen, "/export")
        if not conv.history:  # said here: the engine's reason read "Could not export: nothing…"
            return screen.notify("Nothing to export yet: send a prompt first.", markup=False)
        _call(
            screen,
            method,
            *([arg] if arg else []),
            failure="Could not export",
            done=lambda path: screen.notify(f"Exported to {path}", markup=False),
        )
    else:
        screen.notify(unknown_command(name), markup=False, severity="error")


def unknown_command(word: str) -> str:
    meant = _near_command(word)
    guess = f" (did you mean {meant}?)" if meant and meant != word else ""
    return (
        f"Unknown command {word}{guess}. Try /help. To send it as a message, "
        f"start it with {ESCAPE}."
    )
