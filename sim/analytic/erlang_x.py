"""Erlang X: the phone queue with trunk lines, impatient callers and redials, solved as a Markov chain.

Model (the "Erlang X" of planners' calculators; Koole, "Call Center Optimization", 2013, ch. 4): fresh calls arrive at
rate λ; ``lines`` = N trunk lines hold every call in the system (waiting or talking), so a call finding N calls gets a
busy signal; n ≤ N agents serve at rate μ = 1/E[S]; a waiting caller hangs up at rate θ = 1/E[patience] (exponential
patience, none when ``mean_patience_s`` is None). After a busy signal or an abandonment the caller redials with
probability r after an exponential delay of mean 1/ν, every attempt alike (Aguir et al. 2004; the funnel's
``redials`` with ``max_attempts`` out of reach).

Exact: the state (i, j) = (calls in the system, callers waiting to redial) is a two-dimensional Markov chain; it is
truncated at j ≤ J, J grown until the probability of the last column is below 1e-12, and its stationary distribution
solved level by level (linear level reduction; a sparse LU of the whole generator, scipy.sparse, is the tested
reference). Attempts reach the trunk at rate λ + jν in state (i, j), so the state seen by
an attempt is π weighted by λ + jν (PASTA for fresh calls, the retrial rate for redials). A caller who enters with k
callers ahead waits through stages of rate nμ + mθ (m = k … 0) and hangs up at rate θ meanwhile (as in Erlang A);
its answer-within-T and abandon-within-T probabilities come from that absorbing chain by uniformization (the sparse
matrix exponential, scipy.sparse expm_multiply, is the reference and the fallback). The planner's day imports none of
scipy: the bracketing root search is ``sim.analytic.roots`` (Brent's method, as scipy's brentq).

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

import functools
import math

import numpy as np

from sim.analytic.erlang_c import METRIC_KEYS, check_agents, check_nonnegative, check_positive
from sim.analytic.roots import brent_root

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
    """Redials as Poisson arrivals at rate ρ_r = r × (failures per second) at the fixed point ρ_r = g(ρ_r), found by
    bracketing (Brent) on [0, rλ/(1 − r)]: failures never exceed attempts, so g(x) ≤ r(λ + x) and the root lies there."""
    queued = np.maximum(np.arange(lines + 1) - n, 0)

    def excess(extra: float) -> float:
        pi = _birth_death(n, lam + extra, mu, theta, lines)
        return r * ((lam + extra) * pi[-1] + theta * float(queued @ pi)) - extra

    extra = 0.0
    if r > 0.0:
        top = r * lam / (1.0 - r)
        extra = top if excess(top) >= 0.0 else brent_root(excess, 0.0, top, xtol=1e-15 * lam, rtol=1e-13)
    pi = _birth_death(n, lam + extra, mu, theta, lines)
    return pi, (lam + extra) * pi, extra


_WIDTH_HINT: dict[tuple, int] = {}  # last width that sufficed, by the chain's inputs other than n (warm start)


def _exact(n, lam, mu, theta, lines, r, nu) -> tuple[np.ndarray, np.ndarray, float]:
    """Marginal of calls in the system, the same weighted by the attempt rate, and the mean number redialing.

    The truncation J starts from the width that sufficed for the neighbouring staffing level (a planner's search
    asks for n, n − 1, n + 1 in turn), else from the fixed point's mean redialing or, if larger, the width that
    sufficed for the previous interval of the day (the same durations and lines at another arrival rate), so that the
    chain is rarely solved twice; when the last level still holds more than 1e-12, J is extended to where the levels'
    geometric decay puts it below (and checked again)."""
    key = (lam, mu, theta, lines, r, nu)
    family = ("any rate", mu, theta, lines, r, nu)
    width = _WIDTH_HINT.get(key)
    if width is None:
        _, _, guess = _fixed_point(n, lam, mu, theta, lines, r)
        mean = guess / nu
        width = max(int(mean + 10.0 * math.sqrt(mean + 1.0) + 10), _WIDTH_HINT.get(family, 0))
    while True:
        if (lines + 1) * (width + 1) > _MAX_STATES:
            raise ValueError(f"the redial chain needs more than {_MAX_STATES} states; use method='fixed_point'")
        p = _solve_chain(n, lam, mu, theta, lines, r, nu, width)
        cols = p.sum(axis=0)
        if cols[-1] < _TAIL:
            break
        ratio = cols[-1] / cols[-2] if cols[-2] > 0 else 0.5
        more = math.log(_TAIL / cols[-1]) / math.log(ratio) if 0 < ratio < 1 else width
        width = int(width + max(8, 1.25 * more + 4))
    if len(_WIDTH_HINT) > 4096:
        _WIDTH_HINT.clear()
    _WIDTH_HINT[key] = _WIDTH_HINT[family] = width
    j = np.arange(width + 1)
    pi = p.sum(axis=1)
    seen = p @ (lam + j * nu)
    return pi, seen, float(cols @ j)


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
    R_j = U(−(D_j + R_{j+1} (j+1)V))⁻¹ (Gaver, Jacobs & Latouche 1984) — exact, one small dense solve per level.
    Only the rows i > n of U are non-zero (redials start from hang-ups and busy signals), so each R_j is kept and
    solved for those rows alone, R V only touches them, and it is a column shift (V moves i → i + 1), not a matrix
    product."""
    blocks, up, down_unit = _levels(n, lam, mu, theta, lines, r, nu, 0)
    within = blocks[0] - np.diag(np.diag(blocks[0]))
    base_out = within.sum(axis=1)
    up_out, down_out = up.sum(axis=1), down_unit.sum(axis=1)
    lo = int(np.flatnonzero(up.any(axis=1))[0])  # the rows i > n (or N alone without hang-ups): one block
    rows = slice(lo, lines + 1)
    rhs = np.ascontiguousarray(up[rows].T)
    ni = lines + 1
    diag = np.arange(ni)
    # Solved as A_j X_j = Uᵀ with A_j = −M_jᵀ and X_j = R_jᵀ (its columns: the non-zero rows of R_j), so no
    # transposes are made inside the loop; A's diagonal is reached through a strided view.
    neg_inner = -within.T
    neg_inner[diag, diag] += base_out + up_out  # −D_jᵀ for j < width, without the j·(redials leaving) part
    cols = slice(lo, lines + 1)

    def minus_rv(a: np.ndarray, x: np.ndarray, scale: float) -> None:
        """a[:, rows] −= scale · ((R V)[rows])ᵀ, R given by X = (R[rows])ᵀ."""
        a[1:, cols] -= x[:-1] * (nu * scale)
        a[lines, cols] -= x[lines] * (nu * (1 - r) * scale)

    rs: list = [None] * (width + 1)
    nxt = None  # X_{j+1}
    for j in range(width, 0, -1):
        a = neg_inner.copy()
        dv = a.reshape(-1)[:: ni + 1]
        dv += j * down_out
        if j == width:
            dv -= up_out
        if nxt is not None:
            minus_rv(a, nxt, j + 1)
        nxt = np.linalg.solve(a, rhs)
        rs[j] = nxt.T  # U (−M)⁻¹, its non-zero rows
    a = -neg_inner
    if width == 0:
        a[diag, diag] += up_out
    if nxt is not None:
        minus_rv(a, nxt, -1.0)  # a = M_0ᵀ here, so R V enters with a plus
    a[0, :] = 1.0
    b = np.zeros(ni)
    b[0] = 1.0
    p = np.empty((width + 1, ni))
    p[0] = np.linalg.solve(a, b)
    for j in range(1, width + 1):
        p[j] = p[j - 1, rows] @ rs[j]
    pi = np.clip(p.T, 0.0, None)
    return pi / pi.sum()


