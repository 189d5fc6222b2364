"""Letters typed while a pane has the focus go to the composer, every one, in order.

After Tab or a click, the focus can be on the conversation, a pane, a tool call or a
reasoning entry, none of which takes text. The first letter typed there moves the focus
to the composer, but the keys typed right after it (fast typing, tmux send-keys, a busy
app) were already sent to that widget. They reach the screen too, and used to be dropped
once the composer had the focus: "question" became "qon", and an Enter among them was lost.

Now they go in first, and keys reaching the composer meanwhile wait in it (its hold, the
one Enter uses) until a marker, posted to that widget behind them, reaches the screen: each
widget's queue and each bubbling step keep their order, so the marker comes last.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer

from llmx_tui.ui.widgets.composer import Composer

# Longest wait for the marker (keys take milliseconds): should the widget go away with it,
# the composer is not held for good.
LONGEST_WAIT = 0.5


class TypedAhead(Message):
    """Posted to the widget that had the focus: reaches the screen after its keys."""


class TypedAheadKeys:
    """The screen's ``on_key`` and ``on_typed_ahead`` hand their events here."""

    def __init__(self, screen: Screen[object], composer: Callable[[], Composer]) -> None:
        self._screen = screen
        self._composer = composer
        # Keys on their way from the widget that had the focus, from the first that is
        # not a letter (replayed in order); None when none are on their way.
        self._pending: list[events.Key] | None = None
        self._timer: Timer | None = None

    def on_key(self, event: events.Key) -> None:
        """A key that no widget took: a letter typed elsewhere than in the composer, or
        one typed right after it."""
        composer = self._composer()
        if self._pending is not None:
            event.stop()
            if event.is_printable and event.character and not self._pending:
                composer.insert(event.character)
            else:  # Enter, Backspace...: after every key that came before it
                self._pending.append(event)
            return
        screen = self._screen
        if event.is_printable and event.character and screen.focused is not composer:
            event.stop()
            source = screen.focused or screen
            screen.set_focus(composer)  # at once: the keys typed from now go straight to it
            composer.hold_keys()
            self._pending = []
            source.post_message(TypedAhead())
            self._timer = screen.set_timer(LONGEST_WAIT, self.all_in)
            composer.insert(event.character)

    def all_in(self) -> None:
        """The marker came (or the wait ended): the held keys go on, in order."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._pending is None:
            return
        keys, self._pending = self._pending, None
        self._composer().pass_on_held(earlier=keys)
        # The chat keys were off while the composer held keys: the key bar shows them again.
        self._screen.refresh_bindings()
