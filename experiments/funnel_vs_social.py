"""Study 1 — the phone funnel against direct social handling, for one population of customers on one staffing budget.

System: scenarios/study_funnel_vs_social.toml. About 2,200 retail customers a day with an issue (08:00–20:00, the
retail_phone forecast) each contact the brand either by phone — retail_phone's funnel: trunk lines, a 3-level IVR with
self-service, misrouting and cold transfers between three departments, hold announcements, redials, callbacks,
first-contact resolution 0.78 with repeat calls — or by a post answered directly by a social team in
asynchronous messaging (agents work only on replies; up to 3 threads held per agent, +18% work per reply per
extra thread held, 3–6 replies needed, equal work content: the replies add up to a phone call's mean handle time; the
reply the issue needs resolves it with the phone's 0.78; customers who wait too long for a reply leave silently, reply
patience exponential with mean 8 h [assumed]). The reputation
model of retail_reputation.toml runs on top (exposure, sentiment, pile-ons, callers complaining in public after a bad
call, word of mouth, silent churn, repeat complaints; deflection off, see below).

Designs: the share of customers choosing social, s = 0 (a: the phone funnel), 0.25, 0.5 (c: a blend), 0.75, 1 (b:
direct social). The staffing budget per 30 minutes is retail_phone's rota priced at each team's cost per agent-hour
(8,961 a day); a design gives the phone teams (1 − s) of their rota (rounded) and the social team the rest of the
budget (rounded to whole agents at its cost per hour), so every design costs the same to within rounding (the actual
cost is reported). The full mode repeats this at 1.5× and 2× the budget.

What is shared between designs — pairing, without faking it ([choice], ``sim.choice``): the same seed and replication
indices; the population's arrival instants (one stream, ``choice.arrivals``, with the day's busyness); each customer's
choice uniform (so a customer on social at s = 0.25 is on social at every larger s); each customer's phone persona
(issue and department, priority, handle and patience draws, IVR path, redial and resolution draws: the phone channel's
streams, indexed by the customer's place in the population) and social persona (kind, reach, public or not, messages,
think times, reply patience, resolution: the social channel's streams, same indexing) — identical in every design.
What is not shared: a customer's phone persona and social persona are independent draws (nothing links a long call to a
long conversation, or a billing issue to a complaint); posts caused by the reputation model (pile-ons, spillover,
repeat complaints) are decided per contact and depend on what happened to it. Deflection is off because a deflected
question would take a customer out of the population before they post.

Per replication, over the customers of the population (first contacts of the day; posts caused by the reputation model
are load, not customers), with issues still open at midnight counted as unresolved:

- ``time_to_human_median_min``: first contact to the first human — an agent answering (a diagnosis counts) or the first
  agent message posted — median over customers who did not self-serve in the IVR, never reached = infinitely long;
  ``reached_human_share``.
- ``resolved_share``; ``resolved_within_2h_share`` (consumers expect a call back within 2 h, domain notes §3);
  ``time_to_resolution_median_min`` (all customers, unresolved = infinitely long: infinite when fewer than half are
  resolved); ``time_to_resolution_mean_min`` (resolved customers only).
- ``transfers_per_customer`` (phone transfers; the social model has none); ``contacts_per_customer`` (customer effort:
  calls dialled — first, redials, repeats — or messages written — the post and each reply); ``line_min_per_customer``
  (IVR, hold and talk over all attempts, return calls from the answer; a social customer is never held on a line).
- ``cost`` (rostered agent-hours × cost per hour) and ``cost_per_resolved`` (cost ÷ customers resolved).
- Reputation (channel ``reputation`` of the results): ``net_reputation_per_day``, ``revenue_at_risk_per_day``,
  ``pile_on_posts``, ``spillover_posts``.

Beside the simulated resolved share of direct social, ``exact`` gives its ceiling with unlimited staff
(``social_resolution_ceiling``): with unlimited staff nobody waits, so nobody leaves silently and the ceiling is the
resolve share (0.78); the lack of a second try on social caps it whatever the budget.

Every design is compared with the phone funnel at the same budget by the paired difference over replications (95% t
CI); ``var_ratio`` shows what pairing bought.

    .venv/bin/python experiments/funnel_vs_social.py [--quick] [--out plots] [--workers N]

Writes OUT/funnel_vs_social.csv (budget, share, metric: mean and 95% CI, the paired difference from the phone funnel
with its CI, the exact ceiling) and OUT/funnel_vs_social.png; prints the headline table.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.experiment import paired_difference, summarize
from sim.experiment.tasks import run_tasks
from sim.plots.studies import funnel_vs_social_figure

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "study_funnel_vs_social.toml"
PHONE_TEAMS = ("orders_team", "billing_team", "service_team")
SOCIAL_TEAM = "social_team"
SEED = 2024
CAUSED = 500_000_000  # contact ids past this offset (per channel) are later attempts or posts caused by reputation
NAMES = {0.0: "(a) phone funnel", 0.5: "(c) blend", 1.0: "(b) direct social"}
REPUTATION = ("net_reputation_per_day", "revenue_at_risk_per_day", "pile_on_posts", "spillover_posts")


def design(share_social: float, budget: float = 1.0) -> dict:
    """Overrides for a design: the choice shares and the rota split of ``budget`` × retail_phone's rota cost."""
    base = sim.load_scenario(SCENARIO)
    raw = base.raw["agents"]
    rota = {g: np.asarray(raw[g]["count"], float) for g in PHONE_TEAMS}
    price = {g: float(raw[g]["cost_per_hour"]) for g in PHONE_TEAMS}
    per_slot = budget * sum(rota[g] * price[g] for g in PHONE_TEAMS)
    ov = {"choice.channels": {"phone": round(1 - share_social, 12), "social": share_social}}
    phone_cost = np.zeros_like(per_slot)
    for g in PHONE_TEAMS:
        count = np.rint(rota[g] * budget * (1 - share_social)).astype(int)
        ov[f"agents.{g}.count"] = count.tolist()
        phone_cost += count * price[g]
    social = np.maximum(np.rint((per_slot - phone_cost) / float(raw[SOCIAL_TEAM]["cost_per_hour"])), 0).astype(int)
    ov[f"agents.{SOCIAL_TEAM}.count"] = social.tolist()
    ov[f"agents.{SOCIAL_TEAM}.interval"] = raw[PHONE_TEAMS[0]]["interval"]
    return ov


