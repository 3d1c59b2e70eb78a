"""Random draws keyed by who they belong to, so that two designs meet the same customers (domain notes §5).

The engine's streams hand out draws in creation order. Reputation decisions (does this caller post? how many people
pile on to this complaint? does this customer churn?) happen in an order that depends on staffing, so they draw from a
generator keyed by the contact instead: ``KeyedDraws(streams, "reputation.pile_on").at(key)`` is a PCG64 generator
whose state is a BLAKE2b hash of (seed, replication, stream name, key), so the same contact gets the same draws in
every design. (Re-seeding one generator by setting its state costs about 2 µs; building a new one from a SeedSequence
costs ten times that, which matters when every complaint of a busy day draws its pile-ons.)
"""
from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Sequence

import numpy as np

from sim.streams import Streams, stable_hash

BLOCK = 1_000_000  # contact ids are grouped in blocks of a million, one stream per block (see keyed_uniforms)
MASK128 = (1 << 128) - 1


class KeyedDraws:
    """Generators keyed by contact for one named purpose of one replication (see the module notes).

    ``at(key)`` re-seeds and returns one shared Generator: take its draws before the next ``at``. (The hash of the
    prefix is taken once and copied for each key; the state dict handed to the bit generator is reused.)"""

    def __init__(self, streams: Streams, name: str):
        self.prefix = struct.pack("<qqQ", streams.seed, streams.replication, stable_hash(name))
        self.hash = hashlib.blake2b(self.prefix, digest_size=32)
        self.bitgen = np.random.PCG64(0)
        self.rng = np.random.Generator(self.bitgen)
        self.pcg = {"state": 0, "inc": 1}
        self.state = {"bit_generator": "PCG64", "state": self.pcg, "has_uint32": 0, "uinteger": 0}
        self.packers: dict[int, Callable[..., bytes]] = {}

    def at(self, key: Sequence[int]) -> np.random.Generator:
        """The generator of contact ``key`` (its id, or a path of ids for a post caused by another)."""
        pack = self.packers.get(len(key))
        if pack is None:
            pack = self.packers[len(key)] = struct.Struct(f"<{len(key)}q").pack
        try:
            data = pack(*key)
        except (TypeError, struct.error):  # not integers as such (a float id): as int() reads them
            data = pack(*(int(x) for x in key))
        h = self.hash.copy()
        h.update(data)
        v = int.from_bytes(h.digest(), "little")
        self.pcg["state"] = v & MASK128
        self.pcg["inc"] = (v >> 128) | 1
        self.bitgen.state = self.state
        return self.rng


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