def _solve_chain_sparse(n, lam, mu, theta, lines, r, nu, width) -> np.ndarray:
    """The same π(i, j) by one sparse LU of the whole generator (scipy.sparse ``splu``), assembled at once from the
    transition rates: the reference of the level reduction ``_solve_chain``, which ``_exact`` uses (it is faster
    for the chains a planner's day needs: a few dozen lines, a few dozen levels)."""
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    ni, nj = lines + 1, width + 1
    i, j = np.meshgrid(np.arange(ni), np.arange(nj), indexing="ij")
    i, j = i.ravel(), j.ravel()
    state = lambda a, b: b * ni + a  # noqa: E731 - level-major, as the level reduction orders them
    served = np.minimum(i, n) * mu
    waiting = np.maximum(i - n, 0) * theta
    moves = [  # (from-mask, to-i, to-j, rate)
        (i < lines, i + 1, j, np.full(i.shape, lam)),                        # a fresh call gets a line
        (i > 0, i - 1, j, served + waiting * (1 - r)),                      # a call ends, or a caller gives up
        ((i == lines) & (j < width), i, j + 1, np.full(i.shape, lam * r)),  # busy signal, will redial
        ((i > n) & (j < width), i - 1, j + 1, waiting * r),                 # hangs up, will redial
        ((i < lines) & (j > 0), i + 1, j - 1, j * nu),                      # a redial gets a line
        ((i == lines) & (j > 0), i, j - 1, j * nu * (1 - r)),               # busy signal on a redial, gives up
    ]
    rows, cols, vals = [], [], []
    for mask, ti, tj, rate in moves:
        keep = mask & (rate > 0)
        rows.append(state(i[keep], j[keep]))
        cols.append(state(ti[keep], tj[keep]))
        vals.append(rate[keep])
    rows_a, cols_a, vals_a = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    size = ni * nj
    out = np.bincount(rows_a, weights=vals_a, minlength=size)
    # πQ = 0 with π(0, 0) = 1: the balance equations of every other state, Qᵀ without state 0's row and column.
    qt = sp.csc_matrix((np.concatenate([vals_a, -out]), (np.concatenate([cols_a, np.arange(size)]),
                                                         np.concatenate([rows_a, np.arange(size)]))),
                       shape=(size, size))
    x = spla.splu(qt[1:, 1:].tocsc()).solve(-qt[1:, 0].toarray().ravel())
    pi = np.clip(np.concatenate([[1.0], x]), 0.0, None)
    return (pi / pi.sum()).reshape(nj, ni).T


