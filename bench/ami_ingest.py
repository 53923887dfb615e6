"""AMI ingest: events per second from an AMI server over TCP through the bridge to ``cc:events``.

Input: the received byte streams of the real-Asterisk call captures (04-15, CRLF, byte-exact),
repeated with Uniqueid/Linkedid renumbered per copy so every copy is a distinct set of calls.
Figures:

* ``e2e``: an AMI server on loopback writes the input after the bridge logged in; the bridge
  (panoramisk Manager + our framing + the translator) publishes domain events to a real Redis
  (embedded redis-server). AMI frames per second, from the first byte to the last event stored
  in the stream.
* ``parse``: our ``parse_frames`` alone over the same bytes (4 KiB reads).
* ``translate``: parse + translator, no I/O.
* ``panoramisk``: panoramisk's own ``AMIProtocol.data_received`` parsing the same bytes into
  ``Message`` objects (no network): the ceiling the bridge's parsing is compared with.
* ``oversized``: a 30 MB frame that never ends (until a blank line after it), then one good
  frame, in 64 KiB reads through the bridge's ``FrameReader``: CPU seconds and peak memory
  (tracemalloc). The reader drops the frame at 1 MiB and skips the rest of it.

From the PBX simulator (same process, manual clock, ``timestampevents``) over loopback TCP:

* ``sim_burst``: a simulated hour of heavy inbound traffic (no router: every caller waits, then
  gives up) generated in a few large clock steps while the bridge is connected; AMI frames and
  domain events per second from the first step to the last event in ``cc:events``. The
  simulator's own work is on the same core, so this is a floor for the bridge.
* ``sim_driven``: a stand-in router connects callers to agents by command (``cc:commands``),
  2-simulated-second steps with a Ping barrier each: calls answered, talked, wrapped up.
  Includes every round trip of the loop (simulator, bridge, Redis, router).
* ``store``: the store writer (``StoreWriter.run_once``) from ``cc:events`` into a migrated
  SQLite file: domain events per second.

Run: ``.venv/bin/python bench/ami_ingest.py [--copies 200] [--sim-calls-per-hour 6000]``; the
last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from panoramisk.ami_protocol import AMIProtocol

from config.embedded_redis import EmbeddedRedis
from kernel.commands import Command
from kernel.events import DomainEvent
from kernel.keys import StreamNames
from kernel.settings import AgentConfig, AmiSettings, Settings
from store.db import create_engine
from store.migrate import upgrade
from store.writer import StoreWriter
from telephony.ami_frames import FrameReader, format_frame, parse_frames
from telephony.bridge import Bridge
from telephony.captures import received_bytes
from telephony.simulator import Scenario, start_simulator
from telephony.simulator.traffic import AgentPhone, Dist, QueueTraffic
from telephony.translator import new_state, translate

ROOT = Path(__file__).resolve().parents[1]


REAL = ROOT / "tests" / "fixtures" / "ami" / "real-asterisk"
CALL_FILES = [f"{n:02d}" for n in range(4, 16)]
BANNER = b"Asterisk Call Manager/11.0.0\r\n"


def build_input(copies: int) -> bytes:
    """The call captures' received frames (login/logoff left out), ``copies`` times."""
    body = b""
    for path in sorted(REAL.glob("*.ami")):
        if path.name[:2] not in CALL_FILES:
            continue
        frames, _, _ = parse_frames(received_bytes(path.read_bytes()))
        for f in frames:
            if (
                f.banner is None
                and f.response is None
                and f.event not in ("FullyBooted", "SuccessfulAuth")
            ):
                body += format_frame(f.pairs)
    # Uniqueids look like 1795381465.0: renumber the seconds part per copy
    return b"".join(body.replace(b"17953", b"%05d" % (10000 + i)) for i in range(copies))


def count_frames(data: bytes) -> int:
    return data.count(b"\r\n\r\n")


def bench_parse(data: bytes) -> float:
    t0 = time.perf_counter()
    rest = b""
    n = 0
    for i in range(0, len(data), 4096):
        frames, rest, _ = parse_frames(rest + data[i : i + 4096])
        n += len(frames)
    return n / (time.perf_counter() - t0)


def bench_oversized(size_mb: int = 30) -> tuple[float, float, int]:
    """CPU seconds and peak MB of reading an unterminated ``size_mb`` frame and the good frame
    after it; returns them and the number of good frames read (1)."""
    head = b"Event: Huge\r\nVariable: x="
    data = head + b"y" * (size_mb * 10**6) + b"\r\n\r\nEvent: FullyBooted\r\nUptime: 1\r\n\r\n"
    reader = FrameReader()
    good = 0
    tracemalloc.start()
    t0 = time.process_time()
    for i in range(0, len(data), 65536):
        frames, _ = reader.feed(data[i : i + 65536])
        good += len(frames)
    cpu_s = time.process_time() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return cpu_s, peak / 1e6, good


