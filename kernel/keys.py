"""Every Redis key and stream name of the platform, built in one place.

``StreamNames``: the streams every process shares (events, commands) and what hangs off them
(dead letters, consumer-name locks), and the status keys (events written, the bridge's
connection). ``DomainKeys``: the router's keys. Then the keys of customer work, telephony, the
web and what-if runs, each a function of the prefix. ``prefix`` isolates tests and tenants.

Router keys
-----------
All keys of a routing domain share the prefix ``<prefix>:{<domain>}`` whose ``{domain}`` is a
Redis Cluster hash tag, so one domain lives in one slot and every Lua script touches one domain.
The Lua scripts receive that base (``ARGV[1]``) and append the same suffixes as below (``key(...)``
in ``lib.lua``); keep the two in step.

==========================  ======  =========================================================
key (after the base)        type    content
==========================  ======  =========================================================
``:agent:<agent_id>``       hash    state, reason, since, ready_at, call, queue, elig
                                    (JSON ``[queue, step, level_sum, strategy, steps, ...]``,
                                    ``rules.encode_eligibility``), skills,
                                    wrap_until, talk_from, seq, idx (1: in the ready sets)
``:agents``                 set     logged-in agents
``:call:<call_id>``         hash    queue, prio, score, arrived, step, state (waiting, offered,
                                    connected, ended; callback: a caller whose callback
                                    ``<call_id>-cb`` took its place), agent, offers, number
                                    (outbound work), origin (a callback's caller), live (its
                                    customer is on the line), tier, customer, caller (the
                                    caller's number as it arrived), fails, ann
``:wait:<queue>:<step>``    zset    waiting calls at that escalation step, score = priority
                                    then arrival (``rules.waiting_score``)
``:ready:<queue>:<step>``   zset    ready agents who may take calls of ``queue`` from ``step``
                                    on, score per the queue's strategy (``rules.agent_score``);
                                    an agent who takes a waiting call the moment it becomes
                                    ready is never added
``:inq:<queue>``            zset    calls in the queue (waiting or offered), score = arrival ms
``:qagents:<queue>``        hash    state -> number of agents who serve the queue (from its
                                    first step: escalation-only agents are not counted)
``:rr:<queue>``             hash    agent -> last offer from the queue (round robin)
``:stats:<queue>``          hash    ``<metric>@d<day>`` and ``<metric>@m<minute>`` counters
``:qconf``                  hash    queue -> JSON of what the scripts need of its settings
``:timers``                 zset    ``esc|call``, ``ring|call|offer``, ``wrap|agent``,
                                    ``ann|call`` -> due ms
``:outbox``                 zset    outbox entry -> lease expiry ms (effects not yet published;
                                    with ``routing.publish_in_script`` only the few that Python
                                    completes, the scripts publish the others themselves)
``:outboxd``                hash    outbox entry -> its effects (``effects.split`` reads them)
``:seq``                    string  outbox entry counter
``:statgc``                 string  minute of the last clean-up of ``:stats:*``
==========================  ======  =========================================================
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StreamNames:
    """The streams and status keys every process shares."""

    prefix: str = "cc"

    @property
    def events(self) -> str:
        return f"{self.prefix}:events"

    @property
    def commands(self) -> str:
        return f"{self.prefix}:commands"

    @property
    def dead_events(self) -> str:
        """Entries of the events stream that are not valid events, with the reason."""
        return f"{self.events}:dead"

    @property
    def events_written(self) -> str:
        """Counter of events the store writer has written (read by /metrics)."""
        return f"{self.prefix}:store:events_written"

    @property
    def config_version(self) -> str:
        """String changed (a new random token) whenever the administration pages change the
        routing configuration in the store; routers and web workers reload it when it differs
        from what they last saw (a Redis that lost it reads as a change too)."""
        return f"{self.prefix}:config:version"

    @property
    def bridge_status(self) -> str:
        """Hash with the AMI bridge's ``connected`` flag "1"/"0" (read by /healthz, /metrics)."""
        return f"{self.prefix}:bridge"


