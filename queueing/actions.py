"""Agent actions: the one service the web, the CLI and the demo's simulated agents use.

Each action checks what it can without Redis (reason in the configured list, agent known), then
runs the action script, which checks the agent's state and makes the change in one atomic step;
a refused precondition raises a typed error naming what was wrong (``queueing.errors``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from customers.records import FieldError, normalise_number
from kernel.messages import N_, FieldValueError
from queueing.agent_states import ALLOWED_FROM
from queueing.errors import (
    AgentSkillError,
    AgentStateError,
    CallbackNumberError,
    CallNotWaitingError,
    QueueingError,
    QueueMoveError,
    UnknownAgentError,
    UnknownReasonError,
)
from queueing.routing import Routing
from queueing.rules import eligibility, encode_eligibility

log = logging.getLogger(__name__)

E164 = re.compile(r"\+[1-9][0-9]{1,14}")


@dataclass(frozen=True, slots=True)
class QueueCallback:
    """A callback asked for in line: the caller's queue and the call that will dial it."""

    queue_id: str
    dial_call_id: str


def callback_number(call_id: str, number: object) -> str:
    """``number`` checked to be E.164 (``+`` then at most 15 digits) and a possible number per
    ``phonenumbers``; returns its canonical E.164 form, else raises ``CallbackNumberError``.

    Only E.164 is accepted here: reading a national number needs a region, which is the caller's
    (web, CLI) to know."""
    if not isinstance(number, str) or not E164.fullmatch(number):
        raise CallbackNumberError(call_id, number, N_("must be E.164: + then at most 15 digits"))
    try:
        return normalise_number(number, "ZZ")  # "ZZ": no default region, the + decides
    except FieldError as exc:
        raise CallbackNumberError(call_id, number, *exc.explanation()) from None


