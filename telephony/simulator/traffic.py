"""Traffic for the PBX simulator: a scenario (TOML or built-in) and the seeded generator.

Pure module. Per queue: a DID (the dialplan sets ``CC_QUEUE`` from it), an arrival rate (flat
calls per hour or a 24-value daily curve, Poisson), caller patience (an unconnected caller hangs
up: abandon), talk and wrap-up times, the share of key-account / VIP callers (numbers the
customers table can match). Agents are PJSIP-style phones that answer after a ring delay and
sometimes never (offer timeouts); outbound customers answer, are busy, do not answer or hit
congestion. Everything random comes from one ``random.Random(seed)``: same seed, same calls.
"""

from __future__ import annotations

import math
import random
import tomllib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from telephony.errors import TelephonyError
from telephony.simulator.apps import PLAYBACK_S
from telephony.simulator.dialplan import Dialplan, add_local_agent, contract_dialplan
from telephony.simulator.dtmf import key_pressed
from telephony.simulator.phones import Device

if TYPE_CHECKING:
    from kernel.settings import Settings
    from telephony.simulator.engine import Engine
    from telephony.simulator.model import Channel


class ScenarioError(TelephonyError):
    """A scenario file is invalid: ``field`` is the dotted name of the bad value."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"scenario {field}: {message}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dist(_Model):
    """A non-negative random duration in seconds."""

    kind: Literal["fixed", "exponential", "uniform", "lognormal", "normal"] = "fixed"
    mean: float = Field(0.0, ge=0)
    sd: float = Field(0.0, ge=0)
    low: float = Field(0.0, ge=0)
    high: float = Field(0.0, ge=0)

    def sample(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            return self.mean
        if self.kind == "exponential":
            return rng.expovariate(1 / self.mean) if self.mean > 0 else 0.0
        if self.kind == "uniform":
            return rng.uniform(self.low, max(self.low, self.high))
        if self.kind == "normal":
            return max(0.0, rng.gauss(self.mean, self.sd))
        # lognormal with the given mean and sd of the variable itself
        if self.mean <= 0:
            return 0.0
        sigma2 = math.log(1 + (self.sd / self.mean) ** 2)
        mu = math.log(self.mean) - sigma2 / 2
        return rng.lognormvariate(mu, math.sqrt(sigma2))


class QueueTraffic(_Model):
    queue: str
    did: str = Field(pattern=r"^[0-9]+$")
    calls_per_hour: float = Field(60.0, ge=0)
    daily_curve: list[float] | None = Field(None, description="24 hourly rates (calls per hour)")
    patience_s: Dist = Dist(kind="exponential", mean=120)
    talk_s: Dist = Dist(kind="lognormal", mean=180, sd=90)
    wrap_up_s: Dist = Dist(kind="uniform", low=10, high=40)
    key_account_share: float = Field(0.15, ge=0, le=1)
    vip_share: float = Field(0.05, ge=0, le=1)
    caller_ends_share: float = Field(0.6, ge=0, le=1, description="share of calls the caller ends")
    record: bool = False  # the queue records: its callers hear the recording notice first
    # the post-call survey (a queue with survey = true): how callers answer it
    survey_scores: list[float] = Field(
        [5, 5, 15, 35, 40], description="relative weights of the keys 1-5 a surveyed caller presses"
    )
    survey_skip_p: float = Field(0.1, ge=0, le=1, description="share of callers pressing no key")

    @model_validator(mode="after")
    def _curve(self) -> QueueTraffic:
        if self.daily_curve is not None:
            if len(self.daily_curve) != 24:
                raise ValueError(f"daily_curve needs 24 hourly rates, got {len(self.daily_curve)}")
            if any(r < 0 for r in self.daily_curve):
                raise ValueError("daily_curve rates must be >= 0")
        if self.key_account_share + self.vip_share > 1:
            raise ValueError("key_account_share + vip_share must be <= 1")
        if len(self.survey_scores) != 5 or any(w < 0 for w in self.survey_scores):
            raise ValueError("survey_scores needs 5 weights >= 0 (keys 1-5)")
        if not sum(self.survey_scores) > 0:
            raise ValueError("survey_scores: at least one weight must be > 0")
        return self

    def survey_key(self, rng: random.Random) -> str | None:
        """The key a surveyed caller presses, or None (no key: the survey times out)."""
        if rng.random() < self.survey_skip_p:
            return None
        return str(rng.choices(range(1, 6), weights=self.survey_scores)[0])

    def hourly_rates(self) -> list[float]:
        return (
            list(self.daily_curve) if self.daily_curve is not None else [self.calls_per_hour] * 24
        )


class AgentPhone(_Model):
    agent_id: str
    endpoint: str = ""  # PJSIP/<agent_id> when empty
    answer_delay_s: Dist = Dist(kind="uniform", low=1, high=4)
    no_answer_p: float = Field(0.05, ge=0, le=1)
    hold_p: float = Field(0.1, ge=0, le=1)
    hold_s: Dist = Dist(kind="uniform", low=5, high=30)
    # False: the phone rings until answered from the dashboard (PJSIPNotify Event: talk) or the
    # router's ring timeout: an agent played by a person.
    auto_answer: bool = True
    # False: the endpoint is configured but no phone is registered to it: a Dial of it fails at
    # once (DIALSTATUS CHANUNAVAIL, no channel, no Dial event), as capture 18 shows
    registered: bool = True

    @property
    def dial_string(self) -> str:
        return self.endpoint or f"PJSIP/{self.agent_id}"


class OutboundProfile(_Model):
    answer_p: float = Field(0.7, ge=0, le=1)
    busy_p: float = Field(0.1, ge=0, le=1)
    noanswer_p: float = Field(0.15, ge=0, le=1)
    congestion_p: float = Field(0.05, ge=0, le=1)
    ring_s: Dist = Dist(kind="uniform", low=2, high=12)
    talk_s: Dist = Dist(kind="lognormal", mean=150, sd=60)

    @model_validator(mode="after")
    def _sum(self) -> OutboundProfile:
        total = self.answer_p + self.busy_p + self.noanswer_p + self.congestion_p
        if not 0.999 <= total <= 1.001:
            raise ValueError(
                f"answer_p + busy_p + noanswer_p + congestion_p must be 1, got {total}"
            )
        return self


# Numbers with a fixed behaviour, as in the real-Asterisk captures' sim-customer context.
FIXED_CUSTOMERS: dict[str, Literal["busy", "congestion", "noanswer"]] = {
    "5550486": "busy",
    "5550503": "congestion",
    "5550000": "noanswer",
}

SURVEY_CONTEXT = "cc-survey"  # the dialplan's survey (Read of one key)
SURVEY_KEY_MS = 250  # how long a caller holds a key (capture 25's PlayDTMF)

CALLER_NAMES = ("Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy")


SHIPPED_ATXFER_CODE = "*2"  # config/asterisk/features.conf [featuremap] atxfer


class Scenario(_Model):
    seed: int = 1
    trunk: str = Field("trunk", pattern=r"^[A-Za-z0-9_-]+$")
    start_hour: float = Field(9.0, ge=0, lt=24, description="simulated time of day at start")
    default_queue: str = ""
    queues: list[QueueTraffic] = []
    agents: list[AgentPhone] = []
    supervisors: list[str] = ["9000"]
    outbound: OutboundProfile = OutboundProfile()
    key_account_numbers: list[str] = []
    vip_numbers: list[str] = []
    caller_names: list[str] = Field(
        list(CALLER_NAMES), min_length=1, description="callers' caller ID names, picked at random"
    )
    unknown_endpoints_answer: bool = Field(
        True, description="a PJSIP endpoint not listed in agents behaves like a default agent phone"
    )
    atxfer_code: str | None = Field(
        None,  # the built-in scenario (``default``) has the shipped features.conf's
        pattern=r"^[0-9*#]{1,8}$",
        description="features.conf [featuremap] atxfer (none, as in stock Asterisk): the code a "
        "leg dialled with Dial option t keys for an attended transfer, and what AMI Atxfer sends",
    )

    @classmethod
    def default(cls, settings: Settings | None = None) -> Scenario:
        """Built-in scenario; queues (with their DIDs) and agents from the settings when present."""
        queues: list[QueueTraffic] = []
        agents: list[AgentPhone] = []
        if settings is not None:
            for q in settings.queues:
                for did in q.did:
                    queues.append(
                        QueueTraffic(queue=q.id, did=did, calls_per_hour=40, record=q.record)
                    )
            agents = [AgentPhone(agent_id=a.id, endpoint=a.dial_string) for a in settings.agents]
        if not queues:
            queues = [
                QueueTraffic(queue="sales", did="5000", calls_per_hour=90),
                QueueTraffic(queue="support", did="5001", calls_per_hour=120),
                QueueTraffic(queue="complaints", did="5002", calls_per_hour=20),
            ]
        if not agents:
            agents = [AgentPhone(agent_id=str(n)) for n in range(1001, 1011)]
        return cls(
            queues=queues,
            agents=agents,
            key_account_numbers=[f"+86138000000{n:02d}" for n in range(1, 21)],
            vip_numbers=[f"+86139000000{n:02d}" for n in range(1, 6)],
            atxfer_code=SHIPPED_ATXFER_CODE,  # the demo runs with config/asterisk/features.conf
        )

    @classmethod
    def from_toml(cls, text: str, source: str = "scenario") -> Scenario:
        """Parse a scenario file's text (the caller reads the file: no I/O here)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError(source, str(exc)) from exc
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: dict[str, object]) -> Scenario:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "scenario"
            raise ScenarioError(field, err["msg"]) from exc