def social_resolution_ceiling(sc) -> float:
    """P(a post is resolved) with unlimited staff, exactly. Messaging (the default): nobody waits for a reply, so
    nobody leaves silently, and every thread gets the replies its issue needs: Σ_kind share · resolve. Sessions
    (``mode = "session"``): a conversation of n agent messages completes if the customer answers each of the first
    n − 1 — they go quiet after each with probability ``silence`` and a reply slower than the inactivity timeout closes
    it too — and a completed one resolves with ``resolve[kind]``:
    Σ_n P(n) · ((1 − silence) · P(think ≤ timeout))^(n − 1) · Σ_kind share · resolve."""
    from scipy import stats

    from sim.distributions import Exponential, Lognormal
    from sim.social.spec import conversation_spec

    spec = conversation_spec(sc.channels["social"])
    resolve = sum(sh * spec.resolve[k] for k, sh in zip(spec.kinds, spec.kind_shares))
    if spec.messaging:
        return resolve
    think, t = spec.think_time, spec.inactivity_timeout_s
    if isinstance(think, Lognormal):
        on_time = float(stats.lognorm.cdf(t, think.sigma, scale=np.exp(think.mu)))
    elif isinstance(think, Exponential):
        on_time = float(-np.expm1(-t / think.mean))
    else:
        return np.nan
    if spec.exchanges.geometric_mean is not None:
        return np.nan
    q = (1 - spec.silence) * on_time
    complete = sum(w * q ** (n - 1) for n, w in zip(spec.exchanges.values, spec.exchanges.weights))
    return complete * resolve


def _median(x: np.ndarray) -> float:
    """Median with +inf for 'never' (NaN only for no customers at all)."""
    return float(np.median(x)) if len(x) else np.nan


