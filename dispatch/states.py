"""Ticket states and the transitions allowed between them."""

from __future__ import annotations

from enum import Enum


class State(str, Enum):
    RECEIVED = "received"        # in the community dispatcher's review queue
    ROUTED = "routed"            # assigned to a grid or department, waiting to be claimed
    CLAIMED = "claimed"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"        # handler says done; waiting for the reporter's rating
    CLOSED = "closed"
    REOPENED = "reopened"        # 不满意: back to the same handler with a shorter deadline
    ESCALATED = "escalated"      # overdue, raised to the community (督办)
    TRANSFERRED = "transferred"  # handed to a department
    MERGED = "merged"            # a duplicate joined into another ticket
    REJECTED = "rejected"        # not a problem the community handles
    ANSWERED = "answered"        # 回复解释: answered at once from the knowledge base


OPEN_STATES = (State.RECEIVED, State.ROUTED, State.CLAIMED, State.IN_PROGRESS, State.REOPENED,
               State.ESCALATED, State.TRANSFERRED)
#: States in which a handler is working against a deadline.
WORKING_STATES = (State.ROUTED, State.CLAIMED, State.IN_PROGRESS, State.REOPENED, State.ESCALATED,
                  State.TRANSFERRED)
CLAIMABLE_STATES = (State.ROUTED, State.REOPENED, State.ESCALATED, State.TRANSFERRED)

ALLOWED: dict[State, set[State]] = {
    State.RECEIVED: {State.ROUTED, State.TRANSFERRED, State.REJECTED, State.MERGED, State.ANSWERED},
    State.ROUTED: {State.CLAIMED, State.ROUTED, State.TRANSFERRED, State.ESCALATED, State.REJECTED, State.MERGED,
                   State.RECEIVED},
    State.TRANSFERRED: {State.CLAIMED, State.ROUTED, State.TRANSFERRED, State.ESCALATED, State.REJECTED,
                        State.MERGED, State.RECEIVED},
    State.CLAIMED: {State.IN_PROGRESS, State.RESOLVED, State.TRANSFERRED, State.ESCALATED, State.ROUTED,
                    State.REJECTED, State.MERGED},
    State.IN_PROGRESS: {State.RESOLVED, State.TRANSFERRED, State.ESCALATED, State.ROUTED},
    State.ESCALATED: {State.CLAIMED, State.IN_PROGRESS, State.RESOLVED, State.ROUTED, State.TRANSFERRED,
                      State.ESCALATED, State.REJECTED},
    State.REOPENED: {State.CLAIMED, State.IN_PROGRESS, State.RESOLVED, State.ESCALATED, State.ROUTED,
                     State.TRANSFERRED},
    State.RESOLVED: {State.CLOSED, State.REOPENED},
    State.CLOSED: {State.RESOLVED},   # only to correct a rating given moments ago (tickets.correct_rating)
    State.MERGED: set(),
    State.REJECTED: set(),
    State.ANSWERED: set(),
}
"""Every move also needs a reason (tickets.move refuses an empty one): who decided what, and why."""


class TransitionError(Exception):
    """A ticket cannot move from its state to the one asked for."""

    def __init__(self, ticket_id: int, current: str, wanted: str) -> None:
        super().__init__(f"ticket {ticket_id}: cannot go from {current} to {wanted}")
        self.ticket_id, self.current, self.wanted = ticket_id, current, wanted


def check_transition(ticket_id: int, current: str, wanted: str) -> None:
    if State(wanted) not in ALLOWED[State(current)]:
        raise TransitionError(ticket_id, current, wanted)
