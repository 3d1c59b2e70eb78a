"""Customers' private generators, seeded in blocks.

A customer's generator is ``Generator(PCG64(SeedSequence([seed, replication, channel hash, creation index])))``
(``sim.funnel.customers``). Building the ``SeedSequence`` and hashing its pool into the PCG64 seed costs about 14 µs
per customer; ``BlockSeeds`` computes the same seed words for 1,024 consecutive creation indices at once with numpy's
integer arithmetic (numpy's ``SeedSequence`` algorithm: pool of four 32-bit words, ``mix_entropy``, then
``generate_state(4, uint64)``), and hands each to ``PCG64`` through a ``SeedSequence`` stand-in. The generator is the
same bit for bit (``tests/test_funnel_seeds.py`` checks the words against numpy's).
"""
from __future__ import annotations

import numpy as np
from numpy.random.bit_generator import ISeedSequence

INIT_A, MULT_A, INIT_B, MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
M32 = 0xFFFFFFFF
POOL = 4
BLOCK = 1024


def words(n: int) -> list[int]:
    """The 32-bit words numpy's ``SeedSequence`` makes of a non-negative int (least significant first; 0: [0])."""
    if n < 0:
        raise ValueError("entropy must be non-negative")
    out = [n & M32] if n == 0 else []
    while n > 0:
        out.append(n & M32)
        n >>= 32
    return out


def seed_words(entropy: list[np.ndarray]) -> np.ndarray:
    """``SeedSequence(e).generate_state(4, np.uint64)`` for many entropies at once: ``entropy`` is the list of their
    32-bit words, each an array over the entropies (uint64 holding 32-bit values); returns an (n, 4) uint64 array."""
    n = len(entropy[0])
    hc = INIT_A

    def hashmix(v: np.ndarray) -> np.ndarray:
        nonlocal hc
        v = v ^ hc
        hc = (hc * MULT_A) & M32
        v = (v * hc) & M32
        return v ^ (v >> 16)

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = (MIX_MULT_L * x - MIX_MULT_R * y) & M32
        return r ^ (r >> 16)

    zero = np.zeros(n, np.uint64)
    pool = [hashmix(entropy[i] if i < len(entropy) else zero) for i in range(POOL)]
    for src in range(POOL):
        for dst in range(POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(POOL, len(entropy)):
        for dst in range(POOL):
            pool[dst] = mix(pool[dst], hashmix(entropy[src]))
    hb = INIT_B
    out = []
    for k in range(2 * POOL):  # eight 32-bit words, read as four little-endian 64-bit words
        v = pool[k % POOL] ^ hb
        hb = (hb * MULT_B) & M32
        v = (v * hb) & M32
        out.append(v ^ (v >> 16))
    return np.ascontiguousarray(np.stack([out[2 * j] | (out[2 * j + 1] << 32) for j in range(POOL)], axis=1),
                                dtype=np.uint64)


class _Words(ISeedSequence):
    """A ``SeedSequence`` stand-in that gives ``PCG64`` seed words computed beforehand."""

    __slots__ = ("state",)

    def __init__(self, state: np.ndarray):
        self.state = state

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        return self.state


class BlockSeeds:
    """The private generators of one channel's customers: ``generator(i)`` is
    ``Generator(PCG64(SeedSequence([*prefix, i])))``, its seed words computed for a block of indices at a time."""

    __slots__ = ("entropy", "prefix", "blocks")

    def __init__(self, prefix: list[int]):
        self.entropy = [int(p) for p in prefix]
        self.prefix = [w for p in self.entropy for w in words(p)]
        self.blocks: dict[int, np.ndarray] = {}

    def generator(self, i: int) -> np.random.Generator:
        if not 0 <= i <= M32:  # more than one word: numpy's own (never for a day's customers)
            return np.random.Generator(np.random.PCG64(np.random.SeedSequence([*self.entropy, i])))
        b, k = divmod(i, BLOCK)
        block = self.blocks.get(b)
        if block is None:
            idx = np.arange(b * BLOCK, (b + 1) * BLOCK, dtype=np.uint64)
            block = self.blocks[b] = seed_words([np.full(BLOCK, w, np.uint64) for w in self.prefix] + [idx])
        return np.random.Generator(np.random.PCG64(_Words(block[k])))