def bench_translate(data: bytes) -> tuple[float, int]:
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    rest = b""
    state = new_state()
    n = events = 0
    for i in range(0, len(data), 4096):
        frames, rest, _ = parse_frames(rest + data[i : i + 4096])
        for f in frames:
            state, out = translate(state, f, now)
            events += len(out)
        n += len(frames)
    return n / (time.perf_counter() - t0), events


class _Factory:
    def __init__(self) -> None:
        self.n = 0

    def dispatch(self, message: Any) -> None:
        self.n += 1


def bench_panoramisk(data: bytes) -> float:
    proto = AMIProtocol()
    proto.connection_made(None)  # type: ignore[arg-type]
    factory = _Factory()
    proto.factory = factory  # type: ignore[assignment]
    proto.version = "11.0.0"
    t0 = time.perf_counter()
    for i in range(0, len(data), 4096):
        proto.data_received(data[i : i + 4096])
    elapsed = time.perf_counter() - t0
    return factory.n / elapsed


async def bench_e2e(data: bytes, expected_events: int, redis_url: str) -> tuple[float, float]:
    started = asyncio.Event()
    t_first: list[float] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(BANNER)
        rest = b""
        while True:
            chunk = await reader.read(4096)
            if not chunk:
                return
            frames, rest, _ = parse_frames(rest + chunk)
            for f in frames:
                aid = f.action_id or ""
                if f.action == "Login":
                    writer.write(
                        format_frame(
                            [
                                ("Response", "Success"),
                                ("ActionID", aid),
                                ("Message", "Authentication accepted"),
                            ]
                        )
                    )
                elif f.action == "Status":
                    writer.write(
                        format_frame(
                            [
                                ("Response", "Success"),
                                ("ActionID", aid),
                                ("EventList", "start"),
                                ("Message", "Channel status will follow"),
                            ]
                        )
                    )
                    writer.write(
                        format_frame(
                            [
                                ("Event", "StatusComplete"),
                                ("ActionID", aid),
                                ("EventList", "Complete"),
                                ("ListItems", "0"),
                                ("Items", "0"),
                            ]
                        )
                    )
                    started.set()
                    t_first.append(time.perf_counter())
                    for i in range(0, len(data), 65536):
                        writer.write(data[i : i + 65536])
                        await writer.drain()
                else:
                    writer.write(format_frame([("Response", "Success"), ("ActionID", aid)]))

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    prefix = f"bench{os.getpid()}"
    redis = aioredis.from_url(redis_url, decode_responses=True)
    settings = Settings(
        redis_prefix=prefix, ami=AmiSettings(host="127.0.0.1", port=port, username="u", secret="s")
    )
    bridge = Bridge(settings, redis, initial_backoff_s=0.01)
    task = asyncio.create_task(bridge.run())
    try:
        while bridge.events_out < expected_events:  # noqa: ASYNC110 - a counter, no event
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - t_first[0]
        stored = await redis.xlen(StreamNames(prefix).events)
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        await redis.delete(StreamNames(prefix).events, StreamNames(prefix).commands)
        await redis.aclose()
        server.close()
    return count_frames(data) / elapsed, stored / elapsed


# --- from the PBX simulator ------------------------------------------------------------------

SIM_AGENTS = [str(n) for n in range(1001, 1021)]


def sim_scenario(calls_per_hour: float) -> Scenario:
    third = calls_per_hour / 3
    return Scenario(
        queues=[
            QueueTraffic(
                queue=q,
                did=did,
                calls_per_hour=third,
                patience_s=Dist(kind="exponential", mean=90),
                talk_s=Dist(kind="uniform", low=30, high=120),
                wrap_up_s=Dist(kind="uniform", low=5, high=20),
            )
            for q, did in (("sales", "5000"), ("support", "5001"), ("complaints", "5002"))
        ],
        agents=[AgentPhone(agent_id=a, no_answer_p=0.05, hold_p=0.1) for a in SIM_AGENTS],
        unknown_endpoints_answer=False,
    )


class SimRun:
    """Simulator + bridge + Redis; ``settle`` is the Ping barrier of tests/telephony/pbx_rig.py."""

    def __init__(self, sim: Any, bridge: Bridge, redis: aioredis.Redis, prefix: str) -> None:
        self.sim, self.bridge, self.redis = sim, bridge, redis
        self.streams = StreamNames(prefix)
        self.last = "0-0"
        self.n = 0

    async def settle(self) -> list[DomainEvent]:
        self.n += 1
        await self.bridge.send_action([("Action", "Ping")], action_id=f"b{self.n}")
        await self.bridge.published()
        return await self.read(None)

    async def read(self, block_ms: int | None) -> list[DomainEvent]:
        reply = await self.redis.xread(
            {self.streams.events: self.last}, count=100_000, block=block_ms
        )
        out = []
        for _, entries in reply or []:
            for entry_id, fields in entries:
                self.last = entry_id
                out.append(DomainEvent.from_fields(fields))
        return out


