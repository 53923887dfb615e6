"""What-if: the pure plan and comparison on hand-computed values, and one short run of a roster
against a forecast through the PBX simulator, the bridge, the router and the store.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from rich.console import Console

from config.commands.workforce import whatif_table
from config.whatif import WhatIfOptions, WhatIfResult, run_whatif, whatif_queue, whatif_settings
from kernel.settings import Settings
from workforce.errors import InputError, WhatIfError
from workforce.whatif_compare import COLUMNS, compare, poisson_range, predictions, summary
from workforce.whatif_plan import (
    RosterStep,
    agents_on_phones,
    arrival_plan,
    roster_segments,
    roster_steps,
)

T = pd.Timestamp


def roster_frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(a, act, T(s), T(e)) for a, act, s, e in rows],
        columns=["agent_id", "activity", "start", "end"],
    )


# --- arrivals ------------------------------------------------------------------------------


def test_arrivals_fall_in_their_interval_in_time_order() -> None:
    plan = arrival_plan([5, 0, 12], [100, 100, 60], 900, wrap_s=10, patience_s=90, seed=4)
    assert [a.at_s for a in plan] == sorted(a.at_s for a in plan)
    for a in plan:
        assert a.interval * 900 <= a.at_s < (a.interval + 1) * 900
        assert a.talk_s >= 0 and a.patience_s is not None and a.patience_s >= 0
    assert 1 not in {a.interval for a in plan}  # no calls forecast, none simulated


def test_same_seed_same_calls() -> None:
    a = arrival_plan([20, 30], [120, 180], 900, wrap_s=5, patience_s=None, seed=7)
    b = arrival_plan([20, 30], [120, 180], 900, wrap_s=5, patience_s=None, seed=7)
    c = arrival_plan([20, 30], [120, 180], 900, wrap_s=5, patience_s=None, seed=8)
    assert a == b and a != c
    assert all(x.patience_s is None for x in a)


def test_counts_talk_and_patience_have_the_forecast_means() -> None:
    """4,000 intervals of mean 25 calls: the mean count is 25 within 5 standard errors
    (sd of the mean = 5 / sqrt(4000) = 0.079); talk averages AHT - wrap = 170 s, patience 60 s."""
    n = 4000
    plan = arrival_plan([25.0] * n, [180.0] * n, 900, wrap_s=10, patience_s=60, seed=1)
    counts = np.bincount([a.interval for a in plan], minlength=n)
    assert abs(counts.mean() - 25) < 5 * 5 / math.sqrt(n)
    assert abs(counts.var() - 25) < 1.5  # Poisson: variance = mean (sd of var ~ 0.57)
    talk = np.array([a.talk_s for a in plan])
    patience = np.array([a.patience_s for a in plan], dtype=float)
    assert abs(talk.mean() - 170) < 5 * 170 / math.sqrt(talk.size)
    assert abs(patience.mean() - 60) < 5 * 60 / math.sqrt(patience.size)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"calls": [10], "aht_s": [10], "wrap_s": 10}, "aht_s"),  # no time left to talk
        ({"calls": [10], "aht_s": [100, 100], "wrap_s": 0}, "aht_s"),
        ({"calls": [-1], "aht_s": [100], "wrap_s": 0}, "calls"),
        ({"calls": [1], "aht_s": [100], "wrap_s": -1}, "wrap_s"),
    ],
)
def test_bad_plan_input_names_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        arrival_plan(
            kwargs["calls"], kwargs["aht_s"], 900, wrap_s=kwargs["wrap_s"], patience_s=60, seed=1
        )
    assert err.value.field == field


def test_no_calls_need_no_talk_time() -> None:
    assert arrival_plan([0, 0], [0, 0], 900, wrap_s=10, patience_s=60, seed=1) == []


# --- roster --------------------------------------------------------------------------------

DAY = "2025-03-03T"
ROSTER = roster_frame(
    [
        ("a1", "shift", DAY + "09:00+01:00", DAY + "13:00+01:00"),
        ("a1", "break", DAY + "10:00+01:00", DAY + "10:15+01:00"),
        ("a1", "lunch", DAY + "12:00+01:00", DAY + "12:30+01:00"),
        ("b2", "shift", DAY + "09:00+01:00", DAY + "11:00+01:00"),
        ("b2", "shift", DAY + "11:00+01:00", DAY + "12:00+01:00"),  # back to back: one stretch
        ("b2", "break", DAY + "07:00+01:00", DAY + "07:15+01:00"),  # outside any shift: ignored
    ]
)


def steps_as_tuples(steps: list[RosterStep]) -> list[tuple[str, str, str, str | None]]:
    return [
        (s.at.tz_convert("+01:00").strftime("%H:%M"), s.agent_id, s.action, s.reason) for s in steps
    ]


def test_roster_steps_from_before_the_first_shift() -> None:
    got = steps_as_tuples(roster_steps(ROSTER, T(DAY + "08:00+01:00")))
    assert got == [
        ("09:00", "a1", "login", None),
        ("09:00", "a1", "ready", None),
        ("09:00", "b2", "login", None),
        ("09:00", "b2", "ready", None),
        ("10:00", "a1", "not_ready", "break"),
        ("10:15", "a1", "ready", None),
        ("12:00", "a1", "not_ready", "lunch"),
        ("12:00", "b2", "logout", None),
        ("12:30", "a1", "ready", None),
        ("13:00", "a1", "logout", None),
    ]


def test_roster_steps_starting_in_a_break() -> None:
    """Whoever is on shift at the start is logged in then, in the activity of that moment."""
    got = steps_as_tuples(roster_steps(ROSTER, T(DAY + "10:05+01:00")))
    assert got[:4] == [
        ("10:05", "a1", "login", None),
        ("10:05", "a1", "not_ready", "break"),
        ("10:05", "b2", "login", None),
        ("10:05", "b2", "ready", None),
    ]
    assert ("10:15", "a1", "ready", None) in got


def test_lunch_wins_over_an_overlapping_break() -> None:
    r = roster_frame(
        [
            ("a1", "shift", DAY + "09:00Z", DAY + "11:00Z"),
            ("a1", "break", DAY + "09:30Z", DAY + "10:00Z"),
            ("a1", "lunch", DAY + "09:45Z", DAY + "10:15Z"),
        ]
    )
    segs = [(s.strftime("%H:%M"), e.strftime("%H:%M"), st) for s, e, st in roster_segments(r)["a1"]]
    assert segs == [
        ("09:00", "09:30", "ready"),
        ("09:30", "09:45", "break"),
        ("09:45", "10:15", "lunch"),
        ("10:15", "11:00", "ready"),
    ]


def test_agents_on_phones_are_time_averaged() -> None:
    """a: shift 09:00-13:00 with a break 09:10-09:20 -> 10/15 and 10/15 of the two intervals;
    b: shift 09:05-09:30 -> 10/15 and 15/15. Sum: 4/3 and 5/3."""
    r = roster_frame(
        [
            ("a", "shift", DAY + "09:00Z", DAY + "13:00Z"),
            ("a", "break", DAY + "09:10Z", DAY + "09:20Z"),
            ("b", "shift", DAY + "09:05Z", DAY + "09:30Z"),
        ]
    )
    idx = pd.DatetimeIndex([T(DAY + "09:00Z"), T(DAY + "09:15Z")])
    got = agents_on_phones(r, idx, 900)
    assert got.to_numpy() == pytest.approx([4 / 3, 5 / 3], rel=1e-12)


# --- predictions and comparison -----------------------------------------------------------


def test_erlang_c_prediction_by_hand() -> None:
    """30 calls in 900 s with AHT 30 s: A = 1 Erlang. Two agents: B(2,1) = 0.5/2.5 = 0.2,
    C = 0.2 / (1 - 0.5 * 0.8) = 1/3, SL(20 s) = 1 - (1/3) e^(-20/30), ASA = (1/3) * 30 / 1 = 10 s.
    One agent: unstable (SL 0, ASA infinite). 1.5 agents: halfway."""
    sl2 = 1 - math.exp(-20 / 30) / 3
    p = predictions(
        [30, 30, 30], [30, 30, 30], [2, 1, 1.5], 900, answer_within_s=20, patience_s=None
    )
    assert p["sl_erlang_c"].to_numpy() == pytest.approx([sl2, 0.0, sl2 / 2], rel=1e-12)
    assert p["asa_erlang_c_s"].iloc[0] == pytest.approx(10.0, rel=1e-12)
    assert math.isinf(p["asa_erlang_c_s"].iloc[1]) and math.isinf(p["asa_erlang_c_s"].iloc[2])
    # without patience Erlang A is Erlang C, and nobody abandons
    assert p["sl_erlang_a"].to_numpy() == pytest.approx(p["sl_erlang_c"].to_numpy())
    assert (p["abandon_erlang_a"] == 0).all()


def birth_death_abandon(lam: float, mu: float, theta: float, n: int, k_max: int = 400) -> float:
    """M/M/n+M by its birth-death chain (independent of the incomplete-gamma formulas):
    abandon rate = theta * E[queue length] / lam."""
    pi = [1.0]
    for k in range(1, k_max):
        pi.append(pi[-1] * lam / (min(k, n) * mu + max(0, k - n) * theta))
    total = sum(pi)
    queue = sum(max(0, k - n) * p for k, p in enumerate(pi)) / total
    return theta * queue / lam


@pytest.mark.parametrize("agents", [0, 1, 2, 5])
def test_erlang_a_abandon_against_the_birth_death_chain(agents: int) -> None:
    calls, aht, patience = 60.0, 60.0, 45.0  # 4 Erlangs
    p = predictions([calls], [aht], [agents], 900, answer_within_s=20, patience_s=patience)
    ref = birth_death_abandon(calls / 900, 1 / aht, 1 / patience, agents)
    assert p["abandon_erlang_a"].iloc[0] == pytest.approx(ref, rel=1e-9)


IDX = pd.DatetimeIndex(
    [T(DAY + "09:00Z"), T(DAY + "09:15Z"), T(DAY + "09:30Z")], name="interval_start"
)


def test_compare_lines_up_forecast_roster_and_store() -> None:
    fc = pd.DataFrame({"calls": [30.0, 30.0, 0.0], "aht_s": [30.0, 30.0, 30.0]}, index=IDX)
    agents = pd.Series([2.0, 1.0, 1.0], index=IDX)
    # the store's frame lacks the last interval (nothing arrived there)
    sim = pd.DataFrame(
        {
            "offered": [10.0, 30.0],
            "answered": [10.0, 20.0],
            "abandoned": [0.0, 9.0],
            "aht_s": [31.0, 29.0],
            "asa_s": [2.0, 40.0],
            "service_level": [1.0, 0.5],
        },
        index=IDX[:2],
    )
    out = compare(fc, agents, sim, 900, answer_within_s=20, patience_s=None)
    assert list(out.columns) == COLUMNS
    assert out.index.equals(IDX)
    assert out["sim_offered"].tolist() == [10.0, 30.0, 0.0]
    assert out["abandon_sim"].iloc[:2].tolist() == [0.0, 0.3]
    assert math.isnan(out["abandon_sim"].iloc[2]) and math.isnan(out["sl_sim"].iloc[2])
    assert out["sl_erlang_c"].iloc[0] == pytest.approx(1 - math.exp(-20 / 30) / 3, rel=1e-12)
    # realised: 10 calls with AHT 31 s on 2 agents (A = 0.3444 Erlang) is better than the forecast
    assert out["sl_erlang_c_realised"].iloc[0] > out["sl_erlang_c"].iloc[0]
    s = summary(out)
    # simulated SL over the period: (10 * 1.0 + 30 * 0.5) / 40; predicted by forecast calls
    assert s["sl_sim"] == pytest.approx(25 / 40)
    assert s["sl_erlang_c"] == pytest.approx((30 * (1 - math.exp(-20 / 30) / 3) + 30 * 0) / 60)
    assert s["abandon_sim"] == pytest.approx(9 / 40)
    assert s["asa_sim_s"] == pytest.approx((10 * 2.0 + 21 * 40.0) / 31)  # by answered calls
    assert math.isinf(s["asa_erlang_c_s"])
    assert (s["calls"], s["sim_offered"]) == (60.0, 40.0)


def test_poisson_range_by_hand() -> None:
    """Mean 1, central 50%: P(0) = 0.368 > 0.25 so low = 0; F(1) = 0.736 < 0.75 <= F(2) = 0.920
    so high = 2. Mean 0: nothing."""
    lo, hi = poisson_range([1.0, 0.0], coverage=0.5)
    assert lo.tolist() == [0.0, 0.0] and hi.tolist() == [2.0, 0.0]


# --- settings and the command's output -----------------------------------------------------


def base_settings(**extra: object) -> Settings:
    return Settings.model_validate(
        {
            "skills": [{"id": "support"}, {"id": "sales"}],
            "queues": [
                {
                    "id": "sales",
                    "skills": {"sales": 1},
                    "did": ["5000"],
                    "escalation": [{"after": 30, "overflow": ["support"]}],
                },
                {"id": "support", "skills": {"support": 2}, "sl_target_s": 30, "did": ["5001"]},
            ],
            **extra,
        }
    )


def test_whatif_settings_keep_one_queue_and_give_the_agents_its_skills() -> None:
    base = base_settings()
    q = whatif_queue(base, "support")
    s = whatif_settings(base, q, ["x1", "x2"], WhatIfOptions(speed=100, wrap_s=7))
    assert [(x.id, x.wrap_up_s, x.sl_target_s, x.did) for x in s.queues] == [
        ("support", 7, 30, ["5001"])
    ]
    assert s.queues[0].ring_timeout_s == 200  # the platform's latency, in simulated seconds
    assert {a.id: a.skills for a in s.agents} == {"x1": {"support": 10}, "x2": {"support": 10}}
    assert s.routing.offer_lease_s == 500
    assert whatif_queue(base, None).id == "sales"
    with pytest.raises(InputError) as err:
        whatif_queue(base, "nope")
    assert err.value.field == "queue"
    assert whatif_queue(Settings(), None).id == "whatif"


def test_table_shows_every_interval_and_the_period() -> None:
    fc = pd.DataFrame({"calls": [30.0, 30.0, 0.0], "aht_s": [30.0, 30.0, 30.0]}, index=IDX)
    sim = pd.DataFrame(
        {
            "offered": [10.0, 30.0, 0.0],
            "answered": [10.0, 20.0, 0.0],
            "abandoned": [0.0, 9.0, 0.0],
            "aht_s": [31.0, 29.0, np.nan],
            "asa_s": [2.0, 40.0, np.nan],
            "service_level": [1.0, 0.5, np.nan],
        },
        index=IDX,
    )
    cmp = compare(
        fc, pd.Series([2.0, 1.0, 1.5], index=IDX), sim, 900, answer_within_s=20, patience_s=60
    )
    res = WhatIfResult(cmp, summary(cmp), "support", 900, 20, 60.0, 40, 0.98, 1, 12.0)
    console = Console(width=100, record=True)
    console.print(whatif_table(res, "Europe/Paris"))
    text = console.export_text()
    assert "10:00" in text and "10:30" in text and "all" in text  # local times
    assert "100%" in text and "50.0%" in text and "inf" in text and "1.5" in text


def test_command_rejects_a_broken_forecast_naming_the_line(tmp_path: Path) -> None:
    from config.cli import cli

    fc = tmp_path / "fc.csv"
    fc.write_text("interval_start,calls,aht_s\n2025-03-03T09:00:00+00:00,ten,180\n")
    ro = tmp_path / "ro.csv"
    ro.write_text("agent_id,activity,start,end\n")
    result = CliRunner().invoke(cli, ["whatif", "--forecast", str(fc), "--roster", str(ro)])
    assert result.exit_code != 0
    assert "fc.csv:2" in result.output and "calls" in result.output


# --- one short run through the platform ----------------------------------------------------


async def test_a_roster_against_a_forecast_through_the_platform(
    redis_url: str, prefix: str, redis: object, tmp_path: Path
) -> None:
    """Two 15-minute intervals at 100x. 09:00: 30 calls of 150 s (5 Erlangs) and 11 agents, well
    staffed; 09:15: 60 calls (10 Erlangs) and 3 agents, far too few (the other 8 log out at
    09:15, each after finishing its call). Patience 60 s."""
    settings = Settings.model_validate(
        {
            "redis_url": redis_url,
            "db_url": f"sqlite:///{tmp_path}/whatif.sqlite3",
            "redis_prefix": prefix,
            "var_dir": str(tmp_path),
            "skills": [{"id": "support"}],
            "queues": [
                {"id": "support", "skills": {"support": 1}, "did": ["5001"], "sl_target_s": 20}
            ],
        }
    )
    idx = pd.DatetimeIndex([T(DAY + "09:00+01:00"), T(DAY + "09:15+01:00")], name="interval_start")
    forecast = pd.DataFrame({"calls": [30.0, 60.0], "aht_s": [150.0, 150.0]}, index=idx)
    rows = []
    for i in range(11):
        end = DAY + ("10:00+01:00" if i < 3 else "09:15+01:00")
        rows.append((f"ag{i:02d}", "shift", DAY + "08:30+01:00", end))
    roster = roster_frame(rows)
    opts = WhatIfOptions(speed=100, patience_s=60, wrap_s=10, seed=3)
    phases: list[str] = []
    res = await run_whatif(
        settings, forecast, roster, opts, on_progress=lambda done, phase: phases.append(phase)
    )

    cmp = res.comparison
    assert list(cmp.columns) == COLUMNS and cmp.index.equals(idx.tz_convert("UTC"))
    assert {"simulating", "storing"} <= set(phases)
    # every planned call reached the store, in its interval; the plan is Poisson around the forecast
    planned = Counter(
        a.interval
        for a in arrival_plan([30.0, 60.0], [150.0, 150.0], 900, wrap_s=10, patience_s=60, seed=3)
    )
    assert cmp["sim_offered"].tolist() == [planned[0], planned[1]]
    lo, hi = poisson_range(cmp["calls"].to_numpy(), coverage=0.9999)
    assert ((lo <= cmp["sim_offered"]) & (cmp["sim_offered"] <= hi)).all()
    assert cmp["agents"].tolist() == [11.0, 3.0]
    for col in ("sl_sim", "abandon_sim", "sl_erlang_c", "sl_erlang_a"):
        assert cmp[col].between(0, 1).all(), col
    # handle time as simulated: exponential talk of mean 140 s plus 10 s wrap-up
    assert cmp["sim_aht_s"].between(60, 300).all()
    well, short = cmp.iloc[0], cmp.iloc[1]
    assert well["sl_erlang_c"] > 0.99
    assert well["sl_sim"] >= 0.85
    assert short["sl_sim"] < 0.6
    assert short["sl_sim"] < well["sl_erlang_c"] - 0.3  # far below the well-staffed prediction
    assert short["abandon_sim"] > well["abandon_sim"]
    assert short["abandon_erlang_a"] > 0.2  # Erlang A sees the shortage too
    assert res.adherence is not None and res.adherence > 0.9  # the agents followed the roster
    assert res.extra["callers_left"] == 0
    assert 0 < res.summary["sl_sim"] < 1


async def test_a_start_up_slower_than_the_lead_in_is_an_error(
    redis_url: str, prefix: str, redis: object, tmp_path: Path
) -> None:
    """No lead-in at all: the first interval has begun before the pieces are up."""
    settings = Settings.model_validate(
        {
            "redis_url": redis_url,
            "db_url": f"sqlite:///{tmp_path}/whatif.sqlite3",
            "redis_prefix": prefix,
            "var_dir": str(tmp_path),
        }
    )
    idx = pd.DatetimeIndex([T(DAY + "09:00Z")], name="interval_start")
    forecast = pd.DataFrame({"calls": [0.0], "aht_s": [150.0]}, index=idx)
    roster = roster_frame([("ag01", "shift", DAY + "09:00Z", DAY + "09:15Z")])
    opts = WhatIfOptions(speed=60, interval_s=900, lead_in_wall_s=0)
    with pytest.raises(WhatIfError, match="lead-in"):
        await run_whatif(settings, forecast, roster, opts)


@pytest.mark.parametrize(
    ("start", "agent_id", "field"),
    [
        (DAY + "09:00Z", "7", "agent_id"),  # the simulator dials agents by 2+ character ids
        (DAY + "09:00Z", "a@b", "agent_id"),
        (DAY + "09:05Z", "ag01", "interval_start"),  # not on a whole interval
    ],
)
async def test_bad_run_input_is_refused_before_anything_starts(
    start: str, agent_id: str, field: str
) -> None:
    idx = pd.DatetimeIndex([T(start), T(start) + pd.Timedelta(minutes=15)])
    forecast = pd.DataFrame({"calls": [1.0, 1.0], "aht_s": [100.0, 100.0]}, index=idx)
    roster = roster_frame([(agent_id, "shift", DAY + "09:00Z", DAY + "10:00Z")])
    with pytest.raises(InputError) as err:
        await run_whatif(Settings(redis_url="redis://nowhere:1"), forecast, roster)
    assert err.value.field == field
