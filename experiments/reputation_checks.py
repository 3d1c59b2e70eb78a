"""The reputation model's exact checks, with the numbers: estimate, exact value, standard error (the tests in
tests/test_reputation_*.py assert the same comparisons; this prints them for docs/reputation.md).

    .venv/bin/python experiments/reputation_checks.py [--expectations]   (only the expectation checks)
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.reputation.config import reputation_of  # noqa: E402
from sim.reputation.exposure import VisibilityCurve  # noqa: E402
from sim.reputation.hawkes import (  # noqa: E402
    ExponentialKernel,
    PileOn,
    PowerLawKernel,
    VisibilityKernel,
    mean_power_of_reach,
    simulate_cascades,
)
from sim.social.spec import Reach, conversation_spec  # noqa: E402

ROWS = []


def row(check: str, estimate: float, exact: float, se: float) -> None:
    z = (estimate - exact) / se if se > 0 else float("nan")
    ROWS.append((check, estimate, exact, se, z))
    print(f"{check:<62} {estimate:>12.5g} {exact:>12.5g} {se:>10.3g} {z:>6.2f}", flush=True)


def cascades() -> None:
    reach = Reach()
    curve = VisibilityCurve()
    kernels = {"visibility": VisibilityKernel(curve), "exponential 30 min": ExponentialKernel(1800.0),
               "power law c=60 s, θ=0.5": PowerLawKernel(60.0, 0.5)}
    base = mean_power_of_reach(reach, 0.5, 50.0)
    seed = 1
    for name, k in kernels.items():
        for n_star, delay in ((0.2, math.inf), (0.5, math.inf), (0.8, math.inf), (0.5, 300.0), (0.8, 3600.0)):
            p = PileOn(excitation=n_star / base, damping=0.25, kernel=k)
            n_eff = p.damped_branching_ratio(reach, delay) if math.isfinite(delay) else p.branching_ratio(reach)
            s = simulate_cascades(p, reach, 200_000, np.random.default_rng(seed), reply_delay_s=delay)
            seed += 1
            what = "no replies" if not math.isfinite(delay) else f"replies after {delay / 60:g} min"
            row(f"cascade size, {name}, n*={n_star}, {what}", s.mean(), 1 / (1 - n_eff),
                s.std(ddof=1) / math.sqrt(len(s)))


def engine() -> None:
    from tests.test_reputation_model import ONLY_EXPOSURE, scenario, social_raw

    raw = social_raw(rate="900/h", horizon="1d", agents=18, reps=2, phone=False, kinds={"complaint": 1.0},
                     public=1.0, exchanges=1, message_time={"dist": "exponential", "mean": "1min"},
                     triage={"answer": 0.8},
                     reputation={**ONLY_EXPOSURE, "pile_on": {"excitation": 0.45, "kernel": "exponential",
                                                              "kernel_mean": "20min", "damping": 0.3}})
    sc = scenario(raw)
    c = sim.run(sc).contact_view()
    pile = reputation_of(sc).pile_on
    r_dist = conversation_spec(sc.channels["social"]).reach
    left = sc.run.horizon_s - c["arrival_at_s"].to_numpy()
    r = np.minimum(np.nan_to_num(c["first_response_s"].to_numpy(), nan=np.inf), left)
    g = pile.kernel.cdf
    lam = (pile.mark(c["reach"].to_numpy(), r_dist) * (g(r) + pile.damping * (g(left) - g(r)))).sum()
    row("pile-on posts in a run vs their compensator (2 days)", float((c["caused_by"] == "pile_on").sum()), lam,
        math.sqrt(lam))

    coef = {"intercept": 1.5, "per_wait_minute": 0.3, "failed": 1.0}
    raw = social_raw(rate="10/h", horizon="1d", agents=1, reps=2, triage={"answer": 0.0},
                     reputation={**ONLY_EXPOSURE, "spillover": coef})
    raw["channels"]["phone"]["arrivals"] = {"rate": "300/h"}
    raw["agents"]["phone"]["count"] = 19
    c = sim.run(scenario(raw)).contact_view()
    calls = c[(c["channel"] == "phone") & c["outcome"].isin(["served", "abandoned"])]
    end = np.where(calls["answer_at_s"].notna(), calls["answer_at_s"], calls["end_at_s"])
    x = 1.5 + 0.3 * (end - calls["arrival_at_s"].to_numpy()) / 60 + 1.0 * (calls["outcome"] == "abandoned").to_numpy()
    p = 1 / (1 + np.exp(-x.astype(float)))
    row("callers who posted vs Σ p(call)", float(calls["posted_publicly"].sum()), p.sum(),
        math.sqrt((p * (1 - p)).sum()))


def exposure_deflection_churn() -> None:
    from sim.engine import Model
    from sim.reputation.experience import BAD, valence
    from tests.test_reputation_model import ONLY_EXPOSURE, scenario, social_raw

    raw = social_raw(rate="2000/h", horizon="1d", agents=1, reps=2, phone=False, public=0.6, triage={"answer": 0.0},
                     reach={"exponent": 6.0, "min": 50, "cap": 10_000_000}, reputation=dict(ONLY_EXPOSURE))
    sc = scenario(raw)
    c = sim.run(sc).contact_view()
    curve = reputation_of(sc).exposure
    reach = conversation_spec(sc.channels["social"]).reach
    grid = np.linspace(0.0, sc.run.horizon_s, 200_001)
    lam = 2000 / 3600 * 0.6
    exact = 2 * lam * mean_power_of_reach(reach, 1.0, 1.0) * curve.impressions_per_follower * float(
        np.trapezoid(curve.share(grid), grid))
    ex2 = float(np.mean(reach.sample(np.random.default_rng(0), 2_000_000).astype(float) ** 2))
    var = 2 * lam * ex2 * curve.impressions_per_follower ** 2 * float(np.trapezoid(curve.share(grid) ** 2, grid))
    row("impressions of never-answered posts, 2 days (reach exponent 6)", float(c["impressions"].sum()), exact,
        math.sqrt(var))

    raw = social_raw(rate="300/h", horizon="1d", agents=30, reps=1, phone=False, kinds={"question": 1.0},
                     public=1.0, exchanges=1, message_time={"dist": "deterministic", "value": "1min"},
                     reputation={**ONLY_EXPOSURE, "deflection": {"fraction": 0.9, "duration": "2h", "topics": 3}})
    sc = scenario(raw)
    ev = Model(sc, 0, sc.run.seed).run()["reputation"]
    p = ev["deflection_p"]
    row("deflected questions vs Σ P(deflected)", float(len(ev["deflected_at_s"])), p.sum(),
        math.sqrt((p * (1 - p)).sum()))

    raw = {"schema": 1, "run": {"horizon": "1d", "replications": 2, "seed": 9},
           "channels": {"phone": {"arrivals": {"rate": "400/h"}, "handle_time": {"dist": "exponential", "mean": "4min"},
                                  "patience": {"dist": "exponential", "mean": "1min"}}},
           "agents": {"phone": {"serves": ["phone"], "count": 24}},
           "reputation": {"value_per_customer": 400.0, "churn": {"probability": 0.95}}}
    c = sim.run(scenario(raw)).contact_view()
    k = int(((valence(c) == BAD) & c["end_at_s"].notna().to_numpy()).sum())
    row("churned vs 0.95 × bad experiences nobody saw", float(c["churned"].sum()), 0.95 * k,
        math.sqrt(k * 0.95 * 0.05))


def expectations() -> None:
    from tests.test_reputation_expectations import big_desk_run, churn_check, word_of_mouth_checks

    sc, res = big_desk_run()
    row("churn of a desk nobody waits for vs N/H·∫D(r)f(r)(H−r)dr", *churn_check(sc, res))
    for what, got, exact, se in word_of_mouth_checks(sc, res):
        row(f"word of mouth ({what}) of the same desk vs its integral", got, exact, se)


def main() -> None:
    print(f"{'check':<62} {'estimate':>12} {'exact':>12} {'SE':>10} {'z':>6}")
    if "--expectations" in sys.argv:
        expectations()
        return
    cascades()
    engine()
    exposure_deflection_churn()
    expectations()


if __name__ == "__main__":
    main()