def customer_metrics(contacts: pd.DataFrame, legs: pd.DataFrame | None, horizon: float) -> dict[str, float]:
    """The population customers' numbers of one replication (see the module notes)."""
    c = contacts
    local = c["contact_id"] % 10**9
    ph = c[(c["channel"] == "phone") & ((c["customer_id"] % 10**9) < CAUSED)]
    so = c[(c["channel"] == "social") & (local < CAUSED)]
    inf = np.inf

    # phone customers: every attempt of a customer shares the first dial's id
    g = ph.groupby("customer_id", sort=False)
    first_at = g["arrival_at_s"].min()
    human_at = g["first_answer_at_s"].min().reindex(first_at.index)
    resolved = ph["resolved"].astype("boolean").fillna(False).to_numpy(bool)
    res_at = ph[resolved].groupby("customer_id")["end_at_s"].min().reindex(first_at.index)
    self_served = ph[ph["outcome"] == "self_served"].groupby("customer_id").size().reindex(first_at.index).notna()
    self_served &= human_at.isna()
    own = ph["origin"].astype(object).isin(["first", "redial", "repeat"]).to_numpy()
    origin_cb = (ph["origin"].astype(object) == "callback").to_numpy()
    start = np.where(origin_cb, ph["answer_at_s"].to_numpy(float), ph["arrival_at_s"].to_numpy(float))
    end = np.where(np.isnan(ph["end_at_s"].to_numpy(float)), horizon, ph["end_at_s"].to_numpy(float))
    line = np.nan_to_num(np.clip(end - start, 0, None))
    p_human = np.where(human_at.isna(), inf, human_at - first_at)[~self_served.to_numpy()]
    p_res = np.where(res_at.isna(), inf, res_at - first_at)

    # social customers: one post each
    s_first = so["arrival_at_s"].to_numpy(float)
    s_human = np.nan_to_num(so["first_response_s"].to_numpy(float), nan=inf)
    s_resolved = so["resolved"].astype("boolean").fillna(False).to_numpy(bool)
    s_res = np.where(s_resolved, so["resolved_at_s"].to_numpy(float) - s_first, inf)
    replies = 0
    if legs is not None and len(so):
        lg = legs[(legs["stage"] == "reply") & legs["contact_id"].isin(so["contact_id"])]
        replies = len(lg)

    n_phone, n_social = len(first_at), len(so)
    n = n_phone + n_social
    human = np.concatenate([p_human, s_human])
    res = np.concatenate([p_res, s_res])
    done = res[np.isfinite(res)]
    return {
        "customers": float(n), "phone_customers": float(n_phone), "social_customers": float(n_social),
        "reached_human_share": float(np.mean(np.isfinite(human))) if len(human) else np.nan,
        "time_to_human_median_min": _median(human) / 60,
        "resolved_share": float(np.mean(np.isfinite(res))) if n else np.nan,
        "time_to_resolution_median_min": _median(res) / 60,
        "time_to_resolution_mean_min": float(done.mean()) / 60 if len(done) else np.nan,
        "resolved_within_2h_share": float(np.mean(res <= 2 * 3600)) if n else np.nan,
        "transfers_per_customer": float(ph["transfers"].fillna(0).sum()) / n if n else np.nan,
        "contacts_per_customer": (float(own.sum()) + n_social + replies) / n if n else np.nan,
        "line_min_per_customer": float(line.sum()) / 60 / n if n else np.nan,
        "resolved_customers": float(np.isfinite(res).sum()),
    }


def replication_rows(res, horizon: float) -> pd.DataFrame:
    """Tidy (replication, metric, value) rows of one design's results."""
    rows = []
    legs = getattr(res, "messages", None)  # the conversations' messages (reply think times)
    per = res.replications
    for rep, c in res.contact_view().groupby("replication", sort=True):
        m = customer_metrics(c, None if legs is None else legs[legs["replication"] == rep], horizon)
        r = per[per["replication"] == rep]
        cost = r[(r["channel"] == "all") & (r["metric"] == "cost")]["value"]
        m["cost"] = float(cost.iloc[0]) if len(cost) else np.nan
        m["cost_per_resolved"] = m["cost"] / m["resolved_customers"] if m["resolved_customers"] else np.nan
        for metric in REPUTATION:
            v = r[(r["channel"] == "reputation") & (r["metric"] == metric)]["value"]
            m[metric] = float(v.iloc[0]) if len(v) else np.nan
        rows += [(rep, k, v) for k, v in m.items()]
    return pd.DataFrame(rows, columns=["replication", "metric", "value"])


