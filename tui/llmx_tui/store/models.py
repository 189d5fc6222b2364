"""Plain records the store returns (no database handles inside)."""

from __future__ import annotations

from dataclasses import dataclass

from llmx_tui.core.events import Usage
from llmx_tui.core.items import AssistantMessage, Item, Reasoning, TurnError

INTERRUPTED_MESSAGE = (
    "The reply was interrupted before it finished (the program stopped); "
    "the text above is what had arrived."
)


@dataclass(frozen=True)
class SessionInfo:
    id: str
    title: str | None
    created: float
    updated: float
    provider: str | None
    model: str | None
    system_prompt: str | None
    demo: bool
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    reasoning_tokens: int
    item_count: int

    @property
    def usage(self) -> Usage:
        return Usage(
            input_tokens=self.input_tokens,
            cached_input_tokens=self.cached_input_tokens,
            output_tokens=self.output_tokens,
            reasoning_tokens=self.reasoning_tokens,
        )

    @property
    def reported_usage(self) -> Usage:
        """The totals as a turn's usage reads them: a count no reply ever reported (the
        store keeps 0) is None."""
        return Usage(
            input_tokens=self.input_tokens or None,
            cached_input_tokens=self.cached_input_tokens or None,
            output_tokens=self.output_tokens or None,
            reasoning_tokens=self.reasoning_tokens or None,
        )


@dataclass(frozen=True)
class Draft:
    """The checkpoint of a step still being streamed (or cut off by a crash)."""

    session_id: str
    turn: int
    text: str
    reasoning: str
    provider: str | None
    model: str | None
    pid: int
    updated: float

    def to_items(self) -> list[Item]:
        """What the draft amounts to once the step is known to be dead."""
        items: list[Item] = []
        if self.reasoning:
            items.append(
                Reasoning(
                    text=self.reasoning, turn=self.turn, provider=self.provider, model=self.model
                )
            )
        if self.text:
            items.append(
                AssistantMessage(
                    text=self.text, turn=self.turn, provider=self.provider, model=self.model
                )
            )
        items.append(TurnError(kind="interrupted", message=INTERRUPTED_MESSAGE, turn=self.turn))
        return items


@dataclass(frozen=True)
class SearchHit:
    session_id: str
    session_title: str | None
    item_id: str
    item_number: int  # 1-based position in the session, as `sessions show` numbers it
    kind: str
    snippet: str
    rank: float  # bm25: lower is better
