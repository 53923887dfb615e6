"""The Asterisk of the second run of real captures (files 16-25): its dialplan and its phones.

Pure module. That run used the project's ``extensions.conf`` as it was then: cc-connect dialled
``${CC_AGENT_ENDPOINT}`` (else ``PJSIP/<agent>``) for ``CC_RING_TIMEOUT_S`` = 15 s, and had no
explicit ``failed`` extension, so its agent pattern caught a failed Originate (capture 24). With
it came the test phones of ``sim-phones.conf`` and the test-only contexts of ``fx-tests.conf``
(``tests/fixtures/ami/real-asterisk/README.md``, "Second run"): ``fx-connect-xfer`` (Dial ``t``:
the agent leg may transfer), ``fx-connect-survey`` (Dial ``g``: the caller outlives the agent),
``fx-survey`` (``Read`` of one digit) and ``fx-customer`` (never answers). ``fx-queue`` runs
app_queue (capture 23), which the simulator does not model: left out.

No PJSIP phone is registered here: endpoint 1003 was a SIPp phone (capture 19, which needs a
real SIP stack), so every PJSIP dial fails at once as ``PJSIP/1002`` did in capture 18.
"""

from __future__ import annotations

from telephony.simulator.dialplan import (
    Dialplan,
    Render,
    Step,
    add_contract,
    agent_dial,
    recorded_customer_id,
)
from telephony.simulator.model import Channel
from telephony.simulator.phones import Device

DID_QUEUES = {"5000": "sales", "5001": "support", "5002": "complaints"}  # [globals] CC_DID_*
RING_TIMEOUT_S = 15
RAND_TALK_S = "6"  # ${RAND(4,8)} when AGENT_TALK is not set: the middle, to stay deterministic


def _or(var: str, default: str) -> Render:
    """``${IF($[${ISNULL(${VAR})}]?default:${VAR})}``."""
    return lambda ch: ch.var(var) or default


def _const(text: str) -> Render:
    return lambda ch: text


def dialplan() -> Dialplan:
    plan = Dialplan()
    add_contract(
        plan,
        DID_QUEUES,
        "sales",
        agent_dial(RING_TIMEOUT_S),
        failed_extension=False,
        cdr_userfield=False,
        survey=False,
        customer_id=recorded_customer_id,
    )
    _add_sim_phones(plan)
    _add_fx_contexts(plan)
    return plan


def phonebook(resource: str, role: str) -> Device | None:
    """``PJSIP/<resource>``: no contact registered for any endpoint (see the module docstring)."""
    return None


def _add_sim_phones(plan: Dialplan) -> None:
    """sim-phones.conf: 1002 and 1012 ring for ever; other agents ring ``SIM_RING`` s (2),
    answer, talk ``AGENT_TALK`` s, hang up; callers, customers and the supervisor."""
    plan.add(
        "sim-agent",
        "1002",
        Step("NoOp", lambda ch: f"sim agent {ch.exten} never answers"),
        Step("Ringing", _const("")),
        Step("Wait", _const("3600")),
        Step("Hangup", _const("")),
    )
    plan.add("sim-agent", "1012", Step("Goto", _const("1002,1")))

    def talk(ch: Channel) -> str:
        return f"T={ch.var('AGENT_TALK') or RAND_TALK_S}"

    plan.add(
        "sim-agent",
        "_X.",
        Step("NoOp", lambda ch: f"sim agent {ch.exten} answers"),
        Step("Ringing", _const("")),
        Step("Wait", _or("SIM_RING", "2")),
        Step("Answer", _const("")),
        Step("Set", talk),
        Step("NoOp", lambda ch: f"sim agent {ch.exten} talks {ch.var('T')}s"),
        Step("Wait", _or("T", "0")),
        Step("Hangup", _const("")),
    )
    plan.add(
        "sim-caller",
        "_X.",
        Step("NoOp", lambda ch: f"sim caller {ch.exten}"),
        Step("Answer", _const("")),
        Step("Wait", _or("CALLER_HOLDS", "3600")),
        Step("Hangup", _const("")),
    )
    plan.add("sim-customer", "_+X.", Step("Goto", lambda ch: f"{ch.exten[1:]},1"))
    plan.add(
        "sim-customer",
        "_X.",
        Step("NoOp", lambda ch: f"sim customer {ch.exten} answers"),
        Step("Ringing", _const("")),
        Step("Wait", _const("1")),
        Step("Answer", _const("")),
        Step("Wait", _or("CUST_TALK", "12")),
        Step("Hangup", _const("")),
    )
    plan.add(
        "sim-supervisor",
        "_X.",
        Step("NoOp", lambda ch: f"sim supervisor {ch.exten}"),
        Step("Answer", _const("")),
        Step("Wait", _const("3600")),
        Step("Hangup", _const("")),
    )


def _add_fx_contexts(plan: Dialplan) -> None:
    """fx-tests.conf, except fx-queue (app_queue)."""
    plan.add(
        "fx-connect-xfer",
        "_X.",
        Step("NoOp", lambda ch: f"FX connect with transfer rights {ch.name} to agent {ch.exten}"),
        Step("Set", lambda ch: f"CC_AGENT={ch.exten}"),
        Step("Dial", lambda ch: f"{ch.var('CC_AGENT_ENDPOINT')},{RING_TIMEOUT_S},t"),
        Step("NoOp", lambda ch: f"FX dial result {ch.var('DIALSTATUS')}"),
        Step("Hangup", _const("")),
    )
    plan.add(
        "fx-customer",
        "5550000",
        Step("NoOp", _const("FX customer never answers")),
        Step("Ringing", _const("")),
        Step("Wait", _const("3600")),
    )
    plan.add(
        "fx-connect-survey",
        "_X.",
        Step("NoOp", lambda ch: f"FX connect with survey {ch.name} to agent {ch.exten}"),
        Step("Set", lambda ch: f"CC_AGENT={ch.exten}"),
        Step("Dial", lambda ch: f"{ch.var('CC_AGENT_ENDPOINT')},{RING_TIMEOUT_S},g"),
        Step("NoOp", lambda ch: f"FX dial result {ch.var('DIALSTATUS')}"),
        Step("Wait", _const("30")),
        Step("Hangup", _const("")),
    )
    plan.add(
        "fx-survey",
        "s",
        Step("NoOp", lambda ch: f"FX survey {ch.name}"),
        Step("Read", _const("CC_SURVEY,beep,1,,1,10")),
        Step(
            "NoOp",
            lambda ch: f"FX survey answer {ch.var('CC_SURVEY')} status {ch.var('READSTATUS')}",
        ),
        Step("Hangup", _const("")),
    )
