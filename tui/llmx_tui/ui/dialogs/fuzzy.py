"""Fuzzy matching for pickers: the query's characters in order, scored by how tightly."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

_WORD_BREAKS = " -_/.:"
_START_BONUS = 8.0
_WORD_START_BONUS = 3.0
_RUN_BONUS = 5.0
_GAP_PENALTY = 2.0
_GAP_LENGTH_PENALTY = 0.2
_EXACT_BONUS = 10.0


def fuzzy_match(query: str, text: str) -> float | None:
    """A score (higher is better) when ``query`` is a case-insensitive subsequence of ``text``.

    None when it is not. An empty query matches everything with score 0.
    Characters at the start, at word starts and in unbroken runs score more;
    gaps between matched characters and a long text score less, so "gpt4"
    ranks "gpt-4o" above "gpt-3.5-turbo-0125-preview-4".
    """
    if not query:
        return 0.0
    needle = query.lower()
    haystack = text.lower()
    positions = _leftmost_positions(needle, haystack)
    if positions is None:
        return None
    # Prefer a tighter placement: try to end the match as early as possible,
    # then pull each character right-to-left towards its successor.
    positions = _tighten(needle, haystack, positions)
    score = 0.0
    previous = -1
    for position in positions:
        score += 1.0
        if position == 0:
            score += _START_BONUS
        elif previous >= 0 and position == previous + 1:
            score += _RUN_BONUS
        else:
            if haystack[position - 1] in _WORD_BREAKS:
                score += _WORD_START_BONUS
            if previous >= 0:
                gap = min(position - previous - 1, 20)
                score -= _GAP_PENALTY + _GAP_LENGTH_PENALTY * gap
        previous = position
    if haystack == needle:
        score += _EXACT_BONUS
    return score - 0.01 * len(haystack)


def _leftmost_positions(needle: str, haystack: str) -> list[int] | None:
    positions: list[int] = []
    start = 0
    for char in needle:
        found = haystack.find(char, start)
        if found < 0:
            return None
        positions.append(found)
        start = found + 1
    return positions


def _tighten(needle: str, haystack: str, positions: list[int]) -> list[int]:
    tightened = list(positions)
    for index in range(len(needle) - 2, -1, -1):
        found = haystack.rfind(needle[index], tightened[index], tightened[index + 1])
        if found >= 0:
            tightened[index] = found
    return tightened


def fuzzy_filter(query: str, items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """``items`` that match ``query``, best first; ties keep their original order."""
    scored: list[tuple[float, int, T]] = []
    for order, item in enumerate(items):
        score = fuzzy_match(query, key(item))
        if score is not None:
            scored.append((-score, order, item))
    scored.sort(key=lambda entry: (entry[0], entry[1]))
    return [item for _, _, item in scored]
