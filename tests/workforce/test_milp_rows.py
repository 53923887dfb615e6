"""ConstraintRows: rows in COO form become one LinearConstraint (checked against matrices written
out by hand)."""

from __future__ import annotations

import numpy as np

from workforce.milp_rows import ConstraintRows


def test_rows_become_one_constraint() -> None:
    con = ConstraintRows()
    con.add([(0, 1.0), (2, -1.0)], 0, 0)
    con.add([], -np.inf, 5)  # an empty row keeps its place
    con.add([(1, 2.0), (1, 0.5), (3, 1.0)], 1, np.inf)  # a repeated column adds up
    assert len(con) == 3
    c = con.constraint(4)
    assert np.array_equal(
        c.A.toarray(),
        [[1.0, 0.0, -1.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 2.5, 0.0, 1.0]],
    )
    assert np.array_equal(c.lb, [0, -np.inf, 1]) and np.array_equal(c.ub, [0, 5, np.inf])


def test_no_rows() -> None:
    c = ConstraintRows().constraint(3)
    assert c.A.shape == (0, 3)
