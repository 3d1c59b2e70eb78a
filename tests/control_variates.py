"""Control variates for the statistical checks: a quantity measured per replication, corrected by its regression on
quantities of the same replication whose exact means are known (offered contacts, drawn work), Lavenberg & Welch
(1981). Used by tests/erlang_cases.py and tests/test_social_queueing*.py; checked by tests/test_control_variates.py."""
from __future__ import annotations

import math

import numpy as np


def controlled_mean(y, controls) -> tuple[float, float]:
    """Control-variate estimate of E[y] and its standard error.

    ``controls`` has one row per value of ``y`` and one column per control, each column's exact mean being 0 (pass
    the relative deviation from the exact mean, e.g. N / E[N] − 1). The estimate is the intercept of the least-squares
    fit of ``y`` on the controls, ȳ − β̂·x̄; its standard error is the intercept's usual one, the residual variance on
    n − 1 − (number of controls) degrees of freedom. With no controls it is the plain mean and s/√n."""
    y = np.asarray(y, float)
    x = np.asarray(controls, float).reshape(len(y), -1)
    a = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    resid = y - a @ coef
    dof = len(y) - a.shape[1]
    if dof < 2:
        raise ValueError(f"{len(y)} replications are too few for {x.shape[1]} controls")
    cov = (resid @ resid / dof) * np.linalg.inv(a.T @ a)
    return float(coef[0]), math.sqrt(max(float(cov[0, 0]), 0.0))