async def _with_sim(redis_url: str, prefix: str, calls_per_hour: float, fn: Any) -> Any:
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        async with start_simulator(
            scenario=sim_scenario(calls_per_hour),
            speed=None,
            seed=3,
            username="u",
            secret="s",
            epoch_s=1_800_000_000.0,
            timestamp_events=True,
        ) as sim:
            settings = Settings(
                redis_prefix=prefix,
                ami=AmiSettings(host="127.0.0.1", port=sim.port, username="u", secret="s"),
                agents=[AgentConfig(id=a) for a in SIM_AGENTS],
            )
            bridge = Bridge(settings, redis, initial_backoff_s=0.01)
            task = asyncio.create_task(bridge.run())
            try:
                await bridge.connected.wait()
                return await fn(SimRun(sim, bridge, redis, prefix))
            finally:
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
    finally:
        await redis.aclose()


async def bench_sim_burst(run: SimRun) -> dict[str, float]:
    """One simulated hour in 60 one-minute steps, no router, as fast as it goes."""
    frames0, events0 = run.bridge.frames_in, run.bridge.events_out
    t0 = time.perf_counter()
    in_sim = 0.0
    for _ in range(60):
        t1 = time.perf_counter()
        await run.sim.advance(60.0)  # the engine's minute, then one loop turn for the rest
        in_sim += time.perf_counter() - t1
    await run.settle()
    elapsed = time.perf_counter() - t0
    frames = run.bridge.frames_in - frames0
    events = run.bridge.events_out - events0
    return {
        "frames": frames,
        "events": events,
        "calls": run.sim.traffic.arrivals,
        "elapsed_s": elapsed,
        "in_sim_s": in_sim,
    }


async def bench_sim_driven(run: SimRun, sim_s: float) -> dict[str, float]:
    """The stand-in router of the tests, simplified: connect callers FIFO to free agents."""
    free = list(SIM_AGENTS)
    waiting: list[str] = []
    offered: dict[str, tuple[str, float]] = {}  # call -> (agent, deadline)
    n_cmd = answered = 0
    frames0, events0 = run.bridge.frames_in, run.bridge.events_out
    t0 = time.perf_counter()
    while run.sim.engine.now_s < sim_s:
        await run.sim.advance(2.0)
        events = await run.settle()
        now = run.sim.engine.now_s
        for e in events:
            cid = e.call_id or ""
            if e.type == "call.arrived":
                waiting.append(cid)
            elif e.type == "call.answered":
                answered += 1
                offered.pop(cid)
            elif e.type == "call.ended":
                if cid in waiting:
                    waiting.remove(cid)
                if cid in offered:  # gone while the agent's phone rang
                    free.append(offered.pop(cid)[0])
            elif e.type == "call.wrapped" and e.agent_id:  # free after the wrap-up report
                free.append(e.agent_id)
        for cid, (agent, deadline) in list(offered.items()):
            if now >= deadline:
                del offered[cid]
                free.append(agent)
                waiting.insert(0, cid)
        sent = []
        while waiting and free:
            cid, agent = waiting.pop(0), free.pop(0)
            offered[cid] = (agent, now + 17)
            n_cmd += 1
            command = Command(
                id=f"d{n_cmd}", kind="connect", args={"call_id": cid, "agent_id": agent}
            )
            await run.redis.xadd(run.streams.commands, command.to_fields())
            sent.append(command.id)
        pending = set(sent)
        while pending:
            for e in await run.read(5000):
                if e.type.startswith("command."):
                    pending.discard(e.payload["command_id"])
    elapsed = time.perf_counter() - t0
    return {
        "frames": run.bridge.frames_in - frames0,
        "events": run.bridge.events_out - events0,
        "answered": answered,
        "sim_s": sim_s,
        "elapsed_s": elapsed,
    }


