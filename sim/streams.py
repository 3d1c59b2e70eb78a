"""Independent random streams, one per source of randomness, keyed by (seed, replication, stream name).

A stream's seed comes from a stable hash of its *name* (not from spawn order), so adding a channel, a group or a feature
never shifts the draws of any other stream (domain notes §5: common random numbers, one stream per random source).
"""
from __future__ import annotations

import hashlib

import numpy as np


def stable_hash(name: str) -> int:
    """A 64-bit integer from a stream name, identical across processes, platforms and Python versions."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


class Streams:
    """The random streams of one replication."""

    def __init__(self, seed: int, replication: int):
        self.seed = int(seed)
        self.replication = int(replication)

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence([self.seed, self.replication, stable_hash(name)])

    def generator(self, name: str) -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(self.seed_sequence(name)))
