"""Erlang X: the phone queue with trunk lines, impatient callers and redials, solved as a Markov chain.

Model (the "Erlang X" of planners' calculators; Koole, "Call Center Optimization", 2013, ch. 4): fresh calls arrive at
rate λ; ``lines`` = N trunk lines hold every call in the system (waiting or talking), so a call finding N calls gets a
busy signal; n ≤ N agents serve at rate μ = 1/E[S]; a waiting caller hangs up at rate θ = 1/E[patience] (exponential
patience, none when ``mean_patience_s`` is None). After a busy signal or an abandonment the caller redials with
probability r after an exponential delay of mean 1/ν, every attempt alike (Aguir et al. 2004; the funnel's
``redials`` with ``max_attempts`` out of reach).

Exact: the state (i, j) = (calls in the system, callers waiting to redial) is a two-dimensional Markov chain; it is
truncated at j ≤ J, J grown until the probability of the last column is below 1e-12, and its stationary distribution
solved with a sparse LU (scipy.sparse). Attempts reach the trunk at rate λ + jν in state (i, j), so the state seen by
an attempt is π weighted by λ + jν (PASTA for fresh calls, the retrial rate for redials). A caller who enters with k
callers ahead waits through stages of rate nμ + mθ (m = k … 0) and hangs up at rate θ meanwhile (as in Erlang A);
its answer-within-T and abandon-within-T probabilities come from that absorbing chain (scipy.sparse expm_multiply).

Fixed point (``method="fixed_point"``): the approximation of the calculators — redials are taken as extra Poisson
arrivals at rate ρ_r, the one-dimensional M/M/n/N+M chain is solved at λ + ρ_r, and ρ_r = r × (busy signals +
abandonments per second) iterated to a fixed point. It is exact without redials (r = 0) and drifts from the exact
chain as redials grow, because redials are not Poisson (they follow congestion). With lines = agents (no queue) it is
Extended Erlang B, and reproduces the published calculator examples (tests/test_erlang_x.py).

Metrics per attempt reaching the trunk, as the funnel's interval table counts them (sim.funnel.tables): ``blocked_rate``
(busy signals / attempts); the queue metrics of ``METRIC_KEYS`` over attempts that got a line; ``attempts_per_customer``
(attempts / fresh calls), ``unique_abandon_rate`` (callers who give up after a failure / fresh calls),
``mean_redialing`` (callers waiting to redial).
"""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from sim.analytic.erlang_c import METRIC_KEYS, check_agents, check_nonnegative, check_positive

X_KEYS = (*METRIC_KEYS, "blocked_rate", "attempts_per_customer", "unique_abandon_rate", "mean_redialing")
METHODS = ("exact", "fixed_point")
_TAIL = 1e-12
_MAX_STATES = 2_000_000


def erlang_x_metrics(
    n: int,
    rate: float,
    mean_service_s: float,
    answer_within_s: float,
    lines: int,
    mean_patience_s: float | None = None,
    redial_probability: float = 0.0,
    mean_redial_delay_s: float = 900.0,
    method: str = "exact",
) -> dict[str, float]:
    """Metrics of the phone queue with ``lines`` trunk lines, ``n`` agents, exponential patience and redials.

    ``rate`` fresh calls per second; durations in seconds; ``redial_probability`` r in [0, 1) applies after every busy
    signal and every abandonment; ``method`` "exact" (the 2-D chain) or "fixed_point" (the approximation). Returns
    the keys of ``X_KEYS``.
    """
    n = check_agents(n, "n", minimum=1)
    lines = check_agents(lines, "lines", minimum=1)
    if lines < n:
        raise ValueError(f"lines: expected at least as many trunk lines as agents ({n}), got {lines}")
    lam = check_nonnegative(rate, "rate")
    mu = 1.0 / check_positive(mean_service_s, "mean_service_s")
    target = check_nonnegative(answer_within_s, "answer_within_s", allow_inf=True)
    theta = 0.0
    if mean_patience_s is not None:
        theta = 1.0 / check_positive(mean_patience_s, "mean_patience_s", allow_inf=True)
    r = check_nonnegative(redial_probability, "redial_probability")
    if r >= 1.0:
        raise ValueError(f"redial_probability: expected a probability below 1, got {redial_probability!r}")
    nu = 1.0 / check_positive(mean_redial_delay_s, "mean_redial_delay_s")
    if method not in METHODS:
        raise ValueError(f"method: expected one of {', '.join(METHODS)}, got {method!r}")
    if lam == 0.0:
        return _idle()
    if method == "fixed_point" or r == 0.0:
        pi, seen, redial_rate = _fixed_point(n, lam, mu, theta, lines, r)
        mean_redialing = float(redial_rate / nu)
    else:
        pi, seen, mean_redialing = _exact(n, lam, mu, theta, lines, r, nu)
    return _metrics(n, lam, mu, theta, lines, r, target, pi, seen, mean_redialing)


