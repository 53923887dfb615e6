"""The AMI bridge: Asterisk (or the PBX simulator) <-> the Redis streams. All the I/O lives here.

* One AMI session at a time on panoramisk's ``Manager``, with our framing underneath
  (``_Protocol``: a ``FrameReader`` accepts LF as well as CRLF and keeps header order, repeated
  keys and UTF-8 cut across reads, and drops a frame over 1 MiB (logged with its first bytes)
  to resume at the next one; panoramisk keeps its job of matching responses to actions).
* Every frame received and every action sent goes through the pure translator, in wire order;
  the domain events it returns are appended to ``<prefix>:events`` in that order.
* After each login the bridge asks for ``Status`` with the ``CC_*`` variables: the translator
  publishes what was missed while disconnected (calls that arrived or were answered) with the ids
  the live events would have had, so the store's idempotence removes duplicates; then the
  reconcile (``telephony.reconciler``, rules in ``telephony.reconcile``) ends the calls the
  platform believes live that Asterisk no longer has, records the gap, backfills from the CDR.
  While a session is up the bridge notes every second that it hears Asterisk (the gap's start
  for the next login, even after a SIGKILL).
* Connection problems: a refused login (Asterisk 22 closes the socket right after the error) is
  logged once as an error until a login succeeds again, whatever other failures come in between;
  every failure waits a capped exponential back-off before the next try, reset by a good session.
  Callbacks of an abandoned connection attempt (a timed-out login) are ignored.
* Timeouts use ``asyncio.timeout``, never ``asyncio.wait_for``: on Python 3.11 ``wait_for``
  swallows a cancellation that arrives together with the awaited result, and a bridge that
  ignores its cancellation never stops (the hang that once made the 200-call test time out).
  For the same reason every Redis call in a loop is followed by ``still_running()``: redis-py
  8.1 returns normally from a command whose task was cancelled while it waited for the reply.
* Commands (``<prefix>:commands``) are read in a consumer group (``kernel.stream_consumer``:
  the bridge's own pending commands first, under a stable name), turned into AMI actions by
  ``telephony.actions.plan`` once logged in, and acknowledged once Asterisk answered; the
  outcome is published as ``command.succeeded`` / ``command.failed``. A command carried out
  whose acknowledgement Redis lost is not carried out again.
* Redis away: the publisher keeps its batch and the events behind it and writes them once Redis
  answers; the command reader waits too. The AMI session goes on meanwhile.
* Redis back without its data (the command group is gone): the bridge does what a restarted
  bridge does, forgetting the calls it had in memory and asking Asterisk again, so that every
  caller still waiting is queued again (original arrival time and ids) and the reconcile ends
  the store's open calls Asterisk no longer has. Agents log in again: their states went with
  Redis's data.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis
from panoramisk import actions as pm_actions
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.manager import Manager
from panoramisk.message import Message
from redis.typing import EncodableT, FieldT
from sqlalchemy.ext.asyncio import AsyncEngine

from customers.caller_index import lookup_caller
from kernel import liveness
from kernel.cancellation import still_running
from kernel.commands import Command, CommandError
from kernel.events import DomainEvent, make_event_id
from kernel.keys import StreamNames
from kernel.settings import Settings
from kernel.stream_consumer import (
    StreamConsumer,
    default_consumer_name,
    redis_unavailable,
    stream_entry,
    waiting_out,
)
from store.db import database_unavailable
from telephony import recording
from telephony.actions import ActionConfig, plan
from telephony.ami_frames import Frame, FrameError, FrameReader, format_frame
from telephony.call_controls import success_events
from telephony.errors import (
    AmiActionError,
    AmiLoginError,
    OversizedFrameError,
    TelephonyError,
)
from telephony.reconcile import Plan
from telephony.reconciler import Reconciler
from telephony.translator import (
    SNAPSHOT_VARIABLES,
    TranslatorConfig,
    TranslatorState,
    new_state,
    translate,
)

log = logging.getLogger(__name__)

COMMAND_GROUP = "telephony-bridge"
PUBLISH_BATCH = 500
PRIVATE_COMMANDS = frozenset({"dtmf"})  # deleted from the stream once carried out
HEARD_EVERY_S = 1.0


def backoff_delays(initial_s: float, cap_s: float) -> Iterator[float]:
    """0.5, 1, 2, 4 ... capped at ``cap_s``: the waits between connection attempts."""
    delay = initial_s
    while True:
        yield min(delay, cap_s)
        delay = min(delay * 2, cap_s)


def frame_to_message(frame: Frame) -> Message:
    """A panoramisk ``Message`` (repeated keys as a list, as panoramisk does) for its futures."""
    headers: dict[str, Any] = {}
    for key, value in frame.pairs:
        if key in headers:
            old = headers[key]
            headers[key] = [*old, value] if isinstance(old, list) else [old, value]
        else:
            headers[key] = value
    return Message(headers)


def _action_pairs(action: pm_actions.Action) -> list[tuple[str, str]]:
    """Action first, ActionID second, the rest in insertion order; lists become repeats."""
    pairs: list[tuple[str, str]] = [
        ("Action", str(action["Action"])),
        ("ActionID", str(action.action_id)),
    ]
    for key, value in action.items():
        if key.lower() in ("action", "actionid"):
            continue
        for v in value if isinstance(value, list | tuple) else (value,):
            pairs.append((key, str(v)))
    return pairs


class _Protocol(AMIProtocol):
    """panoramisk's protocol with our framing (bytes in, ordered frames out) and our encoder.

    It knows its manager from the start: the banner can arrive before panoramisk's
    ``Manager.connection_made`` callback has set ``factory``.
    """

    factory: _Manager

    def __init__(self, manager: _Manager) -> None:
        super().__init__()
        self.manager = manager

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._reader = FrameReader()

    def data_received(self, data: bytes) -> None:
        frames, errors = self._reader.feed(data)
        manager = self.manager
        if not manager.current:
            return  # an abandoned attempt: its frames belong to no session of ours
        bridge = manager.bridge
        for error in errors:
            bridge.on_bad_frame(error)
        for frame in frames:
            if frame.banner is not None:
                self.version = frame.banner.partition("/")[2]
                continue
            bridge.on_frame(frame)
            if (frame.event or frame.response) and self.factory is not None:
                self.handle_message(frame_to_message(frame))

    def send(self, data: Any, as_list: bool | None = False) -> asyncio.Future[Any]:
        action = data if isinstance(data, pm_actions.Action) else pm_actions.Action(data)
        action.as_list = as_list
        frame = Frame(_action_pairs(action))
        raw = format_frame(frame)  # FrameError before anything is registered or written
        self.responses[action.id] = action
        self.transport.write(raw)
        self.manager.bridge.on_sent(frame)
        return action.future


class _Manager(Manager):
    """panoramisk's Manager; connection outcomes go to the bridge instead of its fixed retry."""

    pinger: asyncio.TimerHandle | None  # panoramisk's keep-alive Ping (set in its __init__)

    def __init__(self, bridge: Bridge, **config: Any) -> None:
        super().__init__(protocol_factory=lambda: _Protocol(self), **config)
        self.bridge = bridge

    @property
    def current(self) -> bool:
        """This manager is the bridge's current session (not an abandoned attempt)."""
        return self.bridge._manager is self

    def connection_made(self, f: asyncio.Future[Any]) -> None:
        if f.cancelled() or f.exception() is not None:
            if self.current:
                self.bridge._session_failed(f.exception() or ConnectionError("cancelled"))
            return
        if not self.current:  # the attempt was given up (login timeout, bridge stopping)
            transport, _ = f.result()
            transport.close()
            return
        super().connection_made(f)

    def login(self, future: asyncio.Future[Any]) -> bool:
        if future.cancelled() or future.exception() is not None:
            return False
        ok = bool(super().login(future))
        if self.current:
            self.bridge._login_done(future.result())
        return ok

    def connection_lost(self, exc: Exception | None) -> None:
        self._connected = False
        if self.pinger:
            self.pinger.cancel()
            self.pinger = None
        while self.awaiting_actions:  # never re-send an action on the next connection
            action = self.awaiting_actions.popleft()
            if not action.future.done():
                action.future.set_exception(
                    AmiActionError(str(action["Action"]), "connection lost before the response")
                )
        if self.current:
            self.bridge._session_failed(exc or ConnectionError("connection closed by the server"))