async def bench_store(redis_url: str, prefix: str, tmp: Path) -> tuple[int, float]:
    engine = create_engine(f"sqlite:///{tmp / 'store.sqlite3'}")
    redis = aioredis.from_url(redis_url, decode_responses=True)
    try:
        await upgrade(engine)
        writer = StoreWriter(redis, engine, StreamNames(prefix), consumer="bench")
        t0 = time.perf_counter()
        written = await writer.run_once()
        return written, written / (time.perf_counter() - t0)
    finally:
        keys = [k async for k in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument(
        "--sim-calls-per-hour",
        type=float,
        default=6000,
        help="inbound traffic of the simulator runs (three queues)",
    )
    parser.add_argument(
        "--driven-s", type=float, default=1800, help="simulated seconds of the driven run"
    )
    args = parser.parse_args()
    data = build_input(args.copies)
    frames = count_frames(data)
    parse_fps = bench_parse(data)
    translate_fps, events = bench_translate(data)
    panoramisk_fps = bench_panoramisk(data)
    oversized_cpu_s, oversized_peak_mb, oversized_good = bench_oversized()
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp), persist=False).start()
        try:
            e2e_fps, e2e_eps = asyncio.run(bench_e2e(data, events, server.url))
            burst_prefix, driven_prefix = f"benchb{os.getpid()}", f"benchd{os.getpid()}"
            burst = asyncio.run(
                _with_sim(server.url, burst_prefix, args.sim_calls_per_hour, bench_sim_burst)
            )
            driven = asyncio.run(
                _with_sim(
                    server.url,
                    driven_prefix,
                    args.sim_calls_per_hour / 3,
                    lambda run: bench_sim_driven(run, args.driven_s),
                )
            )
            stored_b, store_burst_eps = asyncio.run(
                bench_store(server.url, burst_prefix, Path(tmp))
            )
            (Path(tmp) / "store.sqlite3").unlink()
            stored_d, store_driven_eps = asyncio.run(
                bench_store(server.url, driven_prefix, Path(tmp))
            )
        finally:
            server.stop()
    cores = os.cpu_count()
    burst_fps = burst["frames"] / burst["elapsed_s"]
    burst_eps = burst["events"] / burst["elapsed_s"]
    driven_fps = driven["frames"] / driven["elapsed_s"]
    driven_eps = driven["events"] / driven["elapsed_s"]
    print(
        f"input: {frames} AMI frames ({len(data) / 1e6:.1f} MB), {events} domain events, "
        f"{args.copies} copies of the real-asterisk call captures 04-15"
    )
    print(
        f"e2e TCP -> bridge -> redis stream : {e2e_fps:10.0f} AMI frames/s "
        f"({e2e_eps:.0f} domain events/s)"
    )
    print(f"parse_frames alone                : {parse_fps:10.0f} frames/s")
    print(f"parse + translator (no I/O)       : {translate_fps:10.0f} frames/s")
    print(f"panoramisk parsing alone (ceiling): {panoramisk_fps:10.0f} frames/s")
    print(
        f"unterminated 30 MB frame (dropped) : {oversized_cpu_s:10.3f} s CPU, "
        f"{oversized_peak_mb:.1f} MB peak traced memory, {oversized_good} good frame after it"
    )
    print(
        f"simulator burst -> bridge -> stream: {burst_fps:9.0f} AMI frames/s "
        f"({burst_eps:.0f} domain events/s; {burst['calls']} calls, {burst['frames']} frames, "
        f"{burst['events']} events in {burst['elapsed_s']:.2f} s, of which "
        f"{burst['in_sim_s']:.2f} s in the simulator's clock steps, same core)"
    )
    print(
        f"simulator driven by commands       : {driven_fps:9.0f} AMI frames/s "
        f"({driven_eps:.0f} domain events/s; {driven['answered']} calls answered in "
        f"{driven['sim_s']:.0f} simulated s, {driven['elapsed_s']:.2f} s real)"
    )
    print(
        f"stream -> store writer -> SQLite   : {store_burst_eps:9.0f} domain events/s "
        f"(burst, {stored_b} events); {store_driven_eps:.0f} events/s (driven, {stored_d})"
    )
    print(f"cores: {cores}")
    print(
        json.dumps(
            {
                "bench": "ami_ingest",
                "ami_frames": frames,
                "domain_events": events,
                "e2e_frames_per_s": round(e2e_fps),
                "e2e_events_per_s": round(e2e_eps),
                "parse_frames_per_s": round(parse_fps),
                "translate_frames_per_s": round(translate_fps),
                "panoramisk_frames_per_s": round(panoramisk_fps),
                "oversized_30mb_cpu_s": round(oversized_cpu_s, 3),
                "oversized_30mb_peak_mb": round(oversized_peak_mb, 1),
                "sim_burst_frames_per_s": round(burst_fps),
                "sim_burst_events_per_s": round(burst_eps),
                "sim_burst_in_simulator_s": round(burst["in_sim_s"], 2),
                "sim_driven_frames_per_s": round(driven_fps),
                "sim_driven_events_per_s": round(driven_eps),
                "sim_driven_calls_answered": driven["answered"],
                "store_sqlite_events_per_s": round(store_burst_eps),
                "store_sqlite_driven_events_per_s": round(store_driven_eps),
                "cores": cores,
            }
        )
    )


if __name__ == "__main__":
    main()
