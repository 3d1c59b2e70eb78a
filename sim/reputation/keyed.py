"""Random draws keyed by who they belong to, so that two designs meet the same customers (domain notes §5).

The engine's streams hand out draws in creation order. Reputation decisions (does this caller post? how many people
pile on to this complaint? does this customer churn?) happen in an order that depends on staffing, so they draw from a
generator keyed by the contact instead: ``KeyedDraws(streams, "reputation.pile_on").at(key)`` is a PCG64 generator
whose state is a BLAKE2b hash of (seed, replication, stream name, key), so the same contact gets the same draws in
every design. (Re-seeding one generator by setting its state costs about 2 µs; building a new one from a SeedSequence
costs ten times that, which matters when every complaint of a busy day draws its pile-ons.) A decision that needs
only the first uniform, as most contacts' do (does this caller post?), takes it from ``uniform(key)``: the same number,
from the hashed state by PCG64's first step and output in plain integers (about 1 µs), the generator left alone.
"""
from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable, Sequence

import numpy as np

from sim.streams import Streams, stable_hash

BLOCK = 1_000_000  # contact ids are grouped in blocks of a million, one stream per block (see keyed_uniforms)
MASK128 = (1 << 128) - 1
MASK64 = (1 << 64) - 1
MASK53 = (1 << 53) - 1
PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645  # PCG64's 128-bit LCG multiplier (numpy's PCG_DEFAULT_MULTIPLIER_128)
TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53: a uniform in [0, 1) from the top 53 bits, as Generator.random


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

    def _hashed(self, key: Sequence[int]) -> int:
        """The 256-bit hash of (prefix, key): the low 128 bits are the PCG64 state, the high ones its increment."""
        pack = self.packers.get(len(key))
        if pack is None:
            pack = self.packers[len(key)] = struct.Struct(f"<{len(key)}q").pack
        try:
            data = pack(*key)
        except (TypeError, struct.error):  # not integers as such (a float id): as int() reads them
            data = pack(*(int(x) for x in key))
        h = self.hash.copy()
        h.update(data)
        return int.from_bytes(h.digest(), "little")

    def at(self, key: Sequence[int]) -> np.random.Generator:
        """The generator of contact ``key`` (its id, or a path of ids for a post caused by another)."""
        v = self._hashed(key)
        self.pcg["state"] = v & MASK128
        self.pcg["inc"] = (v >> 128) | 1
        self.bitgen.state = self.state
        return self.rng

    def uniform(self, key: Sequence[int]) -> float:
        """``at(key).random()`` without the generator: PCG64's first step (state · multiplier + increment) and its
        XSL-RR output, top 53 bits. Whoever goes on drawing calls ``at(key)`` and skips this first uniform."""
        return _first_uniform(self._hashed(key))

    def uniform_of(self, contact_id: int) -> float:
        """``uniform((contact_id,))``, the common case (one contact's decision)."""
        return _first_uniform(self._hashed((contact_id,)))


def _first_uniform(v: int) -> float:
    """The first ``random()`` of a PCG64 whose state and increment come from the 256-bit hash ``v`` (as ``at`` sets):
    one step, state · multiplier + increment mod 2^128 (the hash's high half times the multiplier only adds multiples
    of 2^128), then the XSL-RR output — the 64-bit xor of the halves rotated right by the top 6 bits of the state
    (a shift of the doubled word) — of which ``random`` keeps the top 53 bits."""
    s = (v * PCG_MULT + ((v >> 128) | 1)) & MASK128
    x = ((s >> 64) ^ s) & MASK64
    return (((x | (x << 64)) >> ((s >> 122) + 11)) & MASK53) * TO_UNIT


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
