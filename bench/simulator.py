"""PBX simulator throughput: AMI events generated per second by the engine, and over TCP.

Runs the default-shaped scenario at a high call rate with a minimal router (first waiting caller
to the first free agent), on the manual clock, for a fixed simulated time. Prints the figures and
``os.cpu_count()``; the last line is one JSON object.

    .venv/bin/python bench/simulator.py
"""

from __future__ import annotations

import asyncio
import json
import os
import time

from telephony.ami_frames import format_frame, parse_frames
from telephony.simulator import start_simulator
from telephony.simulator.engine import Engine
from telephony.simulator.traffic import AgentPhone, QueueTraffic, Scenario, Traffic

SIM_HOURS = 1.0
SCENARIO = Scenario(
    queues=[
        QueueTraffic(queue="sales", did="5000", calls_per_hour=900),
        QueueTraffic(queue="support", did="5001", calls_per_hour=900),
    ],
    agents=[AgentPhone(agent_id=str(n)) for n in range(1001, 1061)],
)


def route(engine: Engine, free: list[str], busy: dict[str, str]) -> None:
    for caller, agent in list(busy.items()):
        ch = engine.channels.get(caller)
        if ch is None or ch.context == "cc-hold":
            del busy[caller]
            free.append(agent)
    for ch in sorted(engine.channels.values(), key=lambda c: c.created_at):
        if not free:
            break
        if ch.context == "cc-hold" and ch.moh_on and ch.name not in busy:
            agent = free.pop(0)
            busy[ch.name] = agent
            engine.set_var(ch, "CC_AGENT_ENDPOINT", f"PJSIP/{agent}")
            engine.redirect(ch, "cc-connect", agent, 1)


def bench_engine() -> tuple[int, float, int]:
    traffic = Traffic(SCENARIO, seed=1)
    engine = Engine(traffic.dialplan(), phonebook=traffic.phonebook, seed=1)
    traffic.attach(engine)
    free = [a.agent_id for a in SCENARIO.agents]
    busy: dict[str, str] = {}
    frames = 0
    wire = 0
    started = time.perf_counter()
    for second in range(int(SIM_HOURS * 3600)):
        engine.advance_to(float(second))
        route(engine, free, busy)
        for out in engine.take_output():
            wire += len(format_frame(out.pairs))
            frames += 1
    return frames, time.perf_counter() - started, traffic.arrivals


async def bench_tcp() -> tuple[int, float]:
    async with start_simulator(
        scenario=SCENARIO, speed=None, seed=1, username="b", secret="b", epoch_s=1.8e9
    ) as sim:
        reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
        await reader.readline()
        writer.write(b"Action: Login\r\nUsername: b\r\nSecret: b\r\n\r\n")
        received = 0
        buffer = b""
        free = [a.agent_id for a in SCENARIO.agents]
        busy: dict[str, str] = {}
        started = time.perf_counter()
        for _ in range(int(SIM_HOURS * 3600 / 10)):
            for _ in range(10):
                sim.engine.advance_to(sim.engine.now_s + 1)
                route(sim.engine, free, busy)
            await sim.advance(0)
            try:
                while True:
                    data = await asyncio.wait_for(reader.read(1 << 20), 0.0005)
                    frames, buffer, _ = parse_frames(buffer + data)
                    received += len(frames)
            except TimeoutError:
                pass
        elapsed = time.perf_counter() - started
        writer.close()
        return received, elapsed


def main() -> None:
    frames, elapsed, calls = bench_engine()
    engine_rate = frames / elapsed
    print(
        f"engine: {calls} calls, {frames} AMI events in {elapsed:.2f} s -> {engine_rate:,.0f} events/s"
    )
    received, tcp_elapsed = asyncio.run(bench_tcp())
    tcp_rate = received / tcp_elapsed
    print(
        f"over TCP (parsed by the client): {received} frames in {tcp_elapsed:.2f} s -> {tcp_rate:,.0f} frames/s"
    )
    print(f"cores: {os.cpu_count()}")
    print(
        json.dumps(
            {
                "bench": "simulator",
                "engine_events_per_s": round(engine_rate),
                "tcp_frames_per_s": round(tcp_rate),
                "sim_calls_per_hour": round(calls / SIM_HOURS),
                "cores": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