def unlimited_lines(n: int, rate: float, mean_service_s: float, mean_patience_s: float | None = None,
                    redial_probability: float = 0.0, tail: float = 1e-10) -> int:
    """Trunk lines that (almost) never bind: the fewest N with P(N or more calls in the system) below ``tail`` even
    if every failed call redialed at once (attempt rate λ/(1 − r)); at most n + 1000."""
    lam = rate / (1.0 - redial_probability)
    mu = 1.0 / mean_service_s
    theta = 0.0 if mean_patience_s is None else 1.0 / mean_patience_s
    cap = n + 1000
    if lam == 0.0:
        return n
    p = _birth_death(n, lam, mu, theta, cap)
    above = np.cumsum(p[::-1])[::-1]  # P(i ≥ k)
    ok = np.flatnonzero(above < tail)
    return int(max(n, ok[0])) if len(ok) else cap


def _idle() -> dict[str, float]:
    out = dict.fromkeys(X_KEYS, 0.0)
    out.update(sl_offered=1.0, sl_answered=1.0, sl_excl_short_abandons=1.0, attempts_per_customer=1.0)
    return out


def _birth_death(n: int, lam: float, mu: float, theta: float, lines: int) -> np.ndarray:
    """Stationary distribution of M/M/n/N+M (calls in the system 0..N), in log space so large N cannot overflow."""
    i = np.arange(1, lines + 1)
    death = np.minimum(i, n) * mu + np.maximum(i - n, 0) * theta
    logp = np.concatenate([[0.0], np.cumsum(math.log(lam) - np.log(death))])
    p = np.exp(logp - logp.max())
    return p / p.sum()


def _fixed_point(n, lam, mu, theta, lines, r) -> tuple[np.ndarray, np.ndarray, float]:
    """Redials as Poisson arrivals at rate ρ_r = r × (failures per second), iterated to the fixed point."""
    queued = np.maximum(np.arange(lines + 1) - n, 0)
    extra = 0.0
    for _ in range(10_000):
        pi = _birth_death(n, lam + extra, mu, theta, lines)
        failures = (lam + extra) * pi[-1] + theta * float(queued @ pi)
        new = r * failures
        if abs(new - extra) <= 1e-13 * (lam + extra):
            extra = new
            break
        extra = new
    pi = _birth_death(n, lam + extra, mu, theta, lines)
    return pi, (lam + extra) * pi, extra