class AgentActions:
    def __init__(self, routing: Routing) -> None:
        self.routing = routing

    async def _act(
        self,
        action: str,
        agent_id: str,
        domain: str | None = None,
        *,
        script_op: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Run ``action`` (``script_op`` in action.lua if it differs) under its precondition."""
        domain = domain or self.routing.agent_domain(agent_id)
        op = {
            "op": script_op or action,
            "agent": agent_id,
            "allowed": sorted(ALLOWED_FROM[action]),
            **fields,
        }
        res = await self.routing.run(domain, "action", op)
        if res.get("err") == "state":
            raise AgentStateError(agent_id, action, res["state"])
        if res.get("err") == "call":
            raise CallNotWaitingError(fields.get("call", ""), res["state"], action)
        if res.get("err") == "skill":
            raise AgentSkillError(agent_id, res["state"])
        if res.get("err") == "queue":
            raise QueueMoveError(fields.get("call", ""), fields.get("queue", ""), res["state"])
        await self.routing.publish([res])
        log.info("agent %s: %s -> %s", agent_id, action, res.get("state"))
        return res

    async def login(
        self, agent_id: str, skills: Mapping[str, int] | None = None, *, ready: bool = False
    ) -> str:
        """Log in with the agent's current skills (given, else configured); returns the state."""
        await self.routing.refresh()  # the skills and queues the administration pages set
        if skills is None:
            agent = self.routing.agents.get(agent_id)
            if agent is None:
                raise UnknownAgentError(agent_id)
            skills = agent.skills
        res = await self._act("login", agent_id, **self._indexing(agent_id, skills), ready=ready)
        return str(res["state"])

    def _indexing(self, agent_id: str, skills: Mapping[str, int]) -> dict[str, str]:
        """The agent hash's ``elig`` and ``skills`` for ``skills`` under the current plans."""
        domain = self.routing.agent_domain(agent_id)
        plans = [p for p in self.routing.plans.values() if p.domain == domain]
        return {
            "elig": encode_eligibility(eligibility(skills, plans)),
            "skills": json.dumps(dict(skills), sort_keys=True),
        }

    async def reindex_all(self) -> list[str]:
        """After a configuration change: every logged-in agent whose eligibility (the current
        plans, the agent's current skills) differs from what routing holds is indexed anew, and
        a ready one takes a waiting call it may now serve. A logged-in agent the store no longer
        lists (deactivated) is indexed with no skills: offered nothing more. Returns those
        agents' ids."""
        changed: list[str] = []
        for domain in self.routing.domains:
            keys = self.routing.keys(domain)
            for agent_id in sorted(await self.routing.client.smembers(keys.agents)):
                try:
                    if await self._reindex(agent_id, domain):
                        changed.append(agent_id)
                except (QueueingError, ValueError) as exc:  # one agent's bad record: the others
                    log.error("agent %s: not indexed anew (%s: %s)", agent_id,
                              type(exc).__name__, exc)  # fmt: skip
        return changed

    async def _reindex(self, agent_id: str, domain: str) -> bool:
        """One logged-in agent indexed anew if its eligibility changed; returns whether it was."""
        held, old_skills = await self.routing.client.hmget(
            self.routing.keys(domain).agent(agent_id), "elig", "skills"
        )
        agent = self.routing.agents.get(agent_id)
        if agent is not None:
            skills = agent.skills
        elif self.routing.from_store:  # deactivated in the store: no more calls
            skills = {}
        else:  # no store, or one never seeded: skills given at login are the agent's
            skills = json.loads(old_skills or "{}")
        fields = self._indexing(agent_id, skills)
        if fields["elig"] == held and json.loads(old_skills or "{}") == skills:
            return False
        try:
            await self._act("reindex", agent_id, domain, **fields)
        except AgentStateError:
            return False  # logged out meanwhile: the next login indexes anew
        return True

    async def dialling(self, agent_id: str, call_id: str, pending_s: float) -> str:
        """A manual dial ``call_id`` is placed: ``ready`` is refused (state ``dialling``) until its
        call is answered or fails, or ``pending_s`` passed without either."""
        return str(
            (await self._act("dial", agent_id, call=call_id, pending_ms=int(pending_s * 1000)))[
                "state"
            ]
        )

    async def ready(self, agent_id: str) -> str:
        return str((await self._act("ready", agent_id))["state"])

    async def not_ready(self, agent_id: str, reason: str) -> str:
        reasons = self.routing.settings.routing.not_ready_reasons
        if reason not in reasons:
            raise UnknownReasonError(agent_id, reason, reasons)
        return str((await self._act("not_ready", agent_id, reason=reason))["state"])

    async def end_wrap_up(self, agent_id: str) -> str:
        return str((await self._act("end_wrap_up", agent_id, script_op="ready"))["state"])

    async def extend_wrap_up(self, agent_id: str, extra_s: int) -> str:
        if extra_s <= 0:
            raise FieldValueError(
                "extra_s", N_("must be positive, got %(extra_s)s"), {"extra_s": extra_s}
            )
        return str((await self._act("extend_wrap_up", agent_id, extend_ms=extra_s * 1000))["state"])

    async def logout(self, agent_id: str) -> str:
        return str((await self._act("logout", agent_id))["state"])

    async def request_callback(self, call_id: str, number: str) -> QueueCallback:
        """The waiting caller will be called back at ``number`` (E.164) when its turn comes: the
        dial is a call of its own (``dial_call_id``, linked to ``call_id`` by ``origin_call_id``)
        that takes the caller's place in line. ``CallbackNumberError`` for a bad number,
        ``CallNotWaitingError`` when the call is not waiting (state ``unknown``: no such call)."""
        number = callback_number(call_id, number)
        state = "unknown"
        for domain in self.routing.domains:
            try:
                res = await self._act("callback", "", domain, call=call_id, number=number)
                return QueueCallback(str(res.get("queue") or ""), str(res["dial"]))
            except CallNotWaitingError as exc:
                if exc.state != "unknown":
                    state = exc.state
        raise CallNotWaitingError(call_id, state)

    async def route_to_agent(self, call_id: str, agent_id: str) -> str:
        """Offer the waiting call to ``agent_id`` now (a supervisor's choice): in the agent's
        domain, one script checks the call waits, the agent is ready and serves its queue, and
        offers it, so the router's own matching never races it. Returns the call's queue."""
        if agent_id not in self.routing.agents:
            raise UnknownAgentError(agent_id)
        res = await self._act("route", agent_id, call=call_id)
        return str(res.get("queue") or "")

    async def move_call(self, call_id: str, queue_id: str) -> str:
        """Move a waiting call to ``queue_id`` keeping its arrival (``call.moved``); the queue's
        domain must hold the call. Returns the new queue."""
        plan = self.routing.plans.get(queue_id)
        if plan is None:
            raise QueueMoveError(call_id, queue_id, "no such queue")
        res = await self._act("move", "", plan.domain, call=call_id, queue=queue_id)
        return str(res.get("queue") or "")

    async def state(self, agent_id: str) -> dict[str, str]:
        """The agent's live hash (state, reason, since, call ...)."""
        key = self.routing.keys(self.routing.agent_domain(agent_id)).agent(agent_id)
        data: dict[str, str] = await self.routing.client.hgetall(key)
        return data
