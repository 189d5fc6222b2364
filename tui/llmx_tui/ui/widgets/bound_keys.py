"""Text fields take the keys of a burst in the order they were typed.

Textual runs a binding only once its key has bubbled up to the app, after the
field has taken the keys queued behind it. In a burst (fast typing, a paste of
keys, tmux send-keys) ``ctrl+u`` then ``abc`` left the field empty: the letters
went in first and were then wiped; with ``enter`` after them the text the user
had just erased was sent.

A dialog's field has two more ways to get a burst wrong. The dialog's own keys
(enter chooses, down moves, ctrl+s saves) ran after the letters typed behind them,
or, when they were priority bindings, before the letters typed ahead of them. And
keys typed after the key that closes the dialog were already queued in its field:
they were lost with it (or, for a second enter, closed the screen under it).
"""

from __future__ import annotations

from weakref import WeakSet

from textual import events
from textual.dom import NoScreen
from textual.widget import Widget

# Dialog fields whose own key closed their dialog or covered it with another.
_MOVED_ON: WeakSet[Widget] = WeakSet()


async def run_bound_key(widget: Widget, event: events.Key) -> bool:
    """Runs ``widget``'s own (non-priority) binding for ``event``'s key, if it has one
    that applies; True when it ran, and then the key goes no further."""
    for binding in widget._bindings.key_to_bindings.get(event.key, ()):
        if binding.priority:
            continue  # already run by the app, before the key reached the widget
        if await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False


def _screen_is_active(widget: Widget) -> bool:
    try:
        return widget.screen.is_active
    except NoScreen:  # taken out of the DOM with its screen
        return False


async def run_dialog_key(field: Widget, event: events.Key) -> bool:
    """For the text field of a dialog: the dialog's own keys, then the field's editing
    keys, run as the key arrives, in the order typed. Once one of them has closed the
    dialog (or opened another over it), the keys typed after it, still queued here, go
    where they would have gone typed a moment later: back to the app, which runs the
    bindings of the screen now on top or hands them to its focus. Keys queued here
    before something else covered the dialog (a priority key such as ctrl+p) were typed
    before it, and stay. True when the key was taken here (the field must not type it).
    """
    if field in _MOVED_ON:
        if not _screen_is_active(field):
            event.stop()
            event.prevent_default()
            field.app.post_message(events.Key(event.key, event.character))
            return True
        _MOVED_ON.discard(field)  # the dialog is on top again (a confirmation closed)
    try:
        screen = field.screen
    except NoScreen:  # its dialog is gone: nothing of it to run
        event.stop()
        event.prevent_default()
        return True
    ran = await run_bound_key(screen, event) or await run_bound_key(field, event)
    if ran and not screen.is_active:
        _MOVED_ON.add(field)
    return ran