def _exact(n, lam, mu, theta, lines, r, nu) -> tuple[np.ndarray, np.ndarray, float]:
    """Marginal of calls in the system, the same weighted by the attempt rate, and the mean number redialing."""
    _, _, guess = _fixed_point(n, lam, mu, theta, lines, r)
    mean = guess / nu
    width = int(mean + 10.0 * math.sqrt(mean + 1.0) + 10)
    while True:
        if (lines + 1) * (width + 1) > _MAX_STATES:
            raise ValueError(f"the redial chain needs more than {_MAX_STATES} states; use method='fixed_point'")
        p = _solve_chain(n, lam, mu, theta, lines, r, nu, width)
        if p[:, -1].sum() < _TAIL:
            break
        width *= 2
    j = np.arange(width + 1)
    pi = p.sum(axis=1)
    seen = p @ (lam + j * nu)
    return pi, seen, float(p.sum(axis=0) @ j)


def _levels(n, lam, mu, theta, lines, r, nu, width):
    """The chain's blocks by level j (callers redialing): within the level ``D[j]`` (diagonal included), up to j + 1
    ``up`` (the same for every level below the last), down to j − 1 ``down[j]``. Phases: i = 0 … N calls in the
    system. Moves beyond ``width`` are dropped."""
    ni = lines + 1
    i = np.arange(ni)
    served = np.minimum(i, n) * mu
    waiting = np.maximum(i - n, 0) * theta
    within = np.zeros((ni, ni))
    within[i[:-1], i[:-1] + 1] = lam  # a fresh call gets a line
    within[i[1:], i[1:] - 1] = served[1:] + waiting[1:] * (1 - r)  # a call ends, or a caller hangs up for good
    up = np.zeros((ni, ni))
    up[lines, lines] = lam * r  # busy signal, will redial
    up[i[n + 1:], i[n + 1:] - 1] = waiting[n + 1:] * r  # hangs up, will redial
    down_unit = np.zeros((ni, ni))
    down_unit[i[:-1], i[:-1] + 1] = nu  # a redial gets a line
    down_unit[lines, lines] = nu * (1 - r)  # busy signal on a redial, gives up
    blocks = []
    for j in range(width + 1):
        d = within.copy()
        out = within.sum(axis=1) + j * down_unit.sum(axis=1) + (up.sum(axis=1) if j < width else 0.0)
        d[i, i] -= out
        blocks.append(d)
    return blocks, up, down_unit


def _solve_chain(n, lam, mu, theta, lines, r, nu, width) -> np.ndarray:
    """Stationary π(i, j) for i ≤ N calls in the system and j ≤ width redialing, by linear level reduction: the
    generator is block-tridiagonal in j, so π_j = π_{j−1} R_j with R_J = U(−D_J)⁻¹ and
    R_j = U(−(D_j + R_{j+1} j·V))⁻¹ (Gaver, Jacobs & Latouche 1984) — exact, one small dense solve per level."""
    blocks, up, down_unit = _levels(n, lam, mu, theta, lines, r, nu, width)
    rs = [None] * (width + 1)
    nxt = None
    for j in range(width, 0, -1):
        m = blocks[j] if nxt is None else blocks[j] + nxt @ ((j + 1) * down_unit)
        rs[j] = np.linalg.solve(-m.T, up.T).T  # U (−M)⁻¹
        nxt = rs[j]
    m0 = blocks[0] + (nxt @ down_unit if nxt is not None else 0.0)
    a = m0.T.copy()
    a[0, :] = 1.0
    b = np.zeros(lines + 1)
    b[0] = 1.0
    p = [np.linalg.solve(a, b)]
    for j in range(1, width + 1):
        p.append(p[-1] @ rs[j])
    pi = np.clip(np.array(p).T, 0.0, None)
    return pi / pi.sum()


def _solve_chain_sparse(n, lam, mu, theta, lines, r, nu, width) -> np.ndarray:
    """The same π(i, j) by one sparse LU of the whole generator (scipy.sparse): the reference for ``_solve_chain``."""
    blocks, up, down_unit = _levels(n, lam, mu, theta, lines, r, nu, width)
    ni = lines + 1
    q = sp.block_diag(blocks, format="lil")
    for j in range(width + 1):
        if j < width:
            q[j * ni:(j + 1) * ni, (j + 1) * ni:(j + 2) * ni] = up
        if j > 0:
            q[j * ni:(j + 1) * ni, (j - 1) * ni:j * ni] = j * down_unit
    a = q.T.tolil()
    a[0, :] = 1.0
    b = np.zeros(a.shape[0])
    b[0] = 1.0
    pi = np.clip(spla.spsolve(a.tocsc(), b), 0.0, None)
    return (pi / pi.sum()).reshape(width + 1, ni).T


