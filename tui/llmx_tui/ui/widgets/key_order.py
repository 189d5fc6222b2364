"""Priority keys typed in a dialog wait for the keys typed before them.

Textual runs a priority binding (ctrl+p opens the command palette, ctrl+q quits) as
soon as the key reaches the app, while the keys typed just before it may still be
queued in the dialog's focused widget. In a burst such as "f9 enter ctrl+p" the
palette opened first, then the dialog's enter closed "the top screen": the palette,
half mounted, and the app died with it.

``KeyOrder`` keeps the order typed: while a dialog is on top (a screen its ``waits_in``
accepts; an ``OrderedKeysApp`` wires it into itself), a key with a priority
binding is held until every message queued ahead of it has been handled, from the
focused widget up to the dialog (a key handled by a widget may post a message, such
as ``Button.Pressed``, that its screen handles a step later). Keys typed meanwhile
are held behind it; then they all go back to the app, in order. The app is never
blocked while it waits: it goes on handling everything else, so a dialog's handler
that awaits the app cannot deadlock with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard

from textual import events
from textual.app import App, ReturnType
from textual.dom import DOMNode
from textual.screen import Screen

# A hold that never ends would leave the app deaf to the keyboard: should a marker be
# lost (a pump cancelled, not closed), the keys go on after this long.
_LONGEST_HOLD = 2.0


class KeyOrder:
    """The app calls ``hold(event)`` for every key from the terminal; when it returns
    True the key is held here and comes back through the app's queue later."""

    def __init__(
        self, app: App[Any], waits_in: Callable[[Screen[Any]], bool] = lambda screen: True
    ) -> None:
        self._app = app
        self._waits_in = waits_in  # the screens where priority keys wait their turn
        self._held: list[events.Key | events.Paste] | None = None
        self._hold_number = 0
        # Keys given back that ran their priority binding's turn: not held again.
        self._released: list[events.Key] = []

    def hold(self, event: events.Key | events.Paste) -> bool:
        """True when ``event`` (a key or a paste from the terminal) is held here."""
        for index, released in enumerate(self._released):
            if released is event:
                del self._released[index]
                return False
        if self._held is not None:
            self._held.append(event)  # typed after a held key: goes after it
            return True
        if not isinstance(event, events.Key):
            return False
        screen = self._app.screen
        if not self._waits_in(screen) or not _has_priority_binding(screen, event.key):
            return False
        self._held = [event]
        self._hold_number += 1
        number = self._hold_number
        self._app.set_timer(_LONGEST_HOLD, lambda: self._release(number))
        self._next_stop(_stops(self._app.focused or screen), number)
        return True

    def _next_stop(self, stops: list[DOMNode], number: int) -> None:
        """A marker at the end of the next stop's queue; released after the last one."""
        if number != self._hold_number or self._held is None:
            return  # that hold is over already (its time ran out)
        while stops:
            stop, *rest = stops
            if stop.call_later(self._next_stop, rest, number):
                return
            stops = rest  # it takes no more messages (removed with its dialog)
        self._release(number)

    def _release(self, number: int) -> None:
        if number != self._hold_number or self._held is None:
            return  # that hold is over already
        held, self._held = self._held, None
        first, *after = (_again(event) for event in held)
        assert isinstance(first, events.Key)
        self._released.append(first)
        # To the app's queue, in order: the first one runs its priority binding now;
        # those after it may be held again, behind the keys the first one let through.
        for event in (first, *after):
            self._app.post_message(event)


def _again(event: events.Key | events.Paste) -> events.Key | events.Paste:
    """A fresh copy to post: the app has seen the original (and stopped it)."""
    if isinstance(event, events.Key):
        return events.Key(event.key, event.character)
    return events.Paste(event.text)


def _stops(focused: DOMNode) -> list[DOMNode]:
    """Where the keys typed before go, in order: the focused widget, the widgets up to
    its screen (each gets the key if the one below lets it bubble), the app (which runs
    non-priority bindings), then that path again, for the messages those bindings post
    (enter on a button posts Pressed, which the dialog handles by closing)."""
    path: list[DOMNode] = []
    node: DOMNode | None = focused
    while node is not None and node is not focused.app:
        path.append(node)
        node = None if isinstance(node, Screen) else node.parent
    return [*path, focused.app, *path]


class OrderedKeysApp(App[ReturnType]):
    """The base of the app and of the first-run app: a priority key typed in a dialog
    waits for the keys typed before it (see the module's docstring).

    The ``KeyOrder`` is made when a key first reaches a screen where keys wait
    (``keys_wait_in``), not with the app: the chat, which keeps the order of a burst
    itself, never needs one."""

    _key_order: KeyOrder | None = None

    def keys_wait_in(self, screen: Screen[Any]) -> bool:
        """The screens where a priority key waits for the keys typed before it."""
        return True

    async def on_event(self, event: events.Event) -> None:
        if _from_terminal(event) and self._held(event):
            return  # it comes back through the queue once the keys before it are handled
        await super().on_event(event)

    def _held(self, event: events.Key | events.Paste) -> bool:
        if self._key_order is None:
            if not self.keys_wait_in(self.screen):
                return False
            self._key_order = KeyOrder(self, self.keys_wait_in)
        return self._key_order.hold(event)


def _from_terminal(event: events.Event) -> TypeGuard[events.Key | events.Paste]:
    """A key or paste that reaches the app first (not one bubbling back up to it)."""
    return isinstance(event, events.Key | events.Paste) and not event.is_forwarded


def _has_priority_binding(screen: Screen[Any], key: str) -> bool:
    # The chain Textual itself reads for priority bindings: focus, its ancestors, app.
    for _node, bindings in screen._binding_chain:
        if any(binding.priority for binding in bindings.key_to_bindings.get(key, ())):
            return True
    return False
