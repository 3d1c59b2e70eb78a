"""The slow input fuzzer: ≥ 10,000 mutated scenarios and forecast CSVs (not part of the suite; a few minutes).

    .venv/bin/python -m tests.fuzz_slow [--cases 10000] [--seed 1] [--run-share 0.02]

Prints how many cases of each mutation kind ran and what came back (clean error, valid, valid and run, failures);
exits 1 on any traceback, accepted NaN/infinity or message not on one line naming its file (and key).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter

from tests.fuzzing import KINDS, SCENARIOS, Workspace, run_case


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--run-share", type=float, default=0.02, help="share of accepted cases also simulated briefly")
    args = ap.parse_args(argv)
    rnd = random.Random(args.seed)
    ws = Workspace()
    tally: dict[str, Counter] = {k: Counter() for k in KINDS}
    failures = []
    t0 = time.perf_counter()
    try:
        for _ in range(args.cases):
            kind, source = rnd.choice(KINDS), rnd.choice(SCENARIOS)
            out = run_case(kind, source, rnd.randrange(2**32), ws, args.run_share)
            tally[kind][out.verdict] += 1
            tally[kind]["ran"] += out.ran
            if out.failed:
                failures.append(out)
    finally:
        ws.close()
    print(report(tally, time.perf_counter() - t0))
    for f in failures[:20]:
        print(f"\nFAILED {f.kind} on {f.source}: {f.verdict}\n{f.detail}")
    return 1 if failures else 0


def report(tally: dict[str, Counter], seconds: float) -> str:
    cols = ("error", "valid", "ran", "not_applicable", "traceback", "accepted_nonfinite", "bad_message")
    lines = [f"{'kind':<20}" + "".join(f"{c:>19}" for c in cols)]
    for kind, c in tally.items():
        lines.append(f"{kind:<20}" + "".join(f"{c[x]:>19}" for x in cols))
    total = Counter()
    for c in tally.values():
        total.update(c)
    lines.append(f"{'all':<20}" + "".join(f"{total[x]:>19}" for x in cols))
    lines.append(f"{sum(total[x] for x in cols if x != 'ran')} cases in {seconds:.1f} s")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
