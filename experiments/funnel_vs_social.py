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
call, word of mouth, silent churn, repeat complaints; see the designs below for what is switched).

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
repeat complaints) are decided per contact and depend on what happened to it. A deflected question takes a customer
out of the contacts before they post; the study counts them back in from ``Results.deflections`` (each deflected
question's customer and time, ``sim.horizons.tries``), as customers of the social side resolved at once. A deflected
follow-up is the same customer, resolved when it was deflected and counted once (``deflected_follow_ups``: how many).

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
resolve share (0.78); in the original design, the lack of a second try on social caps it whatever the budget.

Every design is compared with the phone funnel at the same budget by the paired difference over replications (95% t
CI); ``var_ratio`` shows what pairing bought.

Next-try design (the default, ``--design next-try``): both sides carry the same next-try rule (``NEXT_TRY``: two
named ``[next_try.<name>]`` rows, docs/next_try.md) — after any failed or unresolved contact (phone: a busy signal, a
hang-up, an unresolved call; social: an ignored, silent or unresolved thread) the customer tries again on the same
channel with probability 0.8 after an exponential delay of mean 3 h [assumed: the original design's phone call-again];
the phone's own redials and call-again, the spillover posts and repeat complaints are off (``SYMMETRIC``) — and
self-service counts as resolution on both sides: the IVR's self-served callers and the social customers whose question
a public answer deflected (deflection on, fraction 0.2 [assumed]; the deflected are customers with an issue, resolved
at once, ``deflected_customers``). A customer's follow-ups are the same customer (resolved when one of them is, or
when one is deflected). Both
sides are judged by the same horizon: resolved by midnight of the day (a one-day run). That horizon cuts next tries
late in the day: the phone line and the social team close at 20:00, and with arrivals as the forecast's and a mean
3 h delay about 17% of next tries drawn from the first contact's moment fall after 20:00 (about 4.5% after midnight;
46% and 28% at a mean of 8 h), so they count only if they happen by midnight — a cut that falls on both sides alike
but penalises long delays. ``--horizon 24h`` judges by resolution within 24 h of the first contact instead: a two-day
run (twice the CPU) whose first day's customers count, their next tries on the second day included
(``funnel_vs_social_24h.csv``; time to a human is cut at 24 h too; cost is the two days'). ``--design single-try``
keeps the earlier symmetric design (a single try on both sides, otherwise the same); ``--design original`` restores
the one-sided design (phone redials 0.5 and repeat calls 0.8, spillover and repeat complaints on, deflection off).

Sensitivity (``--sensitivity``; ``--sensitivity-only`` skips the table): the paired difference in resolved share,
direct social − phone funnel at the same budget, in the next-try design, over ``DRIVERS`` (every unsourced driver
with a range around its value, and the budget; each side's next-try row is two drivers of its own, probability and
mean delay, so the two sides' next tries are swept apart): a tornado (2D + 1 points), Morris screening (3
trajectories: 3(D + 1) points) and Sobol indices on the top 2 drivers (Saltelli, N = 8: N(2k + 2) = 48 points), each
point both designs over the same replication (common random numbers): with D = 14, 122 points × 2 designs × 1
replication = 244 one-day runs (``--reps 4 --sensitivity``: these and the table's 60 runs took 153 s CPU, README).
Sized for a shared 2-core machine: few trajectories, a small Sobol N and one replication give wide CIs; raise
``SENS_*`` for more.

    .venv/bin/python experiments/funnel_vs_social.py [--quick] [--out plots] [--workers N] [--reps R]
        [--design next-try|single-try|original] [--horizon midnight|24h] [--shares 0,1]
        [--sensitivity | --sensitivity-only]

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
from sim.horizons import tries
from sim.plots.studies import funnel_vs_social_figure

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "study_funnel_vs_social.toml"
PHONE_TEAMS = ("orders_team", "billing_team", "service_team")
SOCIAL_TEAM = "social_team"
SEED = 2024
DAY = 86_400.0
CAUSED = 500_000_000  # contact ids past this offset (per channel) are later attempts or posts caused by reputation
NAMES = {0.0: "(a) phone funnel", 0.5: "(c) blend", 1.0: "(b) direct social"}
REPUTATION = ("net_reputation_per_day", "revenue_at_risk_per_day", "pile_on_posts", "spillover_posts")


# The single-try design (``--design single-try``; the next-try design adds NEXT_TRY to it): the same next-try rule on
# both sides — a single try (no redial, no repeat call, no spillover post, no repeat complaint) — and self-service
# counted on both sides: IVR self-service on the phone,
# deflection (a public answer read by a customer with the same question, fraction 0.2 [assumed], docs/reputation.md)
# on social.
SYMMETRIC = {"channels.phone.redials.probability": 0.0, "channels.phone.resolution.call_again": 0.0,
             "reputation.spillover.enabled": False, "reputation.repeat.enabled": False,
             "reputation.deflection": {"enabled": True, "fraction": 0.2}}


# The next-try design (the default, ``--design next-try``): the single-try design with one next-try rule for both sides,
# two named [[next_try]] rows (``[next_try.<name>]``, so a sweep reaches ``next_try.phone_again.probability`` and
# ``next_try.phone_again.delay.mean``) with the original design's phone call-again (0.8 after a mean 3 h [assumed]) for
# every failed or unresolved contact — phone after a busy signal, a hang-up or an unresolved call; social after an
# ignored, silent or unresolved thread.
NEXT_TRY_DELAY = {"dist": "exponential", "mean": "3h"}
NEXT_TRY = {"next_try": {
    "phone_again": {"from": "phone", "after": ["blocked", "abandoned", "abandoned_ivr", "served"], "to": "phone",
                    "probability": 0.8, "delay": dict(NEXT_TRY_DELAY)},
    "social_again": {"from": "social", "after": ["ignored", "silent", "served"], "to": "social", "probability": 0.8,
                     "delay": dict(NEXT_TRY_DELAY)}}}
DESIGNS = ("next-try", "single-try", "original")


def design(share_social: float, budget: float = 1.0, symmetric: bool = False) -> dict:
    """Overrides for a design: the choice shares and the rota split of ``budget`` × retail_phone's rota cost; with
    ``symmetric`` the same next-try rule and self-service counting on both sides (``SYMMETRIC``)."""
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
    return {**ov, **SYMMETRIC} if symmetric else ov


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


def customer_metrics(contacts: pd.DataFrame, legs: pd.DataFrame | None, horizon: float,
                     deflections: pd.DataFrame | None = None, within: float | None = None) -> dict[str, float]:
    """The population customers' numbers of one replication (see the module notes). ``deflections``: the questions a
    public answer deflected (``Results.deflections``, no contact row): each resolves its customer at once — a customer
    whose first question it was is a social customer with an issue, self-served; a deflected follow-up resolves the
    customer its first post counts. ``within`` (seconds; the ``--horizon 24h`` mode): only customers whose first try
    is on the first day count, and an issue is resolved when it is resolved within ``within`` of the first try (a next
    try on the next day counts; the run lasts a day longer)."""
    c = contacts
    d = deflections if deflections is not None else pd.DataFrame(
        {"customer_id": pd.Series(dtype="int64"), "channel": pd.Series(dtype=object),
         "deflected_at_s": pd.Series(dtype=float)})
    d = d[(d["customer_id"] % 10**9) < CAUSED]  # the population's questions (a caused post is a complaint)
    if within is not None:  # the first day's customers, all their tries (also those of the next day)
        first = pd.concat([c.groupby("customer_id")["arrival_at_s"].min(),
                           d.groupby("customer_id")["deflected_at_s"].min()]).groupby(level=0).min()
        day1 = first.index[first.to_numpy() < DAY]
        c, d = c[c["customer_id"].isin(day1)], d[d["customer_id"].isin(day1)]
    local = c["contact_id"] % 10**9
    ph = c[(c["channel"] == "phone") & ((c["customer_id"] % 10**9) < CAUSED)]
    later = c["next_try_of"].to_numpy() >= 0 if "next_try_of" in c else np.zeros(len(c), bool)
    # the population's posts and their follow-ups (sim.next_try): a follow-up keeps its customer's id, so one of a
    # post caused by the reputation model (a pile-on: another person, id past CAUSED) is load, not a customer
    population = (c["customer_id"] % 10**9) < CAUSED
    so = c[(c["channel"] == "social") & population & ((local < CAUSED) | later)]
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
    if within is not None:
        p_human = np.where(p_human <= within, p_human, inf)
    p_res = np.where(res_at.isna(), inf, res_at - first_at)
    if within is not None:
        p_res = np.where(p_res <= within, p_res, inf)

    # social customers: a post and its follow-ups (one post each in a single-try design), and the deflected questions
    # (sim.horizons.tries: every try of a customer, a deflected one resolved at once); a deflected follow-up of a
    # phone customer (a phone → social next try) resolves that phone customer
    d_phone = d[d["customer_id"].isin(first_at.index)]
    if len(d_phone):
        at = d_phone.groupby("customer_id")["deflected_at_s"].min().reindex(first_at.index)
        p_res = np.minimum(p_res, np.nan_to_num((at - first_at).to_numpy(float), nan=inf))
        if within is not None:
            p_res = np.where(p_res <= within, p_res, inf)
    d_social = d[~d["customer_id"].isin(first_at.index)]
    t = tries(so.assign(replication=0), d_social.assign(replication=0))
    sg = t.groupby("customer", sort=False)
    first_post = sg["arrival"].first()
    posted = ~sg["deflected"].first().to_numpy(bool)  # first try a post; else self-served: resolved at once, never
    deflected = int((~posted).sum())                  # needed a human (left out of time to human, like the IVR's)
    replied = (so["arrival_at_s"] + so["first_response_s"]).groupby(so["customer_id"], sort=False).min()
    s_human = np.nan_to_num((replied.reindex(first_post.index) - first_post).to_numpy(float), nan=inf)[posted]
    s_res = np.nan_to_num((sg["resolved_at"].min() - first_post).to_numpy(float), nan=inf)
    if within is not None:
        s_res = np.where(s_res <= within, s_res, inf)
        s_human = np.where(s_human <= within, s_human, inf)
    follow_ups = int(d_social["customer_id"].isin(so["customer_id"]).sum()) + len(d_phone)
    replies = 0
    if legs is not None and len(so):
        lg = legs[(legs["stage"] == "reply") & legs["contact_id"].isin(so["contact_id"])]
        replies = len(lg)

    n_phone, n_social = len(first_at), len(first_post)
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
        "contacts_per_customer": (float(own.sum()) + len(so) + replies) / n if n else np.nan,
        "line_min_per_customer": float(line.sum()) / 60 / n if n else np.nan,
        "resolved_customers": float(np.isfinite(res).sum()),
        "self_served_share": (float(self_served.sum()) + deflected) / n if n else np.nan,
        "deflected_customers": float(deflected),
        "deflected_follow_ups": float(follow_ups),
    }


def replication_rows(res, horizon: float, within: float | None = None) -> pd.DataFrame:
    """Tidy (replication, metric, value) rows of one design's results (``within``: see ``customer_metrics``)."""
    rows = []
    legs = getattr(res, "messages", None)  # the conversations' messages (reply think times)
    per = res.replications
    defl = res.deflections
    for rep, c in res.contact_view().groupby("replication", sort=True):
        d = None if defl is None else defl[(defl["replication"] == rep) & (defl["channel"] == "social")]
        m = customer_metrics(c, None if legs is None else legs[legs["replication"] == rep], horizon, d, within)
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
    """Run each (task id, budget, share, symmetric, extra overrides) design and store its per-replication rows as
    Parquet (worker side). An extra ``"within"`` (seconds) runs two days and counts the first day's customers resolved
    within that long (``customer_metrics``)."""
    for i, budget, share, symmetric, extra in tasks:
        extra = dict(extra)
        within = extra.pop("within", None)
        if within is not None:
            extra["run.horizon"] = "2d"
        sc = sim.load_scenario(SCENARIO, overrides={**design(share, budget, symmetric), **extra})
        res = sim.run(sc, replications=reps, seed=SEED)
        t = replication_rows(res, sc.run.horizon_s, within).assign(budget=budget, share_social=share, task=i)
        tmp = folder / f"task{i:04d}.parquet.tmp"
        t.to_parquet(tmp, index=False)
        tmp.replace(folder / f"task{i:04d}.parquet")


def study(quick: bool, workers: int, folder: Path, symmetric: bool = True, reps: int | None = None,
          extra: dict | None = None, shares: tuple[float, ...] | None = None) -> pd.DataFrame:
    shares = shares or ((0.0, 0.5, 1.0) if quick else (0.0, 0.25, 0.5, 0.75, 1.0))
    budgets = (1.0,) if quick else (1.0, 1.5, 2.0)
    reps = reps or (3 if quick else 20)
    tasks = [(i, b, s, symmetric, extra or {}) for i, (b, s) in enumerate((b, s) for b in budgets for s in shares)]
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
    # the exact ceiling holds without deflection (deflected customers are resolved on top of it)
    ceiling = np.nan if symmetric else social_resolution_ceiling(sim.load_scenario(SCENARIO))
    table["exact"] = np.where((table["metric"] == "resolved_share") & (table["share_social"] == 1.0), ceiling, np.nan)
    return table.sort_values(["metric", "budget", "share_social"]).reset_index(drop=True)


# The sensitivity analysis (``--sensitivity``): every unsourced driver of the headline with a range around its value,
# and the budget (a condition of the answer, not an assumption). The metric is the paired difference in resolved share,
# direct social − phone funnel, both at the same budget, in the next-try design (the default): each next-try row's
# probability and mean delay is a driver of its own, so the two sides' next tries are swept apart.
DRIVERS = {  # key: (low, high, integer, what it is)
    "budget": (1.0, 2.0, False, "staffing budget × retail_phone's rota cost (design)"),
    "channels.social.reply_patience.mean": ("2h", "24h", False, "silent abandonment while waiting for a reply [assumed 8h]"),
    "channels.social.unconfirmed": (0.0, 0.5, False, "share resolved without confirming [assumed]"),
    "channels.social.resolve": (0.65, 0.9, False, "resolved by the reply the issue needs [assumed 0.78]"),
    "channels.social.replies_needed.high": (4, 8, True, "most agent replies an issue needs (low 3) [assumed 6]"),
    "channels.social.affinity_window": ("1min", "30min", False, "thread kept by its agent [assumed 15min]"),
    "agents.social_team.concurrency": (2, 5, True, "threads per agent [practice 2–4]"),
    "reputation.deflection.fraction": (0.0, 0.4, False, "questions deflected by a public answer [assumed 0.2]"),
    "channels.phone.patience.mean": ("2min", "8min", False, "caller patience [assumed 4min]"),
    "channels.phone.resolution.first_contact": (0.65, 0.9, False, "first-contact resolution [assumed 0.78]"),
    "next_try.phone_again.probability": (0.4, 1.0, False, "phone next try after a failed or unresolved call [assumed 0.8]"),
    "next_try.phone_again.delay.mean": ("30min", "8h", False, "mean delay of the phone next try [assumed 3h]"),
    "next_try.social_again.probability": (0.4, 1.0, False, "social follow-up after an ignored, silent or unresolved "
                                          "thread [assumed 0.8]"),
    "next_try.social_again.delay.mean": ("30min", "8h", False, "mean delay of the social follow-up [assumed 3h]"),
}
SENS_REPS, SENS_TRAJECTORIES, SENS_TOP, SENS_N = 1, 3, 2, 8


def sensitivity_spec():
    from sim.experiment.sensitivity import SensitivitySpec, parse_spec

    params = {k: {"low": lo, "high": hi, "integer": integer} for k, (lo, hi, integer, _) in DRIVERS.items()}
    parsed = parse_spec({"sensitivity": {"metric": "resolved_share"}, "parameters": params}, source="DRIVERS")
    return SensitivitySpec(drivers=parsed.drivers, replications=SENS_REPS, seed=SEED, metric="resolved_share",
                           trajectories=SENS_TRAJECTORIES, levels=4, top=SENS_TOP, sobol_n=SENS_N, resamples=200,
                           name="funnel vs social")


def _overrides(setting: dict) -> tuple[float, dict]:
    """A design point's budget and overrides: the next-try design's rows first (``NEXT_TRY``), then the point's dotted
    keys, which reach into them (applied in order by ``sim.load_scenario``)."""
    extra: dict = {**NEXT_TRY}
    extra.update({k: v for k, v in setting.items() if k not in ("budget", "reputation.deflection.fraction")})
    extra["reputation.deflection"] = {"enabled": True, "fraction": float(setting["reputation.deflection.fraction"])}
    return float(setting["budget"]), extra


def sensitivity(workers: int, folder: Path) -> pd.DataFrame:
    """Tornado, Morris and Sobol (sim.experiment.sensitivity) of social − funnel resolved share over ``DRIVERS``;
    each design point is both designs at the same budget over the same ``SENS_REPS`` replications."""
    from sim.experiment.sensitivity import analyse

    spec = sensitivity_spec()
    calls = iter(range(1000))

    def evaluate(stage: str, points: list[dict]) -> np.ndarray:
        tasks = []
        for j, setting in enumerate(points):
            budget, extra = _overrides(setting)
            tasks += [(2 * j, budget, 0.0, True, extra), (2 * j + 1, budget, 1.0, True, extra)]
        sub = folder / f"{stage}{next(calls)}"
        sub.mkdir()
        rows = run_tasks(_simulate, tasks, spec.replications, workers, sub)
        r = rows[rows["metric"] == "resolved_share"].assign(point=lambda d: d["task"] // 2)
        wide = r.pivot_table(index=["point", "replication"], columns="share_social", values="value")
        print(f"  {stage}: {len(points)} design points × 2 designs × {spec.replications} replications", flush=True)
        return (wide[1.0] - wide[0.0]).groupby("point").mean().reindex(range(len(points))).to_numpy(float)

    table = analyse(spec, evaluate)
    table.insert(1, "what", [DRIVERS[k][3] for k in table["driver"]])
    return table


HEADLINE = ("time_to_human_median_min", "reached_human_share", "resolved_share", "resolved_within_2h_share",
            "time_to_resolution_median_min", "transfers_per_customer", "contacts_per_customer", "line_min_per_customer", "cost", "cost_per_resolved",
            "net_reputation_per_day", "revenue_at_risk_per_day")


def main(argv=None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 replications, shares 0 / 0.5 / 1, one budget (test suite)")
    ap.add_argument("--out", default=str(ROOT / "plots"))
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--design", choices=DESIGNS, default="next-try",
                    help="next-try (default): one next-try rule on both sides (NEXT_TRY) and self-service counted on "
                         "both; single-try: the same with a single try on both sides; original: the phone's redials "
                         "and repeat calls, spillover, repeat complaints, deflection off")
    ap.add_argument("--shares", help="comma-separated shares on social (default 0,0.25,0.5,0.75,1; must include 0)")
    ap.add_argument("--reps", type=int, help="replications per design (default 20, --quick 3)")
    ap.add_argument("--sensitivity", action="store_true",
                    help="also run the sensitivity analysis over DRIVERS (tornado, Morris, Sobol on the top 2)")
    ap.add_argument("--horizon", choices=("midnight", "24h"), default="midnight",
                    help="midnight (default): a one-day run, resolved by midnight; 24h: a two-day run, the first "
                         "day's customers resolved within 24 h of their first contact (twice the CPU)")
    ap.add_argument("--sensitivity-only", action="store_true",
                    help="only the sensitivity analysis (writes only its CSV and figure)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame()
    if not args.sensitivity_only:
        with tempfile.TemporaryDirectory() as tmp:
            shares = tuple(float(x) for x in args.shares.split(",")) if args.shares else None
            extra = dict(NEXT_TRY) if args.design == "next-try" else {}
            if args.horizon == "24h":
                extra["within"] = DAY
            table = study(args.quick, args.workers, Path(tmp), symmetric=args.design != "original", reps=args.reps,
                          extra=extra, shares=shares)
    if args.sensitivity or args.sensitivity_only:
        from sim.plots.sensitivity import sensitivity_figure

        with tempfile.TemporaryDirectory() as tmp:
            sens = sensitivity(args.workers, Path(tmp))
        sens.to_csv(out / "funnel_vs_social_sensitivity.csv", index=False)
        sensitivity_figure(sens, "resolved share: direct social − phone funnel", out /
                           "funnel_vs_social_sensitivity.png")
        print(sens[["driver", "low", "high", "effect_low", "effect_high", "mu_star", "mu_star_ci_low",
                    "mu_star_ci_high", "sigma", "S1", "ST"]].to_string(index=False))
    if args.sensitivity_only:
        return table
    name = "funnel_vs_social" if args.horizon == "midnight" else "funnel_vs_social_24h"
    table.to_csv(out / f"{name}.csv", index=False)
    fig = funnel_vs_social_figure(table, ("time_to_human_median_min", "reached_human_share", "resolved_share",
                                          "resolved_within_2h_share", "transfers_per_customer",
                                          "contacts_per_customer", "line_min_per_customer", "cost_per_resolved",
                                          "net_reputation_per_day"))
    fig.savefig(out / f"{name}.png", dpi=110, bbox_inches="tight")
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