def next_arrival_s(
    now_s: float, start_hour: float, hourly_rates: Sequence[float], u: float
) -> float | None:
    """Next arrival of a Poisson process whose rate is constant within each hour of the day.

    ``u`` in (0, 1] is the uniform draw (inverse transform of the unit exponential). Returns None
    when every rate is zero.
    """
    if not any(r > 0 for r in hourly_rates):
        return None
    need = -math.log(u)
    t = now_s
    for _ in range(24 * 400):
        clock_s = (start_hour * 3600 + t) % 86400
        hour = int(clock_s // 3600)
        seg_s = 3600 - (clock_s - hour * 3600)
        rate_per_s = hourly_rates[hour] / 3600
        if rate_per_s > 0 and need <= rate_per_s * seg_s:
            return t + need / rate_per_s
        need -= rate_per_s * seg_s
        t += seg_s
    return None


class Traffic:
    """Generates calls into an ``Engine`` and draws the behaviour of every simulated phone."""

    def __init__(self, scenario: Scenario, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.rng = random.Random(self.seed)
        self.agents = {a.dial_string.partition("/")[2]: a for a in scenario.agents}
        self.by_queue = {q.queue: q for q in scenario.queues}
        self.arrivals = 0

    def dialplan(self) -> Dialplan:
        did_queues = {q.did: q.queue for q in self.scenario.queues}
        default = self.scenario.default_queue or (
            self.scenario.queues[0].queue if self.scenario.queues else "default"
        )
        recorded = frozenset(q.queue for q in self.scenario.queues if q.record)
        plan = contract_dialplan(did_queues, default, recorded_queues=recorded)
        for agent in self.scenario.agents:
            tech, _, resource = agent.dial_string.partition("/")
            exten, _, context = resource.split("/")[0].partition("@")
            if tech == "Local" and context and not plan.exists(context, exten):
                add_local_agent(plan, context, exten, agent.answer_delay_s.mean or 2.0)
        return plan

    def attach(self, engine: Engine, arrivals: bool = True) -> None:
        """Drive ``engine``'s phones (talk, hold, wrap-up) and, with ``arrivals``, generate calls."""
        engine.listeners.append(self._on_channel)
        if arrivals:
            for q in self.scenario.queues:
                self._schedule_arrival(engine, q)

    def _schedule_arrival(self, engine: Engine, q: QueueTraffic) -> None:
        at = next_arrival_s(
            engine.now_s, self.scenario.start_hour, q.hourly_rates(), 1.0 - self.rng.random()
        )
        if at is not None:
            engine.schedule(at - engine.now_s, self._arrive, engine, q)

    def _arrive(self, engine: Engine, q: QueueTraffic) -> None:
        self.arrivals += 1
        number = self._caller_number(q)
        name = self.rng.choice(self.scenario.caller_names)
        device = Device(
            kind="caller", label=q.queue, cid_name=name, patience_s=q.patience_s.sample(self.rng)
        )
        engine.inbound_call(q.did, number, name, device)
        self._schedule_arrival(engine, q)

    def _caller_number(self, q: QueueTraffic) -> str:
        x = self.rng.random()
        if x < q.vip_share and self.scenario.vip_numbers:
            return self.rng.choice(self.scenario.vip_numbers)
        if x < q.vip_share + q.key_account_share and self.scenario.key_account_numbers:
            return self.rng.choice(self.scenario.key_account_numbers)
        return f"+86{self.rng.choice((130, 131, 132, 135, 136, 137, 150, 151, 186, 188))}{self.rng.randrange(10**8):08d}"

    def endpoint_known(self, endpoint: str) -> bool:
        """Whether ``PJSIP/<endpoint>`` is configured (agents, supervisors; any when the scenario
        lets unknown endpoints answer)."""
        return (
            endpoint in self.agents
            or endpoint in self.scenario.supervisors
            or self.scenario.unknown_endpoints_answer
        )

    def phonebook(self, resource: str, role: str) -> Device | None:
        """The Device behind ``PJSIP/<resource>``: an agent, a supervisor or a customer."""
        endpoint, _, host = resource.partition("@")
        if (
            host
            or role == "originate"
            and endpoint not in self.agents
            and endpoint not in self.scenario.supervisors
        ):
            return self._customer(endpoint)
        if endpoint in self.scenario.supervisors:
            return Device(
                kind="supervisor",
                label=endpoint,
                outcome="answer",
                ring_after_s=0.2,
                answer_after_s=1.0,
            )
        agent = self.agents.get(endpoint)
        if agent is None:
            if not self.scenario.unknown_endpoints_answer:
                return None
            agent = AgentPhone(agent_id=endpoint)
        if not agent.registered:
            return None
        answers = self.rng.random() >= agent.no_answer_p
        device = Device(
            kind="agent",
            label=agent.agent_id,
            outcome="answer" if answers else "noanswer",
            ring_after_s=0.1,
            answer_after_s=agent.answer_delay_s.sample(self.rng),
            auto_answer=agent.auto_answer,
        )
        if not agent.auto_answer:
            device.outcome = "answer"  # a person decides, from the dashboard
            return device
        if self.rng.random() < agent.hold_p:
            device.hold_for_s = agent.hold_s.sample(self.rng)
            device.hold_after_s = 0.0  # set relative to the talk time when bridged
        return device

    def _customer(self, number: str) -> Device:
        fixed = FIXED_CUSTOMERS.get(number)
        p = self.scenario.outbound
        if fixed is None:
            x = self.rng.random()
            if x < p.answer_p:
                fixed_outcome = "answer"
            elif x < p.answer_p + p.busy_p:
                fixed_outcome = "busy"
            elif x < p.answer_p + p.busy_p + p.noanswer_p:
                fixed_outcome = "noanswer"
            else:
                fixed_outcome = "congestion"
        else:
            fixed_outcome = fixed
        return Device(
            kind="customer",
            label=number,
            outcome=fixed_outcome,  # type: ignore[arg-type]
            ring_after_s=0.5,
            answer_after_s=p.ring_s.sample(self.rng),
        )

    def _on_channel(self, engine: Engine, what: str, ch: Channel) -> None:
        """When a caller/customer is bridged with an agent: who ends the call, and when; when a
        caller is asked for a survey score: which key it presses."""
        if what == "reading":
            self._answer_survey(engine, ch)
            return
        if what != "bridged" or ch.device is None or ch.bridge is None:
            return
        others = [m for m in ch.bridge.members if m is not ch]
        if not others:
            return
        agent_ch = next(
            (m for m in [ch, *others] if m.device is not None and m.device.kind == "agent"), None
        )
        party = next(
            (
                m
                for m in [ch, *others]
                if m.device is not None and m.device.kind in ("caller", "customer")
            ),
            None,
        )
        if (
            agent_ch is None
            or party is None
            or ch not in (agent_ch, party)
            or len(ch.bridge.members) < 2
        ):
            return
        assert agent_ch.device is not None and party.device is not None
        if party.device.talk_drawn:
            return
        party.device.talk_drawn = True
        if party.device.kind == "caller":
            q = self.by_queue.get(party.var("CC_QUEUE")) or self.by_queue.get(party.device.label)
            talk_s = (q.talk_s if q else Dist(kind="fixed", mean=180)).sample(self.rng)
            ends_share = q.caller_ends_share if q else 0.5
            wrap = (q.wrap_up_s if q else Dist(kind="fixed", mean=20)).sample(self.rng)
        else:
            talk_s = self.scenario.outbound.talk_s.sample(self.rng)
            ends_share = 0.5
            wrap = 20.0
        if not agent_ch.device.auto_answer:
            # a person plays the agent: they hang up, hold and wrap up from the dashboard; the
            # simulated caller still ends the call some time if they do not
            engine.hangup_after(party, talk_s)
            return
        ender = party if self.rng.random() < ends_share else agent_ch
        engine.hangup_after(ender, talk_s)
        agent_ch.device.wrap_up_s = wrap
        agent_ch.device.disposition = self.rng.choice(
            ("resolved", "resolved", "follow_up", "escalated")
        )
        if agent_ch.device.hold_for_s > 0 and talk_s > 10:
            engine.hold_after(
                agent_ch,
                self.rng.uniform(2, talk_s / 2),
                min(agent_ch.device.hold_for_s, talk_s / 3),
            )

    def _answer_survey(self, engine: Engine, ch: Channel) -> None:
        """A simulated caller in the survey presses a key after the question (or none)."""
        if ch.device is None or ch.device.kind != "caller" or ch.context != SURVEY_CONTEXT:
            return
        q = self.by_queue.get(ch.var("CC_QUEUE")) or self.by_queue.get(ch.device.label)
        key = (q or QueueTraffic(queue="", did="0")).survey_key(self.rng)
        if key is not None:
            delay_s = PLAYBACK_S + self.rng.uniform(0.5, 4.0)
            engine.later(ch, delay_s, key_pressed, engine, ch, key, SURVEY_KEY_MS)