def consumer_lock(stream: str, group: str, consumer: str) -> str:
    """String held by the one live process reading ``stream`` in ``group`` as ``consumer``."""
    return f"{stream}:consumer-lock:{group}:{consumer}"


@dataclass(frozen=True, slots=True)
class DomainKeys:
    """Keys of one routing domain under one prefix."""

    prefix: str
    domain: str

    @property
    def base(self) -> str:
        return f"{self.prefix}:{{{self.domain}}}"

    def _k(self, *parts: object) -> str:
        return ":".join([self.base, *(str(p) for p in parts)])

    def agent(self, agent_id: str) -> str:
        return self._k("agent", agent_id)

    @property
    def agents(self) -> str:
        return self._k("agents")

    def call(self, call_id: str) -> str:
        return self._k("call", call_id)

    def waiting(self, queue_id: str, step: int) -> str:
        return self._k("wait", queue_id, step)

    def ready(self, queue_id: str, step: int) -> str:
        return self._k("ready", queue_id, step)

    def in_queue(self, queue_id: str) -> str:
        return self._k("inq", queue_id)

    def queue_agents(self, queue_id: str) -> str:
        return self._k("qagents", queue_id)

    def round_robin(self, queue_id: str) -> str:
        return self._k("rr", queue_id)

    def stats(self, queue_id: str) -> str:
        return self._k("stats", queue_id)

    @property
    def queue_config(self) -> str:
        return self._k("qconf")

    @property
    def timers(self) -> str:
        return self._k("timers")

    @property
    def outbox(self) -> str:
        return self._k("outbox")

    @property
    def outbox_data(self) -> str:
        return self._k("outboxd")


# --- customer work: not per routing domain -----------------------------------------------------


def customer_phones(prefix: str) -> str:
    """Hash: E.164 number -> ``customer_id|tier`` (the caller index ``customers.caller_index``
    keeps)."""
    return f"{prefix}:customers:phones"


# --- telephony, web, what-if ----------------------------------------------------------------


def last_heard(prefix: str, source: str) -> str:
    """String: epoch seconds the bridge last heard Asterisk ``source`` (``telephony.reconciler``)."""
    return f"{prefix}:telephony:heard:{source}"


def login_failures(prefix: str, username: str, address: str) -> tuple[str, str, str]:
    """Counters of failed sign-ins (``web.session.ratelimit``): by user name (lower case, at most
    64 characters), by (user name, address), by address."""
    user = username.lower()[:64]
    return (
        f"{prefix}:web:loginfail:user:{user}",
        f"{prefix}:web:loginfail:pair:{user}:{address}",
        f"{prefix}:web:loginfail:addr:{address}",
    )


def login_addresses(prefix: str, username: str) -> str:
    """Set: the addresses with a (user name, address) failure counter, so an unlock finds them."""
    return f"{prefix}:web:loginfail:addrs:{username.lower()[:64]}"


def login_known(prefix: str, username: str, address: str) -> str:
    """String: this user name signed in from this address lately (spared the address limit)."""
    return f"{prefix}:web:loginok:{username.lower()[:64]}:{address}"


def planner_history(prefix: str, username: str) -> str:
    """String: the history CSV a planner uploaded (kept a week)."""
    return f"{prefix}:planner:{username}:history"


def agent_messages(prefix: str, agent_id: str) -> str:
    """Hash: message id -> JSON of a supervisor's message the agent has not acknowledged yet
    (``web/messages``)."""
    return f"{prefix}:messages:{agent_id}"


def wrap_up_draft(prefix: str, agent_id: str, call_id: str) -> str:
    """String: JSON of the wrap-up form an agent is typing for a call (``queueing.wrap_drafts``)."""
    return f"{prefix}:wrapdraft:{agent_id}:{call_id}"


def whatif_prefix(prefix: str, run: str) -> str:
    """The prefix of one what-if run's keys (``<prefix>-whatif-<run>``), deleted after it."""
    return f"{prefix}-whatif-{run}"


def recording_play(prefix: str, token: str) -> str:
    """A playback session of a recording (``web.qa.recordings``): ``<user>|<call id>``, expiring."""
    return f"{prefix}:recording-play:{token}"
