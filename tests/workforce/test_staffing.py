"""Staffing search: minimality (property), targets, shrinkage, the ``staffing`` command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from config.cli import cli
from workforce.erlang import erlang_a_metrics, erlang_c_metrics
from workforce.errors import InputError
from workforce.staffing import (
    Target,
    parse_duration_s,
    parse_target,
    required_agents_a,
    required_agents_c,
    scheduled_agents,
    staffing_table,
)

intervals = st.lists(st.tuples(st.floats(0, 3000), st.floats(30, 900)), min_size=1, max_size=40)
targets = st.builds(
    Target,
    service_level=st.floats(0.5, 0.95),
    answer_within_s=st.floats(5, 60),
    asa_s=st.none() | st.floats(5, 120),
    max_occupancy=st.floats(0.7, 1.0),
)


def c_meets(n: np.ndarray, a: np.ndarray, aht: np.ndarray, t: Target) -> np.ndarray:
    m = erlang_c_metrics(n, a, aht, t.answer_within_s)
    ok = (m.service_level >= t.service_level) & (m.occupancy <= t.max_occupancy)
    ok &= (n > a) | (a == 0)
    if t.asa_s is not None:
        ok &= m.asa_s <= t.asa_s
    return ok


@settings(max_examples=60, deadline=None)
@given(intervals, targets, st.sampled_from([900, 1800]))
def test_erlang_c_staffing_is_minimal(
    rows: list[tuple[float, float]], t: Target, interval_s: int
) -> None:
    calls = np.array([r[0] for r in rows])
    aht = np.array([r[1] for r in rows])
    a = calls * aht / interval_s
    n = required_agents_c(a, aht, t)
    assert c_meets(n, a, aht, t).all()
    busy = n > 0
    assert not c_meets(n[busy] - 1, a[busy], aht[busy], t).any()


@settings(max_examples=40, deadline=None)
@given(
    intervals,
    st.floats(0.5, 0.95),
    st.floats(5, 60),
    st.floats(30, 900),
    st.none() | st.floats(0.01, 0.2),
)
def test_erlang_a_staffing_is_minimal(
    rows: list[tuple[float, float]],
    sl: float,
    within_s: float,
    patience_s: float,
    max_ab: float | None,
) -> None:
    rate = np.array([r[0] for r in rows]) / 1800
    aht = np.array([r[1] for r in rows])
    t = Target(service_level=sl, answer_within_s=within_s, max_abandon_rate=max_ab)

    def meets(n: np.ndarray, idx: np.ndarray) -> np.ndarray:
        m = erlang_a_metrics(n, rate[idx], aht[idx], patience_s, within_s)
        ok = m.service_level >= sl
        if max_ab is not None:
            ok &= m.abandon_rate <= max_ab
        return ok

    n = required_agents_a(rate, aht, patience_s, t)
    everything = np.arange(n.size)
    assert meets(n, everything).all()
    busy = np.flatnonzero(n > 0)
    assert not meets(n[busy] - 1, busy).any()


@settings(max_examples=50, deadline=None)
@given(st.floats(0.1, 500), st.floats(60, 600), st.floats(1, 60), st.floats(10, 600))
def test_service_level_never_falls_as_agents_are_added(
    load: float, aht_s: float, t_s: float, patience_s: float
) -> None:
    n = np.arange(1, int(load * 2) + 20)
    c = erlang_c_metrics(n, load, aht_s, t_s).service_level
    a = erlang_a_metrics(n, load / aht_s, aht_s, patience_s, t_s).service_level
    assert np.all(np.diff(c) >= -1e-12)
    assert np.all(np.diff(a) >= -1e-12)


def test_erlang_a_can_need_fewer_agents_than_the_load() -> None:
    # 10 Erlangs, impatient callers, a modest target: fewer than 10 agents suffice.
    t = Target(service_level=0.5, answer_within_s=60)
    n = required_agents_a([10 / 180], [180.0], 30.0, t)
    assert n[0] < 10


def test_issue_example_and_shrinkage() -> None:
    df = staffing_table([100], [180], 1800, Target(0.8, 20), shrinkage=0.3)
    row = df.iloc[0]
    assert row["traffic_erlangs"] == 10.0
    assert row["agents"] == 14
    assert row["scheduled_agents"] == 20  # 14 / 0.7


def test_max_occupancy_and_asa_raise_staffing() -> None:
    base = required_agents_c([100.0], [300.0], Target(0.8, 20))[0]
    occ = required_agents_c([100.0], [300.0], Target(0.8, 20, max_occupancy=0.85))[0]
    asa = required_agents_c([100.0], [300.0], Target(0.8, 20, asa_s=2.0))[0]
    assert occ == 118 and occ > base  # ceil(100 / 0.85)
    assert asa > base


@pytest.mark.parametrize(
    ("agents", "shrinkage", "expected"), [(14, 0.3, 20), (10, 0.0, 10), (7, 0.3, 10), (0, 0.5, 0)]
)
def test_scheduled_agents(agents: int, shrinkage: float, expected: int) -> None:
    assert int(scheduled_agents(agents, shrinkage)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("80/20", (0.8, 20.0)), ("90 / 15", (0.9, 15.0)), ("70.5/30", (0.705, 30.0))],
)
def test_parse_target(text: str, expected: tuple[float, float]) -> None:
    assert parse_target(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["80", "120/20", "a/b", ""])
def test_parse_target_rejects(text: str) -> None:
    with pytest.raises(InputError) as err:
        parse_target(text)
    assert err.value.field == "target"


@pytest.mark.parametrize(("text", "s"), [("30m", 1800), ("15m", 900), ("1h", 3600), ("900", 900)])
def test_parse_duration(text: str, s: int) -> None:
    assert parse_duration_s(text) == s


def test_bad_inputs_name_the_field() -> None:
    with pytest.raises(InputError) as err:
        staffing_table([10, -1], [180, 180], 1800, Target())
    assert err.value.field == "calls[1]"
    with pytest.raises(InputError) as err:
        Target(max_occupancy=1.5)
    assert err.value.field == "max_occupancy"


def test_staffing_command_json() -> None:
    args = "staffing --calls 100 --interval 30m --aht 180 --target 80/20 --format json".split()
    result = CliRunner().invoke(cli, args, env={})
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["agents"] == 14
    assert out["traffic_erlangs"] == 10.0
    assert out["service_level"] == pytest.approx(0.88835, abs=1e-5)
    for key in ("asa_s", "occupancy", "probability_of_waiting"):
        assert key in out
    assert "scheduled_agents" not in out
    result = CliRunner().invoke(cli, [*args, "--shrinkage", "0.3"], env={})
    assert json.loads(result.output)["scheduled_agents"] == 20


def test_staffing_command_input_csv(tmp_path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text(
        "interval_start,calls,aht_s\n"
        "2025-03-03T09:00:00+08:00,100,180\n"
        "2025-03-03T09:30:00+08:00,0,180\n"
        "2025-03-03T10:00:00+08:00,200,240\n"
    )
    result = CliRunner().invoke(cli, ["staffing", "--input", str(path), "--format", "json"], env={})
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)  # completed to the whole day: closed time needs nobody
    assert len(rows) == 48 and rows[0]["interval_start"] == "2025-03-03T00:00:00+08:00"
    assert [r["agents"] for r in rows][18:20] == [14, 0]
    assert rows[18]["interval_start"] == "2025-03-03T09:00:00+08:00"


def test_staffing_command_bad_csv_names_line_and_column(tmp_path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("interval_start,calls,aht_s\n2025-03-03T09:00:00+08:00,ten,180\n")
    result = CliRunner().invoke(cli, ["staffing", "--input", str(path)], env={})
    assert result.exit_code != 0
    assert "calls.csv:2, column calls" in result.output


def test_staffing_command_table_erlang_a() -> None:
    args = "staffing --calls 100 --aht 180 --model erlang_a --patience 120".split()
    result = CliRunner().invoke(cli, args, env={})
    assert result.exit_code == 0, result.output
    assert "abandon_rate" in result.output
