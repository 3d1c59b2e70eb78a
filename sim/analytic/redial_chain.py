"""Erlang X's two-dimensional chain: π(i, j) for i ≤ N calls in the system and j ≤ J callers waiting to redial.

In state (i, j) a fresh call arrives at λ and takes a line if one is free, else it is a busy signal and redials with
probability r; n agents serve at μ each and the i − n waiting callers hang up at θ each, redialing with probability
r; each of the j redialers tries again at ν, is a busy signal again if all lines are in use, and then redials with
probability r (every attempt alike). Redials beyond the truncation J are dropped (``sim.analytic.erlang_x`` picks J
so that the last level holds less than 1e-12).

``_solve_chain`` solves it by linear level reduction (one small dense solve per level j); ``_solve_chain_sparse`` by a
sparse LU of the whole generator (scipy.sparse), its tested reference.
"""
from __future__ import annotations

import numpy as np


def _solve_chain(n, lam, mu, theta, lines, r, nu, width) -> np.ndarray:
    """Stationary π(i, j), shape (N + 1, width + 1), by linear level reduction: the generator is block-tridiagonal
    in j, so π_j = π_{j−1} R_j with R_J = U(−D_J)⁻¹ and R_j = U(−(D_j + (j + 1) R_{j+1} V))⁻¹ (Gaver, Jacobs &
    Latouche 1984) — exact, one small dense solve per level. Only the rows i > n of U are non-zero (redials start
    from hang-ups and busy signals), so each R_j is kept and solved for those rows alone, and R V is a column shift
    (V moves i → i + 1), not a matrix product."""
    ni = lines + 1
    i = np.arange(ni)
    waiting = np.maximum(i - n, 0) * theta
    ends = np.minimum(i[1:], n) * mu + waiting[1:] * (1 - r)          # a call ends, or a caller hangs up for good
    lo = n + 1 if theta > 0 and n < lines else lines                   # the rows redials start from: one block
    rows, k = slice(lo, ni), ni - lo
    up_out = waiting * r                                               # hangs up, will redial (i → i − 1, j + 1)
    up_out[lines] += lam * r                                           # busy signal, will redial (i, j + 1)
    rhs = np.zeros((ni, k))                                            # Uᵀ, its columns of those rows
    rhs[i[lo:] - 1, np.arange(k)] = waiting[lo:] * r
    rhs[lines, k - 1] += lam * r
    down_out = np.full(ni, nu)                                         # a redial gets a line ...
    down_out[lines] = nu * (1 - r)                                     # ... or is a busy signal and gives up
    # Solved as A_j X_j = Uᵀ with A_j = −M_jᵀ and X_j = R_jᵀ (its columns: the non-zero rows of R_j), so no
    # transposes are made inside the loop; A's diagonal is reached through a strided view.
    neg_inner = np.zeros((ni, ni))                                     # −(moves within a level)ᵀ
    neg_inner[i[1:], i[:-1]] = -lam
    neg_inner[i[:-1], i[1:]] = -ends
    out = up_out.copy()
    out[:-1] += lam
    out[1:] += ends
    neg_inner.flat[:: ni + 1] = out                                    # −D_jᵀ for 0 < j < width, but for j·ν
    c_last = nu * (1 - r)

    xs: list = [None] * (width + 1)
    nxt = None  # X_{j+1}
    levels = np.repeat(neg_inner[None], width + 1, axis=0)
    levels.reshape(width + 1, -1)[:, :: ni + 1] += np.arange(width + 1)[:, None] * down_out
    levels[width].flat[:: ni + 1] -= up_out
    for j in range(width, 0, -1):
        a = levels[j]
        if nxt is not None:  # a[:, rows] −= (j + 1) · ((R V)[rows])ᵀ, R given by X = (R[rows])ᵀ
            a[1:, rows] -= nxt[:-1] * (nu * (j + 1))
            a[lines, rows] -= nxt[lines] * (c_last * (j + 1))
        nxt = xs[j] = np.linalg.solve(a, rhs)
    a = -neg_inner
    if width == 0:
        a.flat[:: ni + 1] += up_out
    if nxt is not None:  # a = M_0ᵀ here, so R V enters with a plus
        a[1:, rows] += nxt[:-1] * nu
        a[lines, rows] += nxt[lines] * c_last
    a[0, :] = 1.0
    e0 = np.zeros(ni)
    e0[0] = 1.0
    p = np.empty((width + 1, ni))
    p[0] = np.linalg.solve(a, e0)
    for j in range(1, width + 1):
        p[j] = xs[j] @ p[j - 1, rows]
    pi = np.clip(p.T, 0.0, None)
    return pi / pi.sum()


def _solve_chain_sparse(n, lam, mu, theta, lines, r, nu, width) -> np.ndarray:
    """The same π(i, j) by one sparse LU of the whole generator (scipy.sparse ``splu``), assembled at once from the
    transition rates: the reference of the level reduction ``_solve_chain``, which Erlang X uses (it is faster
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
