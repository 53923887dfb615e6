"""Errors of the queueing package.

Expected outcomes (no agent free, a lost race) are return values; these are failures, and each
carries the data that names what was wrong::

    QueueingError
    ├── RoutingConfigError(field, value, message)   queue / escalation settings the router rejects
    ├── CallError(call_id, message)                  malformed routing input for one call
    │   ├── CallNotWaitingError(call_id, state)      callback, route or move of a call not waiting
    │   ├── QueueMoveError(call_id, queue_id, message) a move to a queue the call cannot go to
    │   └── CallbackNumberError(call_id, number, message)  callback number not E.164 (field number)
    └── AgentActionError(agent_id, action, message)  an agent action's precondition failed
        ├── AgentStateError(agent_id, action, state) not allowed in the agent's current state
        ├── UnknownReasonError(agent_id, reason)     not-ready reason not in the configured list
        ├── AgentSkillError(agent_id, queue_id)      routed a call of a queue the agent does not serve
        └── UnknownAgentError(agent_id)              agent neither configured nor given skills
"""

from __future__ import annotations

from kernel.messages import N_, ExplainedError, Params, english
from kernel.settings import SettingsError


class QueueingError(ExplainedError):
    """Base of every error raised by ``queueing``; what people read is its explanation
    (``kernel.messages``), ``str()`` the log line."""


class RoutingConfigError(QueueingError, SettingsError):
    """A setting the router cannot work with; also a ``SettingsError`` so start-up stops with
    exit code 2 and one line naming the field."""

    def __init__(self, field: str, value: object, message: str) -> None:
        SettingsError.__init__(self, field, value, message)


class CallError(QueueingError):
    def __init__(self, call_id: str | None, message: str, params: Params | None = None) -> None:
        """``message``: a msgid filled from ``params``."""
        self.call_id = call_id
        self.message = self.explain(message, params)
        super().__init__(f"call {call_id}: {self.message}")


class AgentActionError(QueueingError):
    def __init__(
        self, agent_id: str, action: str, message: str, params: Params | None = None
    ) -> None:
        """``message``: a msgid filled from ``params``."""
        self.agent_id, self.action = agent_id, action
        self.message = self.explain(message, params)
        super().__init__(f"agent {agent_id}: {action}: {self.message}")


class AgentStateError(AgentActionError):
    def __init__(self, agent_id: str, action: str, state: str) -> None:
        self.state = state
        super().__init__(agent_id, action, N_("not allowed while %(state)s"), {"state": state})
        self.explain(
            N_("%(action)s not allowed while %(state)s"), {"action": action, "state": state}
        )


class UnknownReasonError(AgentActionError):
    def __init__(self, agent_id: str, reason: str | None, allowed: list[str]) -> None:
        self.reason = reason
        super().__init__(
            agent_id,
            "not_ready",
            N_("reason %(reason)r is not one of %(allowed)s"),
            {"reason": reason, "allowed": ", ".join(allowed)},
        )


class UnknownAgentError(AgentActionError):
    def __init__(self, agent_id: str) -> None:
        super().__init__(agent_id, "login", N_("not configured and no skills given"))


class CallNotWaitingError(CallError):
    def __init__(self, call_id: str, state: str, action: str = "callback") -> None:
        self.state, self.action = state, action
        super().__init__(
            call_id,
            N_("is %(state)s, not waiting: no %(action)s can be requested"),
            {"state": state, "action": action},
        )


class QueueMoveError(CallError):
    """A waiting call cannot move to ``queue_id`` (the same queue, another routing domain)."""

    def __init__(self, call_id: str, queue_id: str, message: str) -> None:
        self.queue_id = queue_id
        super().__init__(
            call_id,
            N_("cannot move to %(queue_id)s: %(reason)s"),
            {"queue_id": queue_id, "reason": message},
        )


class AgentSkillError(AgentActionError):
    def __init__(self, agent_id: str, queue_id: str) -> None:
        self.queue_id = queue_id
        super().__init__(
            agent_id, "route", N_("does not serve queue %(queue_id)s"), {"queue_id": queue_id}
        )


class CallbackNumberError(CallError):
    """The number a waiting caller asked to be called back at is not a possible E.164 number;
    ``field`` is the input that was wrong (always ``number``)."""

    field = "number"

    def __init__(
        self, call_id: str, number: object, message: str, params: Params | None = None
    ) -> None:
        """``message``: a msgid filled from ``params``; it is the explanation (people see the
        number in the field it names)."""
        self.number = number
        self.reason = english(message, params)
        super().__init__(call_id, f"callback number {number!r}: {self.reason}")
        self.explain(message, params)
