"""The customers' generators seeded in blocks (sim.funnel.seeds) are numpy's SeedSequence-seeded ones, bit for bit."""
import numpy as np
import pytest

from sim.funnel.seeds import BLOCK, BlockSeeds, seed_words, words
from sim.streams import stable_hash


@pytest.mark.parametrize("prefix", [[2024, 0, stable_hash("phone.customer")], [0, 0, 0], [1, 7, 2**32 - 1],
                                    [2**40 + 3, 12, 5], [5], [2**64 + 9, 2**33, 0, 4, 1]])
def test_seed_words_are_numpys(prefix):
    keys = list(range(0, 40)) + [BLOCK - 1, BLOCK, 3 * BLOCK + 17, 2**32 - 1]
    got = seed_words([np.full(len(keys), w, np.uint64) for p in prefix for w in words(p)]
                     + [np.array(keys, np.uint64)])
    for row, k in zip(got, keys):
        want = np.random.SeedSequence([*prefix, k]).generate_state(4, np.uint64)
        assert row.tolist() == want.tolist()


def test_generators_draw_the_same_numbers():
    prefix = [2024, 3, stable_hash("phone.customer")]
    seeds = BlockSeeds(prefix)
    for k in (0, 1, 2, 500, BLOCK + 1, 2**32 + 5):
        mine, numpys = seeds.generator(k), np.random.Generator(np.random.PCG64(np.random.SeedSequence([*prefix, k])))
        assert mine.random(8).tolist() == numpys.random(8).tolist()
        assert mine.lognormal(1.0, 0.5, 3).tolist() == numpys.lognormal(1.0, 0.5, 3).tolist()
        assert mine.integers(1 << 62) == numpys.integers(1 << 62)
