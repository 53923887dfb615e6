"""The Curtois-Qu benchmark adapter: every instance parses to the sizes in the fixture README;
Instance1 solves to a roster that an evaluation function written here (not the programme) finds
feasible, with the objective the solver claims; Instance1's optimum is 607."""

from __future__ import annotations

from pathlib import Path

import pytest

from workforce.curtois import CurtoisInstance, parse_instance, solve_instance
from workforce.errors import FormatError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wfm" / "curtois"

# Instance: days, shift types, staff, on-requests, off-requests, cover rows (fixture README).
SIZES = {
    1: (14, 1, 8, 21, 5, 14),
    2: (14, 2, 14, 50, 12, 28),
    3: (14, 3, 20, 39, 25, 42),
    4: (28, 2, 10, 52, 19, 56),
    5: (28, 2, 16, 79, 27, 56),
    6: (28, 3, 18, 87, 48, 84),
    7: (28, 3, 20, 104, 64, 84),
    8: (28, 4, 30, 139, 86, 112),
}


def load(n: int) -> CurtoisInstance:
    return parse_instance(
        (FIXTURES / f"Instance{n}.txt").read_text(encoding="utf-8"), f"Instance{n}.txt"
    )


@pytest.mark.parametrize("n", sorted(SIZES))
def test_every_instance_parses(n: int) -> None:
    inst = load(n)
    got = (
        inst.horizon_days,
        len(inst.shift_min),
        len(inst.staff),
        len(inst.on_requests),
        len(inst.off_requests),
        len(inst.cover),
    )
    assert got == SIZES[n]


def test_bad_line_is_named() -> None:
    text = (
        (FIXTURES / "Instance1.txt")
        .read_text(encoding="utf-8")
        .replace("A,D=14,4320", "A,D=x,4320")
    )
    with pytest.raises(FormatError) as err:
        parse_instance(text, "bad.txt")
    assert err.value.line == 13 and err.value.column == "MaxShifts"


def runs(worked: list[bool], value: bool) -> list[tuple[int, int]]:
    """(first day, length) of each maximal run of ``value``."""
    out, d = [], 0
    while d < len(worked):
        if worked[d] == value:
            e = d
            while e < len(worked) and worked[e] == value:
                e += 1
            out.append((d, e - d))
            d = e
        else:
            d += 1
    return out


def evaluate(inst: CurtoisInstance, roster: dict[tuple[str, int], str]) -> tuple[int, list[str]]:
    """The benchmark's objective for ``roster`` and the hard rules it breaks, from the rules."""
    bad: list[str] = []
    h = inst.horizon_days
    for st in inst.staff:
        shifts = [roster.get((st.staff_id, d)) for d in range(h)]
        worked = [s is not None for s in shifts]
        for d, s in enumerate(shifts):
            if s is not None and d in inst.days_off[st.staff_id]:
                bad.append(f"{st.staff_id} works day off {d}")
            if d + 1 < h and s is not None and shifts[d + 1] in inst.forbidden_next[s]:
                bad.append(f"{st.staff_id}: {shifts[d + 1]} after {s} on day {d + 1}")
        for sid in inst.shift_min:
            if shifts.count(sid) > st.max_shifts.get(sid, 0):
                bad.append(f"{st.staff_id}: {shifts.count(sid)} x {sid}")
        minutes = sum(inst.shift_min[s] for s in shifts if s is not None)
        if not st.min_total_min <= minutes <= st.max_total_min:
            bad.append(f"{st.staff_id}: {minutes} min")
        for first, length in runs(worked, True):
            if length > st.max_consecutive:
                bad.append(f"{st.staff_id}: {length} shifts in a row from {first}")
            inside = first > 0 and first + length < h
            if inside and length < st.min_consecutive:
                bad.append(f"{st.staff_id}: only {length} shifts in a row from {first}")
        for first, length in runs(worked, False):
            inside = first > 0 and first + length < h
            if inside and length < st.min_days_off:
                bad.append(f"{st.staff_id}: only {length} days off from {first}")
        weekends = sum(1 for k in range(h // 7) if worked[7 * k + 5] or worked[7 * k + 6])
        if weekends > st.max_weekends:
            bad.append(f"{st.staff_id}: {weekends} weekends")
    penalty = 0
    for r in inst.on_requests:
        penalty += r.weight * (roster.get((r.staff_id, r.day)) != r.shift_id)
    for r in inst.off_requests:
        penalty += r.weight * (roster.get((r.staff_id, r.day)) == r.shift_id)
    for cv in inst.cover:
        n = sum(1 for st in inst.staff if roster.get((st.staff_id, cv.day)) == cv.shift_id)
        penalty += cv.weight_under * max(cv.requirement - n, 0)
        penalty += cv.weight_over * max(n - cv.requirement, 0)
    return penalty, bad


def test_instance1_solves_to_a_feasible_roster_with_the_claimed_objective() -> None:
    inst = load(1)
    result = solve_instance(inst, time_limit_s=30)
    assert result.objective is not None
    penalty, bad = evaluate(inst, result.assignment)
    assert bad == []
    assert penalty == pytest.approx(result.objective)
    assert result.lower_bound <= 607 + 1e-6 <= result.objective + 2e-6
    if result.status == "optimal":
        assert result.objective == pytest.approx(607)
