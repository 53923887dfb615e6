"""Quality: calls to evaluate, evaluations and disputes, calibration, scorecards, the form."""
