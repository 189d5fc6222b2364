"""The cyclic garbage collector rests while a turn runs.

A full collection walks every container the session has made since startup
(launch freezes what startup made). Late in a long session that is tens of
milliseconds: a visible hitch when it lands in the middle of a streaming reply
or on its final frame. What a turn allocates is nearly all freed by reference
counting, so nothing is lost by collecting once the reply is on screen: the
chat screen pauses the collector when a turn starts and resumes it
``RESUME_DELAY`` seconds after the turn ends, when the reader is reading.
Headless ``--print`` pauses it for its one turn too, so in both the payload
builder never pays a collection over the payload it has just made.
"""

from __future__ import annotations

import gc

# Long enough for the turn's final frame to be drawn first (a frame is ~30 ms).
RESUME_DELAY = 0.5


class CollectorPause:
    """Switches the cyclic collector off and on again, never touching it if something
    else (startup, a payload build) had it off already."""

    __slots__ = ("_paused",)

    def __init__(self) -> None:
        self._paused = False  # this object switched the collector off

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        if not self._paused and gc.isenabled():
            gc.disable()
            self._paused = True

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            gc.enable()
