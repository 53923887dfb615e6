"""The simulator's edge: an asyncio TCP server speaking AMI, and the clock that drives the engine.

``start_simulator(...)`` runs it in-process (tests, the demo); ``callcenter simulate`` runs it
alone. Time is either *scaled* (``speed=60``: one simulated minute per real second) or *manual*
(``speed=None``: the engine's clock moves only when the caller awaits ``sim.advance(seconds)``,
so a test replays a 20-second call flow in milliseconds, deterministically).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from telephony.ami_frames import Frame, FrameReader, format_frame
from telephony.cdr import format_record
from telephony.simulator.audio import wav_bytes
from telephony.simulator.dialplan import Dialplan
from telephony.simulator.engine import Engine
from telephony.simulator.manager import BANNER, Manager
from telephony.simulator.model import Channel, Recording, Session
from telephony.simulator.phones import Device
from telephony.simulator.switch import Phonebook
from telephony.simulator.traffic import Scenario, Traffic

if TYPE_CHECKING:
    from kernel.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class _Conn:
    session: Session
    writer: asyncio.StreamWriter


class Simulator:
    """A running PBX simulator: ``port``, ``engine``, ``advance()`` in manual mode, ``stop()``."""

    def __init__(
        self,
        engine: Engine,
        manager: Manager,
        *,
        speed: float | None,
        host: str = "127.0.0.1",
        port: int = 0,
        traffic: Traffic | None = None,
        arrivals: bool = True,
        cdr_csv: Path | None = None,
        recordings: tuple[str, Path] | None = None,
    ) -> None:
        self.engine = engine
        self.cdr_csv = cdr_csv  # Master.csv, appended as cdr_csv does (engine.cdr_unanswered)
        # (folder as MixMonitor is told, folder the files are written to): the platform's
        # [recording] asterisk_dir and folder; None: no files
        self.recordings = recordings
        self._writes: set[asyncio.Task[None]] = set()  # WAV files being written
        self.manager = manager
        self.speed = speed
        self.host = host
        self._requested_port = port
        self.traffic = traffic
        self.arrivals = arrivals
        self._server: asyncio.Server | None = None
        self._conns: dict[int, _Conn] = {}
        self._handlers: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self._wake = asyncio.Event()
        self._ticker: asyncio.Task[None] | None = None
        self._t0 = 0.0
        self._sim_t0 = 0.0
        # The last frames clients sent (session id, frame): what was asked of the PBX, for
        # tests and debugging (Asterisk's "manager set debug" in miniature).
        self.received: deque[tuple[int, Frame]] = deque(maxlen=10_000)

    @property
    def port(self) -> int:
        assert self._server is not None, "simulator not started"
        return int(self._server.sockets[0].getsockname()[1])

    def now_s(self) -> float:
        """Simulated seconds since start."""
        if self.speed is None:
            return self.engine.now_s
        return self._sim_t0 + (asyncio.get_running_loop().time() - self._t0) * self.speed

    async def start(self) -> None:
        self._t0 = asyncio.get_running_loop().time()
        self._sim_t0 = self.engine.now_s
        if self.traffic is not None:
            self.traffic.attach(self.engine, arrivals=self.arrivals)
        self._server = await asyncio.start_server(self._serve, self.host, self._requested_port)
        if self.speed is not None:
            self._ticker = asyncio.create_task(self._tick(), name="simulator-clock")
            self._ticker.add_done_callback(_log_failure)
        log.info("PBX simulator listening on %s:%d (speed %s)", self.host, self.port, self.speed)

    async def stop(self) -> None:
        await self.recordings_written()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        if self._server is not None:
            self._server.close()
        for conn in list(self._conns.values()):
            conn.writer.close()
        if self._handlers:
            # Closed transports end each handler's read loop; cancel only what is stuck.
            _, stuck = await asyncio.wait(set(self._handlers), timeout=1.0)
            for task in stuck:
                task.cancel()
            if stuck:
                await asyncio.gather(*stuck, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def advance(self, seconds: float) -> None:
        """Manual clock: run the engine ``seconds`` forward and deliver what happened."""
        self.engine.advance_to(self.engine.now_s + seconds)
        self._flush()
        await asyncio.sleep(0)

    def call_in(self, did: str, number: str, caller: Device) -> Channel:
        """An inbound call now, from ``number`` to ``did`` (tests, scripted demos); ``caller``
        says how the caller behaves (patience, who they are)."""
        if self.speed is not None:
            self.engine.advance_to(self.now_s())
        ch = self.engine.inbound_call(did, number, caller.cid_name, caller)
        self._flush()
        self._wake.set()
        return ch

    def hang_up(self, ch: Channel) -> None:
        """The phone behind ``ch`` hangs up now (tests, scripted demos): a person ending it."""
        if self.speed is not None:
            self.engine.advance_to(self.now_s())
        self.engine.hangup_after(ch, 0.0)
        self._wake.set()

    async def drop_connections(self) -> None:
        """Close every AMI connection (a network failure, as seen by the bridge)."""
        for conn in list(self._conns.values()):
            conn.writer.close()
        await asyncio.sleep(0)

    async def restart(self) -> None:
        """Asterisk restarts: every AMI session is closed, every channel is gone (their CDRs
        written), and the PBX goes on with none: a new session sees only calls that arrive
        after this. Channel and uniqueid numbers go on rising, as a restarted Asterisk's
        uniqueids (epoch-based) never repeat."""
        if self.speed is not None:
            self.engine.advance_to(self.now_s())
        await self.drop_connections()
        self.engine.shutdown()
        self.manager.boot_wall_s = self.engine.wall_s()
        self._flush()

    async def _tick(self) -> None:
        assert self.speed is not None
        while True:
            now = self.now_s()
            due = self.engine.next_due_s()
            if due is not None and due <= now:
                self.engine.advance_to(now)
                self._flush()
                await asyncio.sleep(0)
                continue
            timeout = None if due is None else max(0.0, (due - now) / self.speed)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _flush(self) -> None:
        self._write_cdrs()
        self._write_recordings()
        for out in self.engine.take_output():
            data = format_frame(out.pairs)
            if out.session_id is None:
                for conn in self._conns.values():
                    if conn.session.authenticated and not conn.writer.is_closing():
                        conn.writer.write(data)
            else:
                target = self._conns.get(out.session_id)
                if target is not None and not target.writer.is_closing():
                    target.writer.write(data)

    def _write_cdrs(self) -> None:
        records = self.engine.take_cdrs()
        if not records or self.cdr_csv is None:
            return
        try:
            with self.cdr_csv.open("a", encoding="utf-8") as f:
                f.writelines(format_record(r) + "\n" for r in records)
        except OSError as exc:  # like cdr_csv: logged, the PBX goes on
            log.error("CDR: %d records not written to %s: %s", len(records), self.cdr_csv, exc)

    def _write_recordings(self) -> None:
        """Each stopped MixMonitor recording in ``recordings``' folder becomes its WAV file:
        in real time made in a worker thread (minutes of audio must not hold up the PBX's
        events, so the file may land just after the hang-up, as Asterisk's does); on the manual
        clock (tests) at once, before the events that follow."""
        done = self.engine.take_recordings()
        if self.recordings is None or not done:
            return
        asterisk_dir, folder = self.recordings
        loop = asyncio.get_running_loop()
        for rec in done:
            head, _, name = rec.file.rpartition("/")
            if head.rstrip("/") != asterisk_dir.rstrip("/") or not name:
                continue  # a file outside the mapped folder (like Asterisk's own monitor/)
            if self.speed is None:
                _write_wav(rec, folder / name)
                continue
            task = loop.create_task(asyncio.to_thread(_write_wav, rec, folder / name))
            self._writes.add(task)
            task.add_done_callback(self._writes.discard)

    async def recordings_written(self) -> None:
        """Wait until every recording stopped so far is in its file."""
        await asyncio.gather(*self._writes)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)
        sid = next(self._ids)
        local = writer.get_extra_info("sockname") or ("127.0.0.1", 0)
        remote = writer.get_extra_info("peername") or ("127.0.0.1", 0)
        session = Session(
            sid,
            f"IPV4/TCP/{local[0]}/{local[1]}",
            f"IPV4/TCP/{remote[0]}/{remote[1]}",
            self.engine.wall_s(),
        )
        self.manager.connect(session)
        self._conns[sid] = _Conn(session, writer)
        log.info("AMI session %d connected from %s", sid, session.remote_address)
        writer.write(f"{BANNER}\r\n".encode())
        framing = FrameReader()
        try:
            while not session.closing:
                data = await reader.read(65536)
                if not data:
                    break
                frames, errors = framing.feed(data)
                for error in errors:
                    log.warning("AMI session %d: skipped malformed frame: %s", sid, error.reason)
                for frame in frames:
                    if frame.banner is not None:
                        continue
                    self.received.append((sid, frame))
                    if self.speed is not None:
                        self.engine.advance_to(self.now_s())
                    keep = self.manager.handle(sid, frame)
                    self._flush()
                    if not keep:
                        break
                self._wake.set()
                await writer.drain()
        except (ConnectionError, OSError) as exc:
            log.info("AMI session %d: connection lost: %s", sid, exc)
        finally:
            self.manager.disconnect(sid)
            self._conns.pop(sid, None)
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            log.info("AMI session %d closed", sid)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("simulator task %s failed", task.get_name(), exc_info=task.exception())


@contextlib.asynccontextmanager
async def start_simulator(
    *,
    scenario: Scenario | None = None,
    dialplan: Dialplan | None = None,
    phonebook: Phonebook | None = None,
    username: str = "callcenter",
    secret: str = "callcenter",
    host: str = "127.0.0.1",
    port: int = 0,
    speed: float | None = 60.0,
    epoch_s: float | None = None,
    seed: int | None = None,
    traffic: bool = True,
    timestamp_events: bool = False,
    cdr_csv: Path | None = None,
    cdr_unanswered: bool = True,
    recordings: tuple[str, Path] | None = None,
) -> AsyncIterator[Simulator]:
    """Run a simulator for the ``async with`` block.

    ``scenario`` defaults to the built-in one; ``traffic=False`` disables call arrivals (phones
    still ring, answer, talk and hang up as the scenario says; the simulator otherwise only does
    what AMI actions ask, like the fidelity test); ``speed=None`` gives the manual clock;
    ``dialplan`` overrides the scenario's (e.g. ``capture_dialplan()``); ``timestamp_events``
    adds Asterisk's ``Timestamp:`` header (simulated time) to events, so that an accelerated or
    manual clock still gives a bridge the PBX's times rather than its own; ``cdr_csv`` appends
    each call detail record to that file as cdr_csv writes ``Master.csv`` with the sample
    ``config/asterisk/cdr.conf`` (``cdr_unanswered`` False: the stock ``unanswered = no``);
    ``recordings`` = (MixMonitor's folder, local folder): each recording's WAV is written there.
    """
    sim = build_simulator(
        scenario=scenario,
        dialplan=dialplan,
        phonebook=phonebook,
        username=username,
        secret=secret,
        host=host,
        port=port,
        speed=speed,
        epoch_s=epoch_s,
        seed=seed,
        traffic=traffic,
        timestamp_events=timestamp_events,
        cdr_csv=cdr_csv,
        cdr_unanswered=cdr_unanswered,
        recordings=recordings,
    )
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


def _write_wav(rec: Recording, path: Path) -> None:
    """The recording's WAV at ``path``, whole or not at all (written aside, then renamed)."""
    part = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(wav_bytes(rec))
        os.replace(part, path)
    except OSError as exc:  # like MixMonitor: logged, the PBX goes on
        log.error("recording %s not written to %s: %s", rec.file, path, exc)


def build_simulator(
    *,
    scenario: Scenario | None = None,
    dialplan: Dialplan | None = None,
    phonebook: Phonebook | None = None,
    username: str = "callcenter",
    secret: str = "callcenter",
    host: str = "127.0.0.1",
    port: int = 0,
    speed: float | None = 60.0,
    epoch_s: float | None = None,
    seed: int | None = None,
    traffic: bool = True,
    timestamp_events: bool = False,
    cdr_csv: Path | None = None,
    cdr_unanswered: bool = True,
    recordings: tuple[str, Path] | None = None,
) -> Simulator:
    scenario = scenario or Scenario.default()
    gen = Traffic(scenario, seed=seed)
    engine = Engine(
        dialplan or gen.dialplan(),
        phonebook=phonebook or gen.phonebook,
        endpoint_known=gen.endpoint_known,
        epoch_s=time.time() if epoch_s is None else epoch_s,
        seed=gen.seed,
        trunk=scenario.trunk,
        timestamp_events=timestamp_events,
        atxfer_code=scenario.atxfer_code,
        cdr_unanswered=cdr_unanswered if cdr_csv is not None else None,
    )
    manager = Manager(engine, username, secret)
    return Simulator(
        engine,
        manager,
        speed=speed,
        host=host,
        port=port,
        traffic=gen,
        arrivals=traffic,
        cdr_csv=cdr_csv,
        recordings=recordings,
    )


async def run_simulator(rt: Runtime) -> None:
    """A ``callcenter serve`` piece: the simulator on ``ami.host``/``ami.port`` (loopback when no
    host is set), real-time speed, the built-in scenario from the settings, its CDR written to
    ``ami.cdr_csv`` when set (the bridge reads it there). Runs until cancelled."""
    settings = rt.settings
    async with start_simulator(
        scenario=Scenario.default(settings),
        username=settings.ami.username,
        secret=settings.ami.secret,
        host=settings.ami.host or "127.0.0.1",
        port=settings.ami.port,
        speed=1.0,
        cdr_csv=settings.ami.cdr_csv,
        recordings=(settings.recording.asterisk_dir, settings.recordings_folder),
    ):
        await asyncio.Event().wait()
