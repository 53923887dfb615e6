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

Run: ``.venv/bin/python bench/ami_ingest.py [--copies 200]``; the last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis.asyncio as aioredis  # noqa: E402
from panoramisk.ami_protocol import AMIProtocol  # noqa: E402

from config.embedded_redis import EmbeddedRedis  # noqa: E402
from config.settings import AmiSettings, Settings  # noqa: E402
from store.events import StreamNames  # noqa: E402
from telephony.ami_frames import format_frame, parse_frames  # noqa: E402
from telephony.bridge import Bridge  # noqa: E402
from telephony.captures import received_bytes  # noqa: E402
from telephony.translator import new_state, translate  # noqa: E402

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
            if f.banner is None and f.response is None and f.event not in (
                "FullyBooted", "SuccessfulAuth"):
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
                    writer.write(format_frame([("Response", "Success"), ("ActionID", aid),
                                               ("Message", "Authentication accepted")]))
                elif f.action == "Status":
                    writer.write(format_frame([("Response", "Success"), ("ActionID", aid),
                                               ("EventList", "start"),
                                               ("Message", "Channel status will follow")]))
                    writer.write(format_frame([("Event", "StatusComplete"), ("ActionID", aid),
                                               ("EventList", "Complete"), ("ListItems", "0"),
                                               ("Items", "0")]))
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
    settings = Settings(redis_prefix=prefix,
                        ami=AmiSettings(host="127.0.0.1", port=port, username="u", secret="s"))
    bridge = Bridge(settings, redis, initial_backoff_s=0.01)
    task = asyncio.create_task(bridge.run())
    try:
        while bridge.events_out < expected_events:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=200)
    args = parser.parse_args()
    data = build_input(args.copies)
    frames = count_frames(data)
    parse_fps = bench_parse(data)
    translate_fps, events = bench_translate(data)
    panoramisk_fps = bench_panoramisk(data)
    with tempfile.TemporaryDirectory() as tmp:
        server = EmbeddedRedis(Path(tmp), persist=False).start()
        try:
            e2e_fps, e2e_eps = asyncio.run(bench_e2e(data, events, server.url))
        finally:
            server.stop()
    cores = os.cpu_count()
    print(f"input: {frames} AMI frames ({len(data) / 1e6:.1f} MB), {events} domain events, "
          f"{args.copies} copies of the real-asterisk call captures 04-15")
    print(f"e2e TCP -> bridge -> redis stream : {e2e_fps:10.0f} AMI frames/s "
          f"({e2e_eps:.0f} domain events/s)")
    print(f"parse_frames alone                : {parse_fps:10.0f} frames/s")
    print(f"parse + translator (no I/O)       : {translate_fps:10.0f} frames/s")
    print(f"panoramisk parsing alone (ceiling): {panoramisk_fps:10.0f} frames/s")
    print(f"cores: {cores}")
    print(json.dumps({
        "bench": "ami_ingest",
        "ami_frames": frames,
        "domain_events": events,
        "e2e_frames_per_s": round(e2e_fps),
        "e2e_events_per_s": round(e2e_eps),
        "parse_frames_per_s": round(parse_fps),
        "translate_frames_per_s": round(translate_fps),
        "panoramisk_frames_per_s": round(panoramisk_fps),
        "cores": cores,
    }))


if __name__ == "__main__":
    main()