class Bridge:
    """One bridge process: AMI session, translator, event publisher, command executor."""

    def __init__(
        self,
        settings: Settings,
        redis: aioredis.Redis,
        *,
        initial_backoff_s: float = 0.5,
        consumer: str | None = None,
        engine: AsyncEngine | None = None,
    ) -> None:
        ami = settings.ami
        if not ami.host:
            raise TelephonyError("ami.host: not set, the bridge has nothing to connect to")
        self.settings = settings
        self.ami = ami
        self.redis = redis
        self.streams = StreamNames(settings.redis_prefix)
        self.initial_backoff_s = initial_backoff_s
        # a test's or a tool's bridge gets a name of its own; the piece passes a stable one
        self.consumer = consumer or f"bridge-{socket.gethostname()}-{uuid.uuid4().hex[:6]}"
        self.health = liveness.current("bridge")
        self.state: TranslatorState = new_state(
            TranslatorConfig(
                inbound_context=ami.inbound_context,
                hold_context=ami.hold_context,
                connect_context=ami.connect_context,
                transfer_context=ami.transfer_context,
                survey_context=ami.survey_context,
            )
        )
        self.action_config = ActionConfig(
            hold_context=ami.hold_context,
            connect_context=ami.connect_context,
            announce_context=ami.announce_context,
            onhold_context=ami.onhold_context,
            transfer_context=ami.transfer_context,
            supervisor_endpoint=ami.supervisor_endpoint,
            answer_event=ami.answer_event,
            outbound_channel=ami.outbound_channel,
            outbound_caller_id=ami.outbound_caller_id,
            originate_timeout_s=ami.originate_timeout_s,
            agent_endpoints={a.id: a.dial_string for a in settings.agents},
            survey_queues=frozenset(q.id for q in settings.queues if q.survey),
        )
        self.recording_policy = recording_policy(settings)
        self.recorder = recording.RecorderState()
        self._recording_tasks: set[asyncio.Task[None]] = set()
        self.reconciler = Reconciler(settings, redis, engine, f"{ami.host}:{ami.port}")
        self.last_plan: Plan | None = None  # the last login's reconcile (tests, bench)
        self.reconciled_s: float | None = None  # login to reconciled state, the last session
        self._ended_live: set[str] = set()  # calls ended by live events this session
        self.outbox: asyncio.Queue[DomainEvent] = asyncio.Queue()
        self.connected = asyncio.Event()  # logged in and resynchronised
        self.sessions = 0  # successful logins, for tests and logs
        self.frames_in = 0
        self.events_out = 0
        self.bad_frames = 0
        self._manager: _Manager | None = None
        self._session_end: asyncio.Future[BaseException] | None = None
        self._login_result: asyncio.Future[Message] | None = None
        self._logged: set[str] = set()
        # commands carried out but maybe not acknowledged (Redis went away): never twice
        self._executed: OrderedDict[str, None] = OrderedDict()
        self.commands = StreamConsumer(
            redis,
            self.streams.commands,
            COMMAND_GROUP,
            self.consumer,
            self._execute_entries,
            batch=1,  # each command acknowledged once carried out
            block_ms=1000,
            health=self.health,
            named_by="ami.consumer",
            on_group_lost=self._redis_lost,
        )
        self.redis_losses = 0  # times Redis came back without its data (tests, logs)

    # --- callbacks from the protocol (synchronous, in wire order) -----------------------------

    def on_frame(self, frame: Frame) -> None:
        self.frames_in += 1
        if frame.event is None and frame.response is None:
            self._log_once(
                "frame-kind", "AMI frame neither event nor response, skipped: %r", frame.keys()[:5]
            )
            return
        self._apply(frame)

    def on_sent(self, frame: Frame) -> None:
        self._apply(frame)

    def on_bad_frame(self, error: FrameError) -> None:
        self.bad_frames += 1
        if isinstance(error, OversizedFrameError):  # rare by nature: each one is logged
            log.warning("AMI %s:%s: %s", self.ami.host, self.ami.port, error)
            return
        self._log_once(
            f"bad:{error.reason[:30]}",
            "malformed AMI frame skipped on %s:%s: %s",
            self.ami.host,
            self.ami.port,
            error,
        )

    def _apply(self, frame: Frame) -> None:
        try:
            self.state, events = translate(self.state, frame, datetime.now(UTC))
        except Exception:  # a translator bug must not take the session down: log, skip
            self._log_once(
                f"translate:{frame.event}",
                "frame %s could not be translated",
                frame.event or frame.action,
                exc_info=True,
            )
            return
        for event in events:
            if event.type in ("call.ended", "call.failed") and event.call_id:
                self._ended_live.add(event.call_id)
            self.outbox.put_nowait(event)
        self._record(frame, events)

    def _record(self, frame: Frame, events: list[DomainEvent]) -> None:
        """Recording: MixMonitor for a recorded call just connected, its events published."""
        self.recorder, more, actions = recording.step(
            self.recorder, self.state, frame, events, datetime.now(UTC), self.recording_policy
        )
        for event in more:
            if event.type == "call.recording_stopped":
                event = self._with_size(event)
            self.outbox.put_nowait(event)
        for pairs in actions:
            task = asyncio.get_running_loop().create_task(self._start_recording(pairs))
            self._recording_tasks.add(task)
            task.add_done_callback(self._recording_tasks.discard)

    def _with_size(self, event: DomainEvent) -> DomainEvent:
        """The file's size when the platform's folder has it already (Asterisk on this host or
        the simulator; else playback fills it in later)."""
        try:
            size = (self.settings.recordings_folder / str(event.payload["file"])).stat().st_size
        except OSError:
            return event
        return replace(event, payload={**event.payload, "size_bytes": size})

    async def _start_recording(self, pairs: list[tuple[str, str]]) -> None:
        """A refused MixMonitor is logged (the call goes on unrecorded), never raised."""
        channel = dict(pairs).get("Channel")
        try:
            await self.send_action(pairs, action_id=f"record-{uuid.uuid4().hex[:12]}")
        except (TelephonyError, FrameError, TimeoutError) as exc:
            log.warning("recording of %s not started: %s", channel, exc)

    def _log_once(self, key: str, msg: str, *args: Any, exc_info: bool = False) -> None:
        if key in self._logged:
            return
        self._logged.add(key)
        log.warning(msg, *args, exc_info=exc_info)

    # --- callbacks from the manager -----------------------------------------------------------

    def _session_failed(self, exc: BaseException) -> None:
        self.connected.clear()
        if self._login_result is not None and not self._login_result.done():
            self._login_result.set_exception(
                exc if isinstance(exc, Exception) else ConnectionError(str(exc))
            )
        if self._session_end is not None and not self._session_end.done():
            self._session_end.set_result(exc)

    def _login_done(self, response: Message) -> None:
        if self._login_result is not None and not self._login_result.done():
            self._login_result.set_result(response)

    # --- the pieces ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Run until cancelled: AMI session (with reconnects), publisher, command executor."""
        async with asyncio.TaskGroup() as tg:
            tg.create_task(self._publish_forever(), name="bridge-publisher")
            tg.create_task(self.commands.run(), name="bridge-commands")
            tg.create_task(self._connect_forever(), name="bridge-ami")

    async def _connect_forever(self) -> None:
        delays = backoff_delays(self.initial_backoff_s, self.ami.reconnect_max_s)
        where = f"{self.ami.host}:{self.ami.port}"
        logged: set[str] = set()  # failure kinds reported since the last good login
        while True:
            sessions = self.sessions
            try:
                await self._session()
            except AmiLoginError as exc:
                if "login" not in logged:
                    log.error(
                        "%s (AMI %s); retrying with back-off, not logging this again", exc, where
                    )
                logged.add("login")
            except (OSError, ConnectionError, AmiActionError, TimeoutError) as exc:
                if "connect" not in logged:
                    log.warning(
                        "AMI %s unreachable or lost: %s; reconnecting with back-off", where, exc
                    )
                logged.add("connect")
            finally:
                self._close()
                await self._set_status({"connected": "0"})
            if self.sessions > sessions:  # this attempt logged in: start afresh
                logged.clear()
                delays = backoff_delays(self.initial_backoff_s, self.ami.reconnect_max_s)
            await asyncio.sleep(next(delays))

    def _close(self) -> None:
        self.connected.clear()
        manager, self._manager = self._manager, None
        if manager is None:
            return
        manager.close()
        while manager.awaiting_actions:  # in flight when we closed: fail now, never re-send
            action = manager.awaiting_actions.popleft()
            if not action.future.done():
                action.future.set_exception(
                    AmiActionError(str(action["Action"]), "AMI session closed")
                )

    async def _session(self) -> None:
        """One AMI session: connect, log in, resynchronise, serve until the connection drops."""
        loop = asyncio.get_running_loop()
        self._session_end = loop.create_future()
        self._login_result = loop.create_future()
        manager = _Manager(
            self,
            host=self.ami.host,
            port=self.ami.port,
            username=self.ami.username,
            secret=self.ami.secret,
            loop=loop,
            ping_delay=10,
            ping_interval=10,
            # never re-sent on a new connection, so panoramisk never logs them while it queues
            # them (a PlayDTMF's digit may be a PIN)
            forgetable_actions=("ping", "login", "playdtmf"),
        )
        self._manager = manager
        self._ended_live = set()
        manager.connect()
        async with asyncio.timeout(self.ami.action_timeout_s):
            response = await self._login_result
        if not response.success:
            raise AmiLoginError(self.ami.username, response.message or "login refused")
        login_at = datetime.now(UTC)
        logged_in = loop.time()
        self.sessions += 1
        log.info(
            "AMI logged in to %s:%s as %s (session %d)",
            self.ami.host,
            self.ami.port,
            self.ami.username,
            self.sessions,
        )
        await self.resync()
        # Redis or the database away: waited out (the session's events wait in the outbox)
        reconcile = functools.partial(self.reconcile, login_at)
        await waiting_out("reconcile", reconcile, self.health, database_unavailable)
        self.reconciled_s = loop.time() - logged_in
        self.connected.set()
        await self._set_status(
            {
                "connected": "1",
                "host": f"{self.ami.host}:{self.ami.port}",
                "sessions": self.sessions,
            }
        )
        heard = asyncio.create_task(self._hear_forever(), name="bridge-heard")
        try:
            exc = await self._session_end
        finally:
            heard.cancel()
            await asyncio.gather(heard, return_exceptions=True)
        await self.reconciler.heard_now()  # heard up to the end of the session
        log.warning(
            "AMI session %d to %s:%s ended: %s", self.sessions, self.ami.host, self.ami.port, exc
        )
        raise ConnectionError(str(exc) or "connection lost")

    async def _hear_forever(self) -> None:
        while True:
            await self.reconciler.heard_now()
            await asyncio.sleep(HEARD_EVERY_S)

    async def reconcile(self, login_at: datetime) -> Plan:
        """After the snapshot: end what Asterisk no longer has, record the gap, backfill."""
        vanished = self.state.vanished
        self.state = replace(self.state, vanished=())
        present = self.state.present_ids() | self._ended_live
        try:
            result = await self.reconciler.run(vanished, present, login_at)
        except BaseException:
            self.state = replace(self.state, vanished=(*vanished, *self.state.vanished))
            raise
        for event in result.events:
            self.outbox.put_nowait(event)
        await self.published()  # in the stream before the gap is closed: a bridge killed now
        await self.reconciler.heard_now()  # reconciles the same gap again at its next login
        self.last_plan = result
        return result

    def _forget_calls(self) -> None:
        self.state = new_state(self.state.config)
        self._ended_live = set()

    async def _redis_lost(self) -> None:
        """Redis came back empty: the router lost its queues, so the calls are learnt again
        from Asterisk as after a restart (see the module docstring)."""
        self.redis_losses += 1
        self._forget_calls()
        if not self.connected.is_set():
            log.error("bridge %s: Redis lost its data; the next AMI login queues the callers "
                      "Asterisk still has", self.consumer)  # fmt: skip
            return
        log.error("bridge %s: Redis lost its data; asking Asterisk for the live calls to queue "
                  "the waiting callers again", self.consumer)  # fmt: skip
        try:
            await self.resync()
        except (AmiActionError, TimeoutError) as exc:
            log.warning("bridge %s: resync after Redis lost its data failed (%s); the AMI "
                        "session is started again", self.consumer, exc)  # fmt: skip
            self._session_failed(exc)  # the next login resynchronises and reconciles
            return
        await waiting_out(
            "reconcile", functools.partial(self.reconcile, datetime.now(UTC)), self.health,
            database_unavailable,
        )  # fmt: skip

    async def resync(self) -> None:
        """Ask for every channel with the CC_* variables; the translator reconciles."""
        await self.send_action(
            [("Action", "Status"), ("Variables", ",".join(SNAPSHOT_VARIABLES))],
            action_id=f"resync-{self.consumer}-{self.sessions}",
            as_list=None,
        )

    async def send_action(
        self, pairs: list[tuple[str, str]], *, action_id: str, as_list: bool | None = False
    ) -> Any:
        """Send one action and wait for its response; ``Response: Error`` raises."""
        manager = self._manager
        name = pairs[0][1]
        if manager is None or manager.protocol is None or manager.protocol.closed:
            raise AmiActionError(name, "not connected to AMI")
        data: dict[str, Any] = {}
        for key, value in pairs:
            if key in data:
                old = data[key]
                data[key] = [*old, value] if isinstance(old, list) else [old, value]
            else:
                data[key] = value
        data["ActionID"] = action_id
        action = pm_actions.Action(data)
        future = manager.send_action(action, as_list=as_list)
        async with asyncio.timeout(self.ami.action_timeout_s):
            response = await future
        first = response[0] if isinstance(response, list) else response
        if first.response == "Error":
            raise AmiActionError(name, first.message or "error")
        return response

    async def _with_customer(self, event: DomainEvent) -> DomainEvent:
        """``call.arrived`` gets the caller's customer id and tier (which sets the priority)
        from the customers' caller index, when the number is a known customer's."""
        caller = event.payload.get("caller")
        if event.type != "call.arrived" or not caller or "tier" in event.payload:
            return event
        found = await lookup_caller(
            self.redis, self.settings.redis_prefix, str(caller), self.settings.default_region
        )
        if found is None:
            return event
        customer_id, tier = found
        return replace(event, payload={**event.payload, "customer_id": customer_id, "tier": tier})

    async def _set_status(self, mapping: dict[FieldT, EncodableT]) -> None:
        """The connection state for ``/healthz``; Redis away: logged, written at the next
        change (the AMI session does not wait for Redis)."""
        try:
            await self.redis.hset(self.streams.bridge_status, mapping=mapping)
        except Exception as exc:
            still_running()
            if not redis_unavailable(exc):
                raise
            log.warning("bridge status not written (%s): %s", mapping, exc)
        still_running()

    async def _publish_forever(self) -> None:
        """Translated events to the stream, in wire order. Redis away: the batch is kept and
        written again (at least once a second) until it is in, while the next events wait in
        the outbox; nothing is dropped (a batch written twice, its reply lost, is removed by
        the store's idempotence)."""
        what = f"publishing to {self.streams.events}"
        while True:
            batch = [await self.outbox.get()]
            while len(batch) < PUBLISH_BATCH and not self.outbox.empty():
                batch.append(self.outbox.get_nowait())
            await waiting_out(what, functools.partial(self._publish, batch), self.health)
            self.events_out += len(batch)
            for _ in batch:
                self.outbox.task_done()

    async def _publish(self, batch: list[DomainEvent]) -> None:
        events = [await self._with_customer(event) for event in batch]
        pipe = self.redis.pipeline(transaction=False)
        for event in events:
            pipe.xadd(self.streams.events, stream_entry(event.to_fields()))
        await pipe.execute()

    async def published(self) -> None:
        """Wait until every event translated so far is in the events stream."""
        await self.outbox.join()

    # --- commands -----------------------------------------------------------------------------

    async def _execute_entries(
        self, entries: list[tuple[str, dict[str, str]]]
    ) -> Callable[[Any], object] | None:
        """The command consumer's handler: each command once logged in to Asterisk (the
        consumer acknowledges it afterwards). A keypad command's entry is deleted from the
        stream with its acknowledgement: its digits (a PIN, a card number) stay in Redis no
        longer than it takes to send them."""
        private: list[str] = []
        for entry_id, fields in entries:
            if fields.get("kind") in PRIVATE_COMMANDS:
                private.append(entry_id)
            if entry_id in self._executed:
                continue  # carried out before Redis went away, not acknowledged yet
            await self.connected.wait()
            await self.execute(entry_id, fields)
            self._executed[entry_id] = None
            while len(self._executed) > 1000:
                self._executed.popitem(last=False)
        if not private:
            return None
        stream = self.streams.commands
        return lambda pipe: pipe.xdel(stream, *private)

    async def execute(self, entry_id: str, fields: dict[str, str]) -> DomainEvent:
        """Carry out one command; publish and return its outcome event."""
        try:
            command = Command.from_fields(fields)
        except CommandError as exc:
            log.warning("command %s (entry %s) rejected: %s", fields.get("id"), entry_id, exc)
            return self._outcome(
                fields.get("id") or entry_id, fields.get("kind") or "?", {}, False, str(exc)
            )
        call = self.state.call_by_id(str(command.args.get("call_id", "")))
        try:
            for i, pairs in enumerate(plan(command, call, self.action_config)):
                await self.send_action(pairs, action_id=f"{command.id}/{i}")
        except (TelephonyError, FrameError, TimeoutError) as exc:
            message = str(exc) or type(exc).__name__
            log.warning("command %s %s failed: %s", command.id, command.kind, message)
            return self._outcome(command.id, command.kind, command.args, False, message)
        log.debug("command %s %s done", command.id, command.kind)
        for event in success_events(command, datetime.now(UTC)):  # mute, keypad: no AMI event
            self.outbox.put_nowait(event)
        return self._outcome(command.id, command.kind, command.args, True, None)

    def _outcome(
        self, command_id: str, kind: str, args: dict[str, Any], ok: bool, error: str | None
    ) -> DomainEvent:
        type_ = "command.succeeded" if ok else "command.failed"
        payload: dict[str, Any] = {"command_id": command_id, "kind": kind}
        if error is not None:
            payload["error"] = error
        event = DomainEvent(
            id=make_event_id(command_id, type_),
            ts=datetime.now(UTC),
            type=type_,
            call_id=str(args["call_id"]) if args.get("call_id") else None,
            agent_id=str(args["agent_id"]) if args.get("agent_id") else None,
            payload=payload,
        )
        self.outbox.put_nowait(event)
        return event


def recording_policy(settings: Settings) -> recording.RecordingPolicy:
    """Which calls the bridge records, from the queues' ``record`` settings."""
    outbound = settings.outbound.queue or (settings.queues[0].id if settings.queues else None)
    return recording.RecordingPolicy(
        recorded_queues=frozenset(q.id for q in settings.queues if q.record),
        outbound_queue=outbound,
        asterisk_dir=settings.recording.asterisk_dir,
    )


async def run_bridge(rt: Any) -> None:
    """The bridge as a piece of ``callcenter serve`` (``rt``: ``kernel.runtime.Runtime``)."""
    name = rt.settings.ami.consumer or default_consumer_name("bridge")
    await Bridge(rt.settings, rt.redis, engine=rt.engine, consumer=name).run()
