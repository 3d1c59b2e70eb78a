"""The waiting caller of Erlang X: answered, answered within T and hung up within T, by the place in the queue.

A caller who enters with m callers ahead (m = 0 … positions − 1) waits through stages of rate nμ + kθ (k = m … 0)
and hangs up at rate θ meanwhile (as in Erlang A). P(answered) is a product, the expected answered wait a forward
substitution, and the within-T probabilities come by uniformization (a sum of Poisson-weighted steps of the chain);
the absorbing chain's sparse solves and matrix exponential (scipy.sparse ``expm_multiply``) are the reference and the
fallback. scipy is imported only there.
"""
from __future__ import annotations

import functools
import math

import numpy as np


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
