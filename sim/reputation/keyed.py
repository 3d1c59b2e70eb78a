"""Random draws keyed by who they belong to, so that two designs meet the same customers (domain notes §5).

The engine's streams hand out draws in creation order. Reputation decisions (does this caller post? how many people
pile on to this complaint? does this customer churn?) happen in an order that depends on staffing, so they draw from a
generator keyed by the contact instead: ``contact_rng(streams, "reputation.pile_on", key)`` is seeded from
(seed, replication, stream name, key) and gives the same draws to the same contact in every design.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from sim.streams import Streams, stable_hash

BLOCK = 1_000_000  # contact ids are grouped in blocks of a million, one stream per block (see keyed_uniforms)


def contact_rng(streams: Streams, name: str, key: Iterable[int]) -> np.random.Generator:
    """A generator private to one contact (``key``: its id, or a path of ids for posts caused by other posts)."""
    entropy = [streams.seed, streams.replication, stable_hash(name), *(int(k) for k in key)]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


def keyed_uniforms(streams: Streams, name: str, ids: np.ndarray) -> np.ndarray:
    """One Uniform(0, 1) per contact id, the same for that id whatever other ids are asked for.

    Ids are grouped in blocks of ``BLOCK``; block b uses stream ``"<name>.<b>"`` and id b·BLOCK + k gets that stream's
    k-th draw (a stream's first k + 1 draws do not depend on how many are taken), so the work is vectorised.
    """
    ids = np.asarray(ids, dtype=np.int64)
    out = np.empty(len(ids))
    if len(ids) == 0:
        return out
    block, offset = np.divmod(ids, BLOCK)
    for b in np.unique(block):
        sel = block == b
        draws = streams.generator(f"{name}.{int(b)}").random(int(offset[sel].max()) + 1)
        out[sel] = draws[offset[sel]]
    return out
