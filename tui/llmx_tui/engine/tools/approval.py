"""Approval of tool calls: the session allow-list and who decides.

``ApprovalGate.authorize`` first consults the allow-list (tools the user
allowed "for this session"), then asks ``decide``. The deciders: AutoApprove
(headless ``--yes``), AutoDeny (headless default) and BusApprovalGate, which
asks the UI over the EventBus and waits for its answer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from llmx_tui.core.bus import EventBus
from llmx_tui.core.events import ApprovalDecided, ApprovalRequested
from llmx_tui.core.items import new_id

Decision = Literal["allow_once", "allow_session", "deny"]


@dataclass(frozen=True)
class ApprovalRequest:
    call_id: str
    name: str
    arguments: str  # the exact string the model sent
    description: str  # exactly what will happen: command, resolved path, byte count
    request_id: str = field(default_factory=new_id)

    def as_event(self) -> ApprovalRequested:
        return ApprovalRequested(
            request_id=self.request_id,
            call_id=self.call_id,
            name=self.name,
            arguments=self.arguments,
            description=self.description,
        )


class ApprovalGate(ABC):
    """Holds the session allow-list; subclasses decide what is not on it."""

    def __init__(self) -> None:
        self._allowed_for_session: set[str] = set()
        self._always_allowed: frozenset[str] = frozenset()  # the config's tools.always_allow
        self._stop = False  # a denial also asked to end the turn

    @property
    def allowed_for_session(self) -> frozenset[str]:
        return frozenset(self._allowed_for_session)

    def allow_for_session(self, tool_name: str) -> None:
        self._allowed_for_session.add(tool_name)

    def allow_always(self, tool_names: Iterable[str]) -> None:
        """Tools allowed in every session (kept by ``forget_session``)."""
        self._always_allowed = frozenset(tool_names)
        self._allowed_for_session |= self._always_allowed

    def take_stop(self) -> bool:
        """Whether the user asked, with a denial, to end the turn; asking clears it."""
        stop, self._stop = self._stop, False
        return stop

    def forget_session(self) -> None:
        """Another session begins: "allow for this session" answers no longer apply."""
        self._allowed_for_session = set(self._always_allowed)

    async def authorize(self, request: ApprovalRequest) -> Decision:
        """The decision for this call; remembers "allow for this session" per tool name."""
        if request.name in self._allowed_for_session:
            return "allow_session"
        decision = await self.decide(request)
        if decision == "allow_session":
            self.allow_for_session(request.name)
        return decision

    @abstractmethod
    async def decide(self, request: ApprovalRequest) -> Decision:
        """Ask whoever decides; only called for tools not allowed for the session."""

    def denial_message(self, request: ApprovalRequest) -> str:
        """The output the model reads for a denied call."""
        return f"The user denied this call to {request.name}; it was not run."


class AutoApprove(ApprovalGate):
    """Headless with ``--yes``: every call runs."""

    async def decide(self, request: ApprovalRequest) -> Decision:
        return "allow_once"


class AutoDeny(ApprovalGate):
    """Headless default: nothing that needs approval runs."""

    async def decide(self, request: ApprovalRequest) -> Decision:
        return "deny"

    def denial_message(self, request: ApprovalRequest) -> str:
        return (
            f"This call to {request.name} needs the user's approval, and the user runs "
            "llmx-tui without --yes, so it was denied and not run."
        )


def headless_gate(auto_approve: bool) -> ApprovalGate:
    return AutoApprove() if auto_approve else AutoDeny()


class BusApprovalGate(ApprovalGate):
    """Publishes ApprovalRequested and waits for the matching ApprovalDecided.

    Cancellation while waiting propagates to the caller. If the bus closes
    before an answer arrives, the call is denied.
    """

    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        self.bus = bus

    async def decide(self, request: ApprovalRequest) -> Decision:
        # Subscribe before publishing so an instant answer cannot be missed.
        answers = self.bus.subscribe(ApprovalDecided)
        try:
            self.bus.publish(request.as_event())
            async for answer in answers:
                if answer.request_id == request.request_id:
                    decision: Decision = answer.decision
                    self._stop = answer.stop and decision == "deny"
                    return decision
            return "deny"
        finally:
            answers.close()
