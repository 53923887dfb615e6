"""Sparse linear-constraint rows for scipy's ``milp``, built one row at a time.

The roster models (stage 1 and stage 2 in ``roster``, the local search in ``roster_search``,
the benchmark model in ``curtois``) each state their constraints as rows of
``(column, coefficient)`` entries with lower and upper bounds; this collects them in COO form and
turns them into one ``LinearConstraint`` over a CSR matrix. Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from scipy import sparse
from scipy.optimize import LinearConstraint


class ConstraintRows:
    """Rows ``lo <= Σ coefficient * x[column] <= hi``, added in order."""

    def __init__(self) -> None:
        self._rows: list[int] = []
        self._cols: list[int] = []
        self._vals: list[float] = []
        self._lb: list[float] = []
        self._ub: list[float] = []

    def __len__(self) -> int:
        return len(self._lb)

    def add(self, entries: Iterable[tuple[int, float]], lo: float, hi: float) -> None:
        """One row: ``entries`` are (column, coefficient) pairs (a repeated column adds up)."""
        r = len(self._lb)
        for col, val in entries:
            self._rows.append(r)
            self._cols.append(col)
            self._vals.append(val)
        self._lb.append(lo)
        self._ub.append(hi)

    def constraint(self, n_cols: int) -> LinearConstraint:
        """The rows as one constraint on ``n_cols`` variables."""
        matrix = sparse.csr_array(
            (self._vals, (self._rows, self._cols)), shape=(len(self._lb), n_cols)
        )
        return LinearConstraint(matrix, np.array(self._lb), np.array(self._ub))
