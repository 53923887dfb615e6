"""The supervisor: a failing piece is logged and restarted with back-off while the others run on;
a configuration error stops everything; the board says which pieces make the process unhealthy."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from kernel import liveness
from kernel.settings import SettingsError
from kernel.stream_consumer import ConsumerNameTaken
from kernel.supervisor import PieceBoard, Supervisor


async def test_a_failing_piece_is_logged_and_restarted_and_the_others_run_on(caplog):
    runs = {"flaky": 0, "steady": 0}
    steady_up = asyncio.Event()

    async def flaky() -> None:
        runs["flaky"] += 1
        if runs["flaky"] <= 3:
            raise RuntimeError(f"boom {runs['flaky']}")
        await asyncio.Event().wait()

    async def steady() -> None:
        runs["steady"] += 1
        steady_up.set()
        await asyncio.Event().wait()

    sup = Supervisor(backoff_min_s=0.01, backoff_max_s=0.04)
    with caplog.at_level(logging.ERROR, logger="kernel.supervisor"):
        task = asyncio.create_task(sup.run({"flaky": flaky, "steady": steady}))
        async with asyncio.timeout(10):
            while runs["flaky"] < 4:  # noqa: ASYNC110 - counting the restarts
                await asyncio.sleep(0.01)
        await steady_up.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    board = sup.board.snapshot()
    assert board["flaky"]["restarts"] == 3 and board["steady"]["restarts"] == 0
    assert runs["steady"] == 1  # never stopped by the other's failures
    assert {b["state"] for b in board.values()} == {"stopped"}
    failures = [r.getMessage() for r in caplog.records]
    assert len(failures) == 3
    assert all(m.startswith("piece flaky failed: RuntimeError: boom") for m in failures)


@pytest.mark.parametrize(
    ("error", "field"),
    [
        (SettingsError("web.port", 80, "cannot listen on 127.0.0.1:80"), "web.port"),
        (
            ConsumerNameTaken(
                "cc:events:consumer-lock:router:r1", "r1", "h:1:x", "routing.consumer"
            ),
            "routing.consumer",
        ),  # fmt: skip
    ],
)
async def test_a_configuration_error_stops_every_piece(error, field):
    other_cancelled = asyncio.Event()

    async def bad() -> None:
        async with asyncio.TaskGroup() as tg:  # nested, as inside a piece's own task group
            tg.create_task(asyncio.sleep(0))
            raise error

    async def other() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            other_cancelled.set()
            raise

    with pytest.raises(ExceptionGroup) as caught:
        await asyncio.wait_for(Supervisor().run({"other": other, "bad": bad}), 10)
    [stop] = caught.value.exceptions
    assert isinstance(stop, SettingsError) and stop.field == field
    assert other_cancelled.is_set()


async def test_pieces_report_waiting_and_the_board_fails_after_a_minute():
    board = PieceBoard()
    waiting = asyncio.Event()

    async def piece() -> None:
        status = liveness.current()
        status.retrying("database", ConnectionRefusedError("refused"))
        waiting.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(Supervisor(board).run({"store-writer": piece}))
    await waiting.wait()
    status = board.pieces["store-writer"]
    assert status.state == "retrying" and "refused" in (status.last_error or "")
    assert board.failing() == []
    assert board.failing(now=time.time() + 61) == ["store-writer"]
    status.ok("database")
    assert status.state == "up" and board.failing(now=time.time() + 61) == []
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert board.failing() == ["store-writer"]  # stopped