def _simulate(tasks: list, reps: int, folder: Path) -> None:
    """Run each (task id, budget, share) design and store its per-replication rows as Parquet (worker side)."""
    for i, budget, share in tasks:
        sc = sim.load_scenario(SCENARIO, overrides=design(share, budget))
        res = sim.run(sc, replications=reps, seed=SEED)
        t = replication_rows(res, sc.run.horizon_s).assign(budget=budget, share_social=share)
        tmp = folder / f"task{i:04d}.parquet.tmp"
        t.to_parquet(tmp, index=False)
        tmp.replace(folder / f"task{i:04d}.parquet")


def study(quick: bool, workers: int, folder: Path) -> pd.DataFrame:
    shares = (0.0, 0.5, 1.0) if quick else (0.0, 0.25, 0.5, 0.75, 1.0)
    budgets = (1.0,) if quick else (1.0, 1.5, 2.0)
    reps = 3 if quick else 20
    tasks = [(i, b, s) for i, (b, s) in enumerate((b, s) for b in budgets for s in shares)]
    rows = run_tasks(_simulate, tasks, reps, workers, folder)
    with np.errstate(invalid="ignore"):  # a median that is infinite in some replications has no finite sd
        table = summarize(rows, ["budget", "share_social", "metric"])
    diffs = []
    for b in budgets:
        base = rows[(rows["budget"] == b) & (rows["share_social"] == 0.0)].assign(channel="all")
        for s in shares:
            other = rows[(rows["budget"] == b) & (rows["share_social"] == s)].assign(channel="all")
            with np.errstate(invalid="ignore"):
                d = paired_difference(base, other, keys=("channel", "metric"))
            diffs.append(d.assign(budget=b, share_social=s))
    d = pd.concat(diffs, ignore_index=True)[["budget", "share_social", "metric", "diff", "diff_ci_low", "diff_ci_high",
                                             "significant", "var_ratio"]]
    table = table.merge(d, on=["budget", "share_social", "metric"], how="left")
    table.insert(2, "design", [NAMES.get(s, f"blend, {s:.0%} on social") for s in table["share_social"]])
    ceiling = social_resolution_ceiling(sim.load_scenario(SCENARIO))
    table["exact"] = np.where((table["metric"] == "resolved_share") & (table["share_social"] == 1.0), ceiling, np.nan)
    return table.sort_values(["metric", "budget", "share_social"]).reset_index(drop=True)


HEADLINE = ("time_to_human_median_min", "reached_human_share", "resolved_share", "resolved_within_2h_share",
            "time_to_resolution_median_min", "transfers_per_customer", "contacts_per_customer", "line_min_per_customer", "cost", "cost_per_resolved",
            "net_reputation_per_day", "revenue_at_risk_per_day")


def main(argv=None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 replications, shares 0 / 0.5 / 1, one budget (test suite)")
    ap.add_argument("--out", default=str(ROOT / "plots"))
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        table = study(args.quick, args.workers, Path(tmp))
    table.to_csv(out / "funnel_vs_social.csv", index=False)
    fig = funnel_vs_social_figure(table, ("time_to_human_median_min", "reached_human_share", "resolved_share",
                                          "resolved_within_2h_share", "transfers_per_customer",
                                          "contacts_per_customer", "line_min_per_customer", "cost_per_resolved",
                                          "net_reputation_per_day"))
    fig.savefig(out / "funnel_vs_social.png", dpi=110, bbox_inches="tight")
    print(f"direct social, unlimited staff: P(resolved) = {social_resolution_ceiling(sim.load_scenario(SCENARIO)):.4f}")
    for b, t in table[table["metric"].isin(HEADLINE)].groupby("budget"):
        print(f"\nbudget {b:g}× retail_phone's rota — mean [95% CI]; paired difference from the phone funnel [95% CI]:")
        t = t.assign(value=[f"{m:.4g} [{lo:.4g}, {hi:.4g}]" for m, lo, hi in zip(t["mean"], t["ci_low"], t["ci_high"])],
                     vs_phone=[f"{d:+.4g} [{lo:+.4g}, {hi:+.4g}]" if s > 0 else "" for d, lo, hi, s in
                               zip(t["diff"], t["diff_ci_low"], t["diff_ci_high"], t["share_social"])])
        wide = t.pivot_table(index="metric", columns="design", values=["value", "vs_phone"], aggfunc="first",
                             sort=False)
        print(wide["value"].reindex(HEADLINE).to_string())
        print(wide["vs_phone"].reindex(HEADLINE).drop(columns=[NAMES[0.0]], errors="ignore").to_string())
    return table


if __name__ == "__main__":
    main()
