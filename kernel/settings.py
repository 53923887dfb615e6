"""Settings: a TOML file plus ``CALLCENTER_*`` environment variables, validated at start-up.

The environment and the file contents are passed in (no hidden globals), values are cast and
checked by pydantic, and any problem raises ``SettingsError`` naming the field and the value, so
the ``callcenter`` command can stop with exit code 2 and one line instead of a traceback.

Precedence: environment variable > TOML file > default. The file path comes from ``--config`` or
``CALLCENTER_CONFIG``; without either, ``callcenter.toml`` in the working directory is read when
it exists.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from datetime import time as dt_time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from kernel.files import FileReadError, read_text
from kernel.messages import N_, ExplainedValueError
from kernel.vocabulary import LOCALES, ROLES

DEFAULT_CONFIG_FILE = "callcenter.toml"

# Environment variable -> dotted settings path.
ENV_FIELDS: dict[str, str] = {
    "CALLCENTER_REDIS_URL": "redis_url",
    "CALLCENTER_DB_URL": "db_url",
    "CALLCENTER_REDIS_PREFIX": "redis_prefix",
    "CALLCENTER_AMI_HOST": "ami.host",
    "CALLCENTER_AMI_PORT": "ami.port",
    "CALLCENTER_AMI_USERNAME": "ami.username",
    "CALLCENTER_AMI_SECRET": "ami.secret",
    "CALLCENTER_WEB_HOST": "web.host",
    "CALLCENTER_WEB_PORT": "web.port",
    "CALLCENTER_WEB_MONITORING": "web.monitoring",
    "CALLCENTER_WEB_MONITORING_TOKEN": "web.monitoring_token",
    "CALLCENTER_SECRET_KEY": "secret_key",
    "CALLCENTER_VAR_DIR": "var_dir",
    "CALLCENTER_LOG_LEVEL": "log_level",
    "CALLCENTER_ROUTING_DOMAIN": "routing.domain",
    "CALLCENTER_DEFAULT_REGION": "default_region",
    "CALLCENTER_WEBRTC_WS_URL": "webrtc.ws_url",
    "CALLCENTER_WEBRTC_SECRET": "webrtc.secret",
}


SECRET_FIELDS = frozenset({"secret", "auth_secret", "credential"})
"""Settings whose values an error message never shows."""


class SettingsError(Exception):
    """An invalid setting: ``field`` is the dotted name, ``value`` what was given."""

    def __init__(self, field: str, value: object, message: str) -> None:
        self.field = field
        self.value = value
        self.message = message
        super().__init__(f"invalid setting {field}={value!r}: {message}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AmiSettings(_Model):
    """Where the bridge finds Asterisk (or the PBX simulator). No host: no bridge."""

    host: str | None = None
    port: int = Field(5038, ge=1, le=65535)
    username: str = "callcenter"
    secret: str = "callcenter"
    # Dialplan contract (DESIGN section 5; config/asterisk/extensions.conf).
    inbound_context: str = "cc-inbound"
    hold_context: str = "cc-hold"
    connect_context: str = "cc-connect"
    announce_context: str = "cc-announce"
    supervisor_endpoint: str = "PJSIP/9000"
    originate_timeout_s: int = Field(30, ge=1, le=600)
    reconnect_max_s: float = Field(30.0, gt=0)
    # Bridge (telephony/bridge.py): hold parks both parties here; outbound dial string template.
    onhold_context: str = "cc-onhold"
    # a blind transfer to an outside number: BlindTransfer of the agent's leg to <this>/<number>,
    # which dials ${CC_TRANSFER_DIAL} (outbound_channel for the number, set by the bridge)
    transfer_context: str = "cc-transfer-out"
    survey_context: str = "cc-survey"  # where the survey's events come from (call.surveyed)
    outbound_channel: str = "PJSIP/{number}@trunk"
    outbound_caller_id: str = '"Call Center" <5000>'
    action_timeout_s: float = Field(10.0, gt=0)
    # Answer from the dashboard: PJSIPNotify with this Event header to the agent's endpoint; the
    # phone must allow it (Yealink, Polycom, Snom, Grandstream: "talk"; e.g. Cisco SPA "answer").
    answer_event: str = Field("talk", min_length=1)
    # Asterisk's CDR as cdr_csv writes it (Master.csv, on the bridge's host; the sample
    # config/asterisk/cdr.conf): after a gap the bridge records the calls it missed from it.
    cdr_csv: Path | None = None
    # the bridge's name in the commands' consumer group; default bridge-<hostname> (see
    # ``outbound.consumer``: one live process per name)
    consumer: str | None = Field(None, min_length=1, max_length=64)


class WebSettings(_Model):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    # Secure cookies: None = when the request came over HTTPS (TLS here, or X-Forwarded-Proto
    # https from a trusted proxy); true = always; false = never.
    secure_cookies: bool | None = None
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses or networks (CIDR) of reverse proxies whose X-Forwarded-Proto is "
        "believed",
    )
    # Who may read /metrics and /healthz (web/ops/monitoring.py): local, token or open.
    monitoring: Literal["local", "token", "open"] = "local"
    monitoring_token: str | None = Field(None, min_length=16)
    session_ttl_h: float = Field(12.0, gt=0, le=24 * 30)
    login_window_s: int = Field(900, ge=1, description="window of the login failure limits")
    # web.session.ratelimit: a (user, address) pair, a user from anywhere, and an address for
    # user names never signed in from it (password spraying) each have their own limit.
    login_failures_per_user_address: int = Field(5, ge=1)
    login_failures_per_user: int = Field(20, ge=1)
    login_failures_per_address: int = Field(20, ge=1)
    ws_queue_size: int = Field(1000, ge=10, description="per WebSocket client, before resync")
    stats_every_ms: int = Field(1000, ge=100, le=60_000, description="wallboard figures push")
    ws_session_check_s: float = Field(
        5.0, gt=0, le=300, description="how often open WebSockets' sessions are checked"
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="origins besides the site's own (the request's Host) that may open /ws, "
        "e.g. https://cc.example.com behind a proxy that rewrites Host",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        for net in v:
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError as exc:
                raise ValueError(f"not an address or network: {net!r}") from exc
        return v

    @model_validator(mode="after")
    def _token(self) -> WebSettings:
        if self.monitoring == "token" and not self.monitoring_token:
            raise _RefError("web.monitoring_token", None, "required when web.monitoring is token")
        return self


class StoreSettings(_Model):
    batch_size: int = Field(500, ge=1, le=100_000)
    batch_wait_ms: int = Field(200, ge=0, le=60_000)
    consumer_group: str = "store-writer"
    # this writer's name in the group; default store-writer-<hostname> (see outbound.consumer)
    consumer: str | None = Field(None, min_length=1, max_length=64)


ROUTER_REASONS = ("rona", "unreachable")
"""Not-ready reasons the router gives by itself: the phone rang out (``rona``), or could not be
dialled at all (``unreachable``: not registered, congestion, busy)."""


class RoutingSettings(_Model):
    domain: str = Field("default", pattern=r"^[A-Za-z0-9_.-]+$")
    offer_lease_s: float = Field(5.0, gt=0)
    consumer_group: str = "router"
    # this router's name in the group; default router-<hostname> (``callcenter router
    # --consumer NAME`` for several on one host; see outbound.consumer)
    consumer: str | None = Field(None, min_length=1, max_length=64)
    tick_ms: int = Field(50, ge=5, le=5000, description="how often due timers are looked at")
    agent_domains: dict[str, str] = Field(
        default_factory=dict, description="agent id -> routing domain (default: domain)"
    )
    default_handle_s: float = Field(180.0, gt=0, description="handle time before any is known")
    publish_in_script: bool = Field(
        True,
        description="single Redis only (ignored on a Redis Cluster): the routing scripts append "
        "their events and commands to the streams themselves, in the same atomic step, instead "
        "of leaving them in the domain's outbox for the router to publish (no round trip, no "
        "effects sent back and forth)",
    )
    not_ready_reasons: list[str] = Field(
        ["break", "lunch", "training", "meeting", "rona", "unreachable"],
        description="reasons an agent may be not ready for; rona and unreachable are the "
        "router's own (ROUTER_REASONS) and no person picks them",
    )

    @property
    def pickable_reasons(self) -> list[str]:
        """The not-ready reasons a person may choose (the agent's and supervisor's pickers)."""
        return [r for r in self.not_ready_reasons if r not in ROUTER_REASONS]

    dispositions: list[str] = [
        "resolved",
        "information",
        "complaint",
        "follow_up",
        "sale",
        "wrong_number",
    ]


_SKILL_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class SkillConfig(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str | None = None


class EscalationStep(_Model):
    after: int = Field(ge=0, description="seconds waited before this step applies")
    min_level: int | None = Field(None, ge=1, le=10)
    overflow: list[str] = []
    extra_skills: dict[str, int] = {}

    @field_validator("extra_skills")
    @classmethod
    def _levels(cls, v: dict[str, int]) -> dict[str, int]:
        return QueueConfig._levels(v)


class QueueConfig(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str | None = Field(None, max_length=200)  # the store's column
    skills: dict[str, int] = Field(default_factory=dict, description="skill id -> minimum level")
    priority: int = Field(0, ge=0, le=100)
    sl_target_pct: float = Field(80.0, gt=0, le=100)
    sl_target_s: int = Field(20, ge=1)
    ring_timeout_s: int = Field(15, ge=1, le=300)
    wrap_up_s: int = Field(30, ge=0, le=3600)
    strategy: Literal["longest_idle", "most_skilled", "round_robin"] = "longest_idle"
    escalation: list[EscalationStep] = []
    abandon_counts_against_sl: bool = True
    short_abandon_s: int = Field(5, ge=0)
    announce_every_s: int = Field(0, ge=0, description="0 disables position announcements")
    survey: bool = Field(
        False,
        description="a caller whose agent hangs up first is asked for a score 1-5 (cc-survey)",
    )
    did: list[str] = []
    # calls of this queue are recorded (MixMonitor on connect, notice first: [recording])
    record: bool = False
    retention_days: int | None = Field(
        None, ge=1, description="days a recording is kept (default recording.retention_days)"
    )
    domain: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.-]+$", description="routing domain (default routing.domain)"
    )

    @field_validator("skills")
    @classmethod
    def _levels(cls, v: dict[str, int]) -> dict[str, int]:
        for skill, level in v.items():
            if not _SKILL_ID.fullmatch(skill):
                raise ExplainedValueError(
                    N_("skill id %(skill)r: 1-64 letters, digits and _.- only"), {"skill": skill}
                )
            if not 1 <= level <= 10:
                raise ExplainedValueError(
                    N_("level of skill %(skill)r must be 1-10, got %(level)s"),
                    {"skill": skill, "level": level},
                )
        return v


ENDPOINT = r"^[A-Za-z]+/[^,&|()\s]+$"


class AgentConfig(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str | None = Field(None, max_length=200)  # lengths: the store's columns
    # Asterisk dial string (default PJSIP/<id>): TECH/resource, expanded in the dialplan's Dial(),
    # so nothing that would end or add to Dial's arguments (, & | parentheses, blanks)
    endpoint: str | None = Field(None, max_length=200, pattern=ENDPOINT)
    team: str | None = Field(None, max_length=64)
    skills: dict[str, int] = {}
    # "device": a desk phone or softphone app (Answer by PJSIPNotify); "webrtc": the browser
    # phone in the agent's desk (SIP over WebSocket, [webrtc]).
    phone: Literal["device", "webrtc"] = "device"

    @field_validator("skills")
    @classmethod
    def _levels(cls, v: dict[str, int]) -> dict[str, int]:
        return QueueConfig._levels(v)

    @property
    def dial_string(self) -> str:
        return self.endpoint or f"PJSIP/{self.id}"

    @property
    def sip_user(self) -> str | None:
        """The PJSIP endpoint a browser phone registers as (``PJSIP/<name>``), else None."""
        m = _PJSIP_ENDPOINT.match(self.dial_string)
        return m.group(1) if m else None


_PJSIP_ENDPOINT = re.compile(r"^PJSIP/([A-Za-z0-9_.-]+)$")
WebrtcCodec = Literal["opus", "G722", "PCMU", "PCMA"]
"""Audio codecs both Chromium and Asterisk speak (opus needs Asterisk's codec_opus module)."""


def _long_secret(v: SecretStr | None) -> SecretStr | None:
    if v is not None and len(v.get_secret_value()) < 16:
        raise ValueError("at least 16 characters")
    return v


class IceServerConfig(_Model):
    """A STUN or TURN server handed to the browser phone. A TURN server takes a fixed
    ``username`` and ``credential``, or ``auth_secret``: coturn's ``static-auth-secret`` (its
    TURN REST API), from which each agent gets its own credential valid ``credential_ttl_s``."""

    urls: list[str] = Field(min_length=1)
    username: str | None = None
    credential: SecretStr | None = None
    auth_secret: SecretStr | None = None
    credential_ttl_s: int = Field(86_400, ge=60, le=7 * 86_400)

    @field_validator("auth_secret")
    @classmethod
    def _auth_secret(cls, v: SecretStr | None) -> SecretStr | None:
        return _long_secret(v)

    @field_validator("urls")
    @classmethod
    def _schemes(cls, v: list[str]) -> list[str]:
        for url in v:
            if not url.startswith(("stun:", "stuns:", "turn:", "turns:")):
                raise ValueError(f"{url!r}: must start with stun:, stuns:, turn: or turns:")
        return v

    @model_validator(mode="after")
    def _credentials(self) -> IceServerConfig:
        fixed = self.username is not None or self.credential is not None
        if fixed and (self.username is None or self.credential is None):
            raise ValueError("username and credential go together")
        if fixed and self.auth_secret is not None:
            raise ValueError("either username and credential, or auth_secret, not both")
        turn = any(u.startswith("turn") for u in self.urls)
        if turn and not fixed and self.auth_secret is None:
            raise ValueError("a TURN server needs username and credential, or auth_secret")
        return self


class DiallingSettings(_Model):
    """Outside numbers the desk may dial by hand or transfer a call to, as E.164 prefixes per
    role (``outbound.dialling``), against toll fraud: a role not listed dials none; ``"+"``
    allows every number."""

    allowed_prefixes: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("allowed_prefixes")
    @classmethod
    def _prefixes(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for role, prefixes in v.items():
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
            for prefix in prefixes:
                if not re.fullmatch(r"\+[0-9]{0,15}", prefix):
                    raise ValueError(f"{role}: {prefix!r} is not an E.164 prefix like '+86'")
        return v


class WebrtcSettings(_Model):
    """The browser phone of agents with ``phone = "webrtc"``: SIP over WebSocket to Asterisk.

    Each agent's SIP password is derived from ``secret`` (HMAC-SHA256 of the endpoint name), so
    nothing per agent is stored and ``callcenter phone pjsip`` writes the matching pjsip.conf."""

    ws_url: str | None = None  # e.g. wss://pbx.example:8089/ws; None: no PBX for browser phones
    sip_domain: str | None = Field(None, pattern=r"^[A-Za-z0-9.-]+$")  # default: ws_url's host
    secret: SecretStr | None = None
    ice_servers: list[IceServerConfig] = []
    codecs: list[WebrtcCodec] = Field(
        ["opus", "PCMU", "PCMA"], min_length=1, description="in order of preference"
    )
    dtmf: Literal["rfc2833", "info"] = "rfc2833"
    register_expires_s: int = Field(300, ge=60, le=3600)
    reconnect_min_s: int = Field(2, ge=1, le=60)  # the WebSocket's reconnection back-off
    reconnect_max_s: int = Field(30, ge=1, le=600)

    @field_validator("secret")
    @classmethod
    def _secret(cls, v: SecretStr | None) -> SecretStr | None:
        return _long_secret(v)

    @field_validator("ws_url")
    @classmethod
    def _ws_url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        parts = urlsplit(v)
        if parts.scheme not in {"ws", "wss"} or not parts.hostname:
            raise ValueError("must be a ws:// or wss:// URL with a host")
        return v

    @model_validator(mode="after")
    def _complete(self) -> WebrtcSettings:
        if self.ws_url and not self.secret:
            raise _RefError("webrtc.secret", None, "required when webrtc.ws_url is set")
        if self.reconnect_min_s > self.reconnect_max_s:
            raise _RefError("webrtc.reconnect_min_s", self.reconnect_min_s, "above reconnect_max_s")
        return self

    @property
    def domain(self) -> str | None:
        """The domain of the agents' SIP URIs: ``sip_domain``, else the WebSocket's host."""
        return self.sip_domain or (urlsplit(self.ws_url).hostname if self.ws_url else None)


class KpiRuleConfig(_Model):
    """One KPI of a scorecard: scored linearly from ``floor`` (0) to ``target`` (100), capped.

    Lower is better when ``floor > target`` (handle time, hold, transfer rate)."""

    kpi: Literal[
        "calls_handled",
        "answer_rate_pct",
        "aht_s",
        "hold_s",
        "acw_s",
        "qa_score",
        "adherence_pct",
        "fcr_pct",
        "transfer_rate_pct",
        "callback_pct",
        "csat_pct",
    ]
    target: float
    floor: float
    weight: float = Field(gt=0)

    @model_validator(mode="after")
    def _span(self) -> KpiRuleConfig:
        if self.target == self.floor:
            raise ValueError(f"{self.kpi}: target and floor must differ")
        return self


class ScorecardRoleConfig(_Model):
    """The KPIs of one role; ``scope = "team"`` computes them over the whole team (team leads)."""

    scope: Literal["own", "team"] = "own"
    kpis: list[KpiRuleConfig] = Field(min_length=1)


class QaSettings(_Model):
    """Quality: the form file, sampling rules and scorecard rules (empty: qa.scorecard defaults)."""

    form: Path | None = None  # None: the shipped qa/forms/default.<locale>.toml
    sample_per_agent: int | None = Field(5, ge=1)
    sample_percent: float | None = Field(None, gt=0, le=100)
    sample_strata: list[Literal["queue_id", "direction", "outcome", "disposition"]] = [
        "queue_id",
        "outcome",
        "disposition",
    ]
    always_dispositions: list[str] = ["complaint"]
    short_talk_s: float | None = Field(30.0, ge=0)
    long_talk_s: float | None = Field(900.0, gt=0)
    always_transfers: bool = True
    fcr_window_days: int = Field(7, ge=1, le=90)
    # a handled call shorter than this (talk + hold + wrap-up, s) is not real handling: the
    # scorecard's aht_s leaves it out (and says how many it left out)
    min_handle_s: float = Field(10.0, ge=0, le=600)
    callback_dispositions: list[str] = ["follow_up"]
    callback_window_h: float = Field(24.0, gt=0)
    team_leads: list[str] = []  # agent ids whose scorecard uses the "team_lead" role
    scorecard: dict[str, ScorecardRoleConfig] = {}


_DURATION = r"^[0-9]+(\.[0-9]+)?[mhd]$"


class ComplaintSeverityConfig(_Model):
    """Deadlines of one severity: ``"30m"``, ``"2h"``, ``"3d"`` (a day is one working day, i.e.
    ``work_end - work_start`` of working time, when ``business_hours`` is on; else 24 h)."""

    acknowledge: str = Field(pattern=_DURATION)
    resolve: str = Field(pattern=_DURATION)


class ComplaintsSettings(_Model):
    """Complaint tickets: categories, per-severity deadlines, the working time they count in."""

    # machine ids; the pages show their labels (质量投诉 / 服务投诉 / 其他: the manuals' 000 6.4.2
    # quality complaints about the product, 6.4.3 service complaints about how we served)
    categories: list[str] = Field(default=["quality", "service", "other"], min_length=1)
    severities: dict[str, ComplaintSeverityConfig] = Field(
        default_factory=lambda: {
            "low": ComplaintSeverityConfig(acknowledge="8h", resolve="5d"),
            "medium": ComplaintSeverityConfig(acknowledge="4h", resolve="3d"),
            "high": ComplaintSeverityConfig(acknowledge="2h", resolve="1d"),
            "critical": ComplaintSeverityConfig(acknowledge="30m", resolve="8h"),
        },
        min_length=1,
    )
    business_hours: bool = True  # count deadlines in working time (else clock time)
    timezone: str | None = None  # of the working time; default: settings.timezone
    work_days: list[int] = Field(default=[1, 2, 3, 4, 5], min_length=1)  # ISO weekdays
    work_start: dt_time = dt_time(9, 0)
    work_end: dt_time = dt_time(18, 0)
    holidays: list[date] = []
    overdue_check_s: float = Field(60.0, gt=0)

    @field_validator("work_days")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        for d in v:
            if not 1 <= d <= 7:
                raise ExplainedValueError(N_("ISO weekday must be 1-7, got %(day)s"), {"day": d})
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        return _check_timezone(v)

    @model_validator(mode="after")
    def _hours(self) -> ComplaintsSettings:
        if self.work_start >= self.work_end:
            raise _RefError("complaints.work_end", str(self.work_end), "must be after work_start")
        return self


class RecordingSettings(_Model):
    """Where recordings go. ``asterisk_dir`` is the folder as Asterisk sees it (MixMonitor's
    ``File``; a relative one would land in Asterisk's own monitor folder); ``folder`` is the same
    files as the platform reads them (default ``<var_dir>/recordings``); ``url_template`` (with
    ``{file}``) when Asterisk is on another host and serves them itself: the platform then cannot
    purge them."""

    asterisk_dir: str = Field("/var/spool/asterisk/monitor/callcenter", pattern=r"^/")
    folder: Path | None = None
    url_template: str | None = Field(None, pattern=r"^https?://.*\{file\}")
    retention_days: int = Field(90, ge=1)
    purge_every_s: float = Field(3600.0, gt=0, description="the automatic purge (demo)")


class OutboundSettings(_Model):
    """Return visits and callbacks: when they are placed, retried, and which queue serves them."""

    queue: str | None = None  # whose skills and agents serve outbound tasks; default: first queue
    return_visit_window_h: float = Field(24.0, gt=0)
    return_visit_delay_min: float = Field(0.0, ge=0)  # not sooner than this after the trigger
    retry_delay_min: float = Field(30.0, ge=0)  # after no answer / busy
    max_attempts: int = Field(3, ge=1, le=20)
    # Allowed calling hours of customers who have none of their own (their local time).
    call_from: dt_time = dt_time(9, 0)
    call_until: dt_time = dt_time(20, 0)
    call_days: list[int] = Field(default=[1, 2, 3, 4, 5, 6, 7], min_length=1)
    poll_s: float = Field(1.0, gt=0)
    stale_s: float = Field(300.0, gt=0)  # a dialled task without news this long is looked at
    consumer_group: str = "outbound"
    # this scheduler's name in the group; default outbound-<hostname> (name each one to run
    # several on one host: a restarted scheduler must find its own pending entries, and a name
    # held by a live process stops a second one with exit code 2)
    consumer: str | None = Field(None, min_length=1, max_length=64)

    @field_validator("call_days")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        return ComplaintsSettings._days(v)


def _check_timezone(v: str | None) -> str | None:
    if v is None:
        return v
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ExplainedValueError(N_("unknown time zone %(zone)r"), {"zone": v}) from exc
    return v


class OpeningHoursSettings(_Model):
    """The centre's opening hours (its ``timezone``): the wallboard's day chart spans them
    (widened to any interval that had calls outside them)."""

    opens: dt_time = dt_time(8, 0)
    closes: dt_time = dt_time(20, 0)

    @model_validator(mode="after")
    def _order(self) -> OpeningHoursSettings:
        if self.opens >= self.closes:
            raise ExplainedValueError(
                N_("closes %(closes)s must be after opens %(opens)s"),
                {"closes": self.closes, "opens": self.opens},
            )
        return self


class Settings(_Model):
    redis_url: str | None = None
    db_url: str | None = None
    redis_prefix: str = Field("cc", pattern=r"^[A-Za-z0-9_.:-]+$")
    var_dir: Path = Path("var")
    secret_key: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    default_region: str = Field("CN", pattern=r"^[A-Z]{2}$")
    timezone: str = "UTC"
    opening_hours: OpeningHoursSettings = OpeningHoursSettings()
    # The centre's default language (a user's own choice, then Accept-Language, come first).
    locale: str = "en"
    ami: AmiSettings = AmiSettings()
    web: WebSettings = WebSettings()
    store: StoreSettings = StoreSettings()
    routing: RoutingSettings = RoutingSettings()
    skills: list[SkillConfig] = []
    queues: list[QueueConfig] = []
    agents: list[AgentConfig] = []
    qa: QaSettings = QaSettings()
    complaints: ComplaintsSettings = ComplaintsSettings()
    outbound: OutboundSettings = OutboundSettings()
    webrtc: WebrtcSettings = WebrtcSettings()
    dialling: DiallingSettings = DiallingSettings()
    recording: RecordingSettings = RecordingSettings()

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        parts = urlsplit(v)
        if parts.scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("scheme must be redis://, rediss:// or unix://")
        if parts.scheme != "unix" and not parts.hostname:
            raise ValueError("host missing")
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError as exc:
            raise ValueError(f"bad port: {exc}") from exc
        return v

    @field_validator("locale")
    @classmethod
    def _locale(cls, v: str) -> str:
        if v not in LOCALES:
            raise ValueError(f"must be one of {', '.join(LOCALES)}")
        return v

    @field_validator("db_url")
    @classmethod
    def _db_url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        scheme = urlsplit(v).scheme
        if not scheme.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return v

    @model_validator(mode="after")
    def _references(self) -> Settings:
        skill_ids = {s.id for s in self.skills}
        queue_ids = {q.id for q in self.queues}
        for i, q in enumerate(self.queues):
            for skill in q.skills:
                if skill_ids and skill not in skill_ids:
                    raise _RefError(f"queues.{i}.skills", skill, "unknown skill")
            for j, step in enumerate(q.escalation):
                for o in step.overflow:
                    if o not in queue_ids:
                        raise _RefError(f"queues.{i}.escalation.{j}.overflow", o, "unknown queue")
        for i, a in enumerate(self.agents):
            for skill in a.skills:
                if skill_ids and skill not in skill_ids:
                    raise _RefError(f"agents.{i}.skills", skill, "unknown skill")
            if a.phone == "webrtc" and a.sip_user is None:
                raise _RefError(
                    f"agents.{i}.endpoint", a.endpoint, "a browser phone is dialled as PJSIP/<name>"
                )
        return self

    # Derived locations of the embedded defaults.
    @property
    def sqlite_path(self) -> Path:
        return self.var_dir / "callcenter.sqlite3"

    @property
    def effective_db_url(self) -> str:
        """The database URL in its async-driver form (aiosqlite / asyncpg)."""
        url = self.db_url or f"sqlite:///{self.sqlite_path.resolve()}"
        return async_db_url(url)

    @property
    def recordings_folder(self) -> Path:
        return self.recording.folder or self.var_dir / "recordings"

    @property
    def redis_socket(self) -> Path:
        return self.var_dir / "redis.sock"


class _RefError(ValueError):
    def __init__(self, field: str, value: object, message: str) -> None:
        self.field, self.value, self.message = field, value, message
        super().__init__(message)


def async_db_url(url: str) -> str:
    """``sqlite://…`` → ``sqlite+aiosqlite://…``, ``postgresql://…`` → ``postgresql+asyncpg://…``."""
    scheme, sep, rest = url.partition("://")
    if scheme in {"sqlite", "sqlite+aiosqlite"}:
        return f"sqlite+aiosqlite{sep}{rest}"
    if scheme in {"postgresql", "postgres", "postgresql+asyncpg", "postgresql+psycopg"}:
        return f"postgresql+asyncpg{sep}{rest}"
    return url


def _set_dotted(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = target
    for p in parents:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise SettingsError(dotted, value, f"{p} is not a table")
    node[leaf] = value


def _get_dotted(data: Any, loc: tuple[Any, ...]) -> Any:
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def load_settings(env: Mapping[str, str], config_path: str | Path | None = None) -> Settings:
    """Read the TOML file (if any) and the environment; raise ``SettingsError`` on any problem."""
    path = config_path or env.get("CALLCENTER_CONFIG") or None  # an empty variable is unset
    data: dict[str, Any] = {}
    if path is not None or Path(DEFAULT_CONFIG_FILE).exists():
        file = Path(path or DEFAULT_CONFIG_FILE)
        try:
            data = tomllib.loads(read_text(file))
        except FileReadError as exc:
            where = f"line {exc.line}, column {exc.column}: " if exc.line is not None else ""
            raise SettingsError("config", str(file), where + exc.message) from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError("config", str(file), f"not valid TOML: {exc}") from exc
        except RecursionError:
            raise SettingsError("config", str(file), "not valid TOML: nested too deep") from None
    for var, dotted in ENV_FIELDS.items():
        if var in env and env[var] != "":
            _set_dotted(data, dotted, env[var])
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, _RefError):
            raise SettingsError(ctx_error.field, ctx_error.value, ctx_error.message) from None
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "settings"
        value = err.get("input") if err["type"] != "missing" else None
        if value is None:
            value = _get_dotted(data, loc)
        if loc and str(loc[-1]) in SECRET_FIELDS:
            value = "(hidden)"  # an error message must not print a secret
        msg = err["msg"].removeprefix("Value error, ")
        raise SettingsError(field, value, msg) from None
