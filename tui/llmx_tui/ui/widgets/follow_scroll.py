"""A VerticalScroll that follows its bottom while new content arrives, until
the user scrolls up; scrolling back to the bottom resumes following."""

from __future__ import annotations

from textual.containers import VerticalScroll


class FollowScroll(VerticalScroll):
    follow = True

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value < old_value and new_value < self.max_scroll_y:
            self.follow = False
        elif new_value >= self.max_scroll_y:
            self.follow = True

    def follow_end(self) -> None:
        """Scroll to the bottom after the next layout, if following."""
        if self.follow:
            self.call_after_refresh(self.scroll_end, animate=False, immediate=True)
