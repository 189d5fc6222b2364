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

from textual import events
from textual.dom import NoScreen
from textual.widget import Widget


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


def pass_on_if_closed(widget: Widget, event: events.Key) -> bool:
    """A key that reached ``widget`` after its screen closed (or went under another)
    goes where it would have gone typed a moment later: back to the app, which runs
    the bindings of the screen now on top or hands it to that screen's focus.
    True when it was passed on."""
    app = widget.app
    try:
        current = widget.screen is app.screen
    except NoScreen:  # taken out of the DOM with its screen
        current = False
    if current:
        return False
    event.stop()
    event.prevent_default()
    app.post_message(events.Key(event.key, event.character))
    return True


async def run_dialog_key(field: Widget, event: events.Key) -> bool:
    """For the text field of a dialog: keys typed after the dialog closed move on, then
    the dialog's own keys and the field's editing keys run as the key arrives, in the
    order typed. True when the key was taken here (the field must not type it)."""
    if pass_on_if_closed(field, event):
        return True
    return await run_bound_key(field.screen, event) or await run_bound_key(field, event)