def _waiting_chain(n, mu, theta, positions, target) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For a caller entering with m = 0 … positions − 1 callers ahead: P(answered), P(answered within T),
    P(abandoned within T) and E[wait · 1{answered}]. States: m ahead, then answered, abandoned (absorbing)."""
    m = np.arange(positions)
    ans, ab = positions, positions + 1
    c = n * mu
    rows = np.concatenate([m[1:], [0], m])
    cols = np.concatenate([m[1:] - 1, [ans], np.full(positions, ab)])
    vals = np.concatenate([c + m[1:] * theta, [c], np.full(positions, theta)])
    keep = vals > 0
    q = sp.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=(positions + 2, positions + 2))
    q = (q - sp.diags(np.asarray(q.sum(axis=1)).ravel())).tocsc()
    g = q[:positions, :positions]
    to_ans = np.asarray(q[:positions, ans].todense()).ravel()
    p_ans = spla.spsolve(g, -to_ans) if positions > 1 else np.array([-to_ans[0] / g[0, 0]])
    p_ans = np.atleast_1d(p_ans)
    time_w = spla.spsolve(g, -p_ans) if positions > 1 else np.array([-p_ans[0] / g[0, 0]])
    if math.isinf(target):
        return p_ans, p_ans, 1.0 - p_ans, np.atleast_1d(time_w)
    e = np.zeros((positions + 2, 2))
    e[ans, 0] = e[ab, 1] = 1.0
    at_t = spla.expm_multiply(q * target, e)
    return p_ans, at_t[:positions, 0], at_t[:positions, 1], np.atleast_1d(time_w)


def _metrics(n, lam, mu, theta, lines, r, target, pi, seen, mean_redialing) -> dict[str, float]:
    attempts = float(seen.sum())
    blocked = float(seen[-1])
    entries = attempts - blocked
    w = seen[:-1] / entries  # state found by an attempt that gets a line: 0 … N − 1 calls in the system
    queued = np.maximum(np.arange(lines + 1) - n, 0)
    mean_queue = float(queued @ pi)
    abandons = theta * mean_queue
    p_wait = float(w[n:].sum())
    positions = lines - n
    if positions > 0:
        p_ans, ans_t, ab_t, time_w = _waiting_chain(n, mu, theta, positions, target)
        wq = w[n:]
        answered_waiting, within_waiting = float(wq @ p_ans), float(wq @ ans_t)
        short_abandons, wait_answered = float(wq @ ab_t), float(wq @ time_w)
    else:
        answered_waiting = within_waiting = short_abandons = wait_answered = 0.0
    immediate = 1.0 - p_wait
    answered = immediate + answered_waiting
    within = immediate + within_waiting
    p_abandon = abandons / entries
    failures = blocked + abandons
    return {
        "p_wait": p_wait,
        "sl_offered": within,
        "sl_answered": within / answered if answered > 0 else math.nan,
        "sl_excl_short_abandons": within / (1.0 - short_abandons),
        "asa_s": wait_answered / answered if answered > 0 else math.nan,
        "mean_wait_s": mean_queue / entries,
        "p_abandon": p_abandon,
        "occupancy": float(np.minimum(np.arange(lines + 1), n) @ pi) / n,
        "mean_queue": mean_queue,
        "blocked_rate": blocked / attempts,
        "attempts_per_customer": attempts / lam,
        "unique_abandon_rate": (1.0 - r) * failures / lam,
        "mean_redialing": mean_redialing,
    }
