"""Which agent action is allowed from which state. Pure; the Lua action script checks the
agent's current state against these sets atomically with the change.

States: logged_out, not_ready (with a reason), ready, offered, on_call, wrap_up. The router moves
agents between offered, on_call and wrap_up on its own; agents act only as below.
"""

from __future__ import annotations

from kernel.events import AGENT_STATES

ALLOWED_FROM: dict[str, frozenset[str]] = {
    "login": frozenset({"logged_out"}),
    "ready": frozenset({"not_ready", "wrap_up", "ready"}),
    "not_ready": frozenset({"ready", "not_ready", "wrap_up"}),
    "end_wrap_up": frozenset({"wrap_up"}),
    "extend_wrap_up": frozenset({"wrap_up"}),
    "logout": frozenset({"ready", "not_ready", "wrap_up"}),
    "dial": frozenset({"not_ready"}),  # a manual dial: Ready waits for its call
    "callback": frozenset(AGENT_STATES),
    "reindex": frozenset(AGENT_STATES) - {"logged_out"},  # skills or queue settings changed
    "route": frozenset({"ready"}),  # a supervisor's call to a chosen agent
    "move": frozenset(AGENT_STATES),  # a waiting call to another queue (no agent involved)
}


def allowed(action: str, state: str) -> bool:
    return state in ALLOWED_FROM[action]
