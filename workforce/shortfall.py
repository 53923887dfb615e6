"""What a roster leaves uncovered (pure): the shortfall per interval and in agent-hours, said
plainly, and the solver's figures as they may be shown (a bound of 0 proves nothing).

Values in, values out; the planner's API, its pages and ``callcenter roster`` all use these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

EPS = 1e-6


@dataclass(frozen=True)
class ShortInterval:
    start: pd.Timestamp
    required: float
    covered: float

    @property
    def short(self) -> float:
        return self.required - self.covered


@dataclass(frozen=True)
class Shortfall:
    intervals: list[ShortInterval]  # only the intervals short of the requirement, in time order
    agent_h: float  # Σ (required − covered)⁺ × interval length
    required_h: float  # Σ required × interval length

    @property
    def met(self) -> bool:
        return not self.intervals

    def worst(self, n: int = 10) -> list[ShortInterval]:
        return sorted(self.intervals, key=lambda x: (-x.short, x.start))[:n]


def shortfall(required: pd.Series, covered: np.ndarray, interval_min: int) -> Shortfall:
    """Per interval, the agents on the phones below the requirement (fractions count: a break
    takes half a 30-minute slot)."""
    req = required.to_numpy(dtype=float)
    cov = np.asarray(covered, dtype=float)
    if req.shape != cov.shape:
        raise ValueError(f"coverage has {cov.size} intervals, the requirement {req.size}")
    short = np.clip(req - cov, 0, None)
    idx = pd.DatetimeIndex(required.index)
    rows = [
        ShortInterval(idx[i], float(req[i]), float(cov[i])) for i in np.flatnonzero(short > EPS)
    ]
    h = interval_min / 60
    return Shortfall(rows, float(short.sum()) * h, float(req.sum()) * h)


Gettext = Callable[[str], str]


def _english(message: str) -> str:
    return message


def _english_moment(at: pd.Timestamp) -> str:
    return f"{at:%a %d %b %H:%M}"


def explain(
    sf: Shortfall,
    n_agents: int,
    max_hours_each: float,
    _: Gettext = _english,
    moment: Callable[[pd.Timestamp], str] = _english_moment,
) -> str:
    """One plain sentence or two for the planner: how short, where, and whether the agents'
    contracted hours could ever cover the requirement. ``_`` is the reader's catalog
    (``gettext``) and ``moment`` formats the worst interval's start in their language; both
    default to English (the CLI)."""
    if sf.met:
        return _("The roster meets the requirement in every interval.")
    worst = sf.worst(1)[0]
    text = _(
        "The roster cannot meet the requirement: %(short)s agent-hours short over "
        "%(count)s intervals (worst %(when)s: %(covered)s of %(required)s agents)."
    ) % {
        "short": f"{sf.agent_h:.1f}",
        "count": len(sf.intervals),
        "when": moment(worst.start),
        "covered": f"{worst.covered:.1f}",
        "required": f"{worst.required:g}",
    }
    capacity = n_agents * max_hours_each
    if capacity + EPS < sf.required_h:
        text += " " + _(
            "The requirement needs %(needed)s agent-hours on the phones; %(agents)s agents at "
            "most %(each)s h each give at most %(capacity)s h, before breaks."
        ) % {
            "needed": f"{sf.required_h:.0f}",
            "agents": n_agents,
            "each": f"{max_hours_each:g}",
            "capacity": f"{capacity:.0f}",
        }
    else:
        text += " " + _(
            "The agents' hours would suffice in total: the shortfall comes from the shift "
            "rules (shift lengths, rest, days off, availability) or the solver's time limit."
        )
    return text


@dataclass(frozen=True)
class SolverFigures:
    """What the solver knows, as it may be shown: the bound only once it proves something."""

    bound: float | None  # None: no bound yet (0 is what every roster costs at least: no proof)
    best: float | None  # the best roster's objective so far
    gap: float | None  # (best − bound) / best, when both are known

    @property
    def done_fraction(self) -> float | None:
        """How much of the gap is closed (1 − gap); None when nothing is proven yet."""
        return None if self.gap is None else max(0.0, min(1.0, 1 - self.gap))


def solver_figures(bound: float | None, best: float | None) -> SolverFigures:
    known = bound if bound is not None and bound > EPS else None
    if best is not None and best <= EPS:  # a roster with no cost is optimal
        return SolverFigures(0.0 if bound is not None else None, best, 0.0)
    gap = None if known is None or best is None else max(0.0, (best - known) / best)
    return SolverFigures(known, best, gap)