@functools.lru_cache(maxsize=4096)
def _waiting_chain(n, mu, theta, positions, target) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For a caller entering with m = 0 … positions − 1 callers ahead: P(answered), P(answered within T),
    P(abandoned within T) and E[wait · 1{answered}]. With m ahead the queue moves at rate c + mθ (c = nμ) and the
    caller hangs up at θ, so P(answered) = ∏_{k ≤ m} (c + kθ)/(c + (k + 1)θ); the expected answered wait solves the
    chain's bidiagonal system (forward substitution) and the within-T probabilities come by uniformization (a sum
    of Poisson-weighted steps of the chain, truncated where the Poisson tail is below 1e-15)."""
    m = np.arange(positions, dtype=float)
    c = n * mu
    down = c + m * theta          # rate of moving up one place (m → m − 1, or answered from m = 0)
    total = down + theta          # every way out of m
    p_ans = np.cumprod(down / total)
    # E[wait·1{answered}]: total_m x_m − down_m x_{m−1} = p_ans_m (x_{−1} = 0).
    time_w = np.empty(positions)
    prev = 0.0
    for k, (t_k, d_k, p_k) in enumerate(zip(total.tolist(), down.tolist(), p_ans.tolist())):
        prev = (p_k + (d_k * prev if k else 0.0)) / t_k
        time_w[k] = prev
    if math.isinf(target):
        return p_ans, p_ans, 1.0 - p_ans, time_w
    within, ab_t = _uniformized(down, total, theta, target)
    if within is None:
        return (p_ans, *_waiting_chain_expm(n, mu, theta, positions, target)[1:3], time_w)
    return p_ans, within, ab_t, time_w


_MAX_STEPS = 20_000


def _uniformized(down: np.ndarray, total: np.ndarray, theta: float, target: float):
    """P(answered by T) and P(hung up by T) from every place m, by uniformization at rate Λ = max total; None when
    ΛT needs more than ``_MAX_STEPS`` steps."""
    lam_u = float(total.max())
    mean = lam_u * target
    steps = int(mean + 12.0 * math.sqrt(mean) + 30)  # the Poisson tail beyond is far below 1e-15
    if steps > _MAX_STEPS:
        return None, None
    k = np.arange(steps + 1)
    log_factorial = np.array([math.lgamma(x + 1.0) for x in range(steps + 1)])
    weights = np.exp(k * math.log(mean) - mean - log_factorial) if mean > 0 else (k == 0).astype(float)
    stay, move, quit_ = 1.0 - total / lam_u, down / lam_u, theta / lam_u
    va = np.zeros(len(down))   # P(answered within k steps), from each place
    vb = np.zeros(len(down))   # P(hung up within k steps)
    acc_a, acc_b = np.zeros(len(down)), np.zeros(len(down))
    for w in weights[1:]:
        na, nb = stay * va, stay * vb + quit_
        na[0] += move[0]
        na[1:] += move[1:] * va[:-1]
        nb[1:] += move[1:] * vb[:-1]
        va, vb = na, nb
        acc_a += w * va
        acc_b += w * vb
    return acc_a, acc_b


def _waiting_chain_expm(n, mu, theta, positions, target) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The same four by the absorbing chain's sparse solves and matrix exponential (scipy.sparse): the reference of
    ``_waiting_chain``, and its fallback when uniformization would need too many steps."""
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

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
