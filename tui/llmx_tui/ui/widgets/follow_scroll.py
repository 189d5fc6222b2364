"""A VerticalScroll that follows its bottom while new content arrives, until
the user scrolls up; scrolling back to the bottom resumes following.

Built on Textual's anchor: the scroll position is set while the compositor
lays out, so a frame is never painted at the old position first (which would
also make off-screen Markdown render for nothing).

A click (or a drag to select text) leaves the focus where it was: it took it from
the composer, and the letters typed after copying a selection went nowhere, Enter
sent nothing. Tab still reaches the pane, for the arrow keys.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.geometry import Offset


class FollowScroll(VerticalScroll):
    FOCUS_ON_CLICK = False

    def on_mount(self) -> None:
        self.anchor()

    @property
    def follow(self) -> bool:
        """Whether the view is kept at its bottom as content grows."""
        return self.is_anchored and not self._anchor_released

    @follow.setter
    def follow(self, value: bool) -> None:
        if value:
            self.scroll_end(animate=False, immediate=True)  # re-engages the anchor
        else:
            self.release_anchor()

    def release_anchor(self) -> None:
        super().release_anchor()
        # Textual re-anchors when the position changes to the bottom; a scroll that
        # ends at the bottom without moving (a page down there) must keep following too.
        self.call_after_refresh(self._follow_if_at_bottom)

    def _follow_if_at_bottom(self) -> None:
        # The destination, not the position: an animated scroll up has not moved yet.
        if self._anchor_released and self.scroll_target_y >= self.max_scroll_y:
            self._anchor_released = False

    @property
    def scroll_offset(self) -> Offset:
        # The anchor scrolls to "content bottom minus view height", which is
        # negative while the content is shorter than the view: keep it at the top.
        offset = super().scroll_offset
        return offset if offset.y >= 0 else Offset(offset.x, 0)
