"""A text field's own key bindings run the moment their key reaches it.

Textual runs a binding only once its key has bubbled up to the app, after the
field has taken the keys queued behind it. In a burst (fast typing, a paste of
keys, tmux send-keys) ``ctrl+u`` then ``abc`` left the field empty: the letters
went in first and were then wiped; with ``enter`` after them the text the user
had just erased was sent.
"""

from __future__ import annotations

from textual import events
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
