"""A run of weeks, one day at a time: candidates → thinning by the reputation state → the day on the kernel → outcomes
into customers' histories and the state → the next day.

Each day is one replication of the scenario's one-day model (``sim.core.Model`` with every feature, replication key
``1000·replication + day``): every channel's feed gets *all* the day's candidates (regular and incident) in time
order, with those who were not accepted, chose another channel or were deflected passed by (``Feed.share_arrivals``,
as ``[choice]`` does). So candidate j of day d has the same handle time, patience, post kind and reach in every
design (common random numbers), and its contact id on a channel is the channel's id prefix + j.

A contact is *bad* when it ended ``abandoned`` (in the queue or the IVR), ``blocked``, ``ignored`` or ``silent``, or its delay (phone: wait;
social: first response, or time to the day's end when none came) exceeded ``tolerance``. A bad social contact is a
public bad experience (it feeds the state, ``sim.reputation.state``). With a ``[reputation]`` section the day also has
the posts its live mechanisms add (pile-ons, callers complaining in public, repeat complaints), and a phone funnel's
redials and callbacks are further contacts: counted as ``added`` and in the day's contacts and bad experiences, but
of no customer's history (a customer's history has their first contact of each candidate).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from sim.calendar import DAY, busyness_factors
from sim.core import Model, contact_id_base
from sim.demand import UNIFORMS, Candidates, candidates, piece_at, thin
from sim.horizons import resolved_at
from sim.incidents import incident_times, status_post
from sim.population import Population
from sim.reputation.config import reputation_of
from sim.reputation.deflection import Deflection, DeflectionBoard
from sim.reputation.experience import BAD_OUTCOMES, GOOD, NEUTRAL
from sim.reputation.ledger import ReplyValue
from sim.reputation.state import ReputationState
from sim.reputation.word_of_mouth import WordOfMouth
from sim.results import KIND_TABLES, contact_table, contact_view
from sim.streams import Streams

DAY_COLUMNS = ("replication", "day", "week", "counted", "candidates", "accepted", "clamped", "new", "returning",
               "incident", "deflected", "added", "contacts_phone", "contacts_social", "delay_phone_s", "delay_social_s", "bad",
               "public_bad", "lost", "gone", "state", "demand_multiplier", "active", "resolved", "deterred", "won",
               "value_lost", "value_deterred", "value_won", "reply_value")


@dataclass(frozen=True)
class Day:
    """One day's demand plan, shared by every design: the scenario's demand, the bound and the candidates."""

    starts: np.ndarray
    base: np.ndarray  # the scenario's demand per second on each piece (all channels)
    by_channel: np.ndarray  # the same, per channel (channels × pieces): a channel with none is closed
    busyness: float  # the day's factor (sim.calendar.busyness_factors; 1 without run.busyness_cv)
    bound: np.ndarray
    regular: Candidates
    incident: Candidates


def day_plan(scenario, spec, streams: Streams, day: int) -> Day:
    """The day's candidates: regular ones at the bound, incident ones at the incident's rate."""
    cal = scenario.calendar
    pieces = [ch.arrivals.rate_pieces(DAY, cal, ch.open_hours, np.ones(1)) for ch in scenario.channels.values()]
    starts = np.unique(np.concatenate([p[0] for p in pieces]))
    busy = busyness_factors(streams.generator(f"weeks.day{day}.busyness"), scenario.run.busyness_cv, 1)[0]
    by_channel = busy * np.array([piece_at(s, r, starts) for s, r in pieces])
    base = by_channel.sum(axis=0)
    bound = spec.bound * base
    rng = streams.generator(f"weeks.day{day}.candidates")
    regular = candidates(starts, bound, DAY, rng)
    inc = spec.incident
    irng = streams.generator(f"weeks.day{day}.incident")
    times = incident_times(inc, day * DAY, (day + 1) * DAY, irng) if inc is not None else np.empty(0)
    u = irng.random((len(UNIFORMS), len(times)))
    return Day(starts, base, by_channel, busy, bound, regular, Candidates(times, {n: u[k] for k, n in enumerate(UNIFORMS)}))


class _Inject:
    """The feature that gives every feed the day's candidates (attached first)."""

    name = "weeks_day"

    def __init__(self, times: list[float], channel: np.ndarray, names: tuple[str, ...]):
        self.times, self.channel, self.names = times, channel, names

    def attach(self, model: Any) -> None:
        for k, name in enumerate(self.names):
            model.feed(name).share_arrivals(self.times, (self.channel != k).tolist())


class WeeksRun:
    """One replication of one design over warm-up and measured weeks."""

    def __init__(self, scenario, features, replication: int, seed: int):
        self.scenario = scenario
        self.spec = scenario.sections["weeks"]
        self.features = tuple(f for f in features if f.name != "weeks")
        self.replication, self.seed = replication, seed
        self.streams = Streams(seed, replication)
        self.channels = tuple(scenario.channels)
        self.population = Population(self.spec.population, self.channels)
        self.state = ReputationState(self.spec.state)
        self.published = np.zeros(len(self.channels))  # yesterday's mean delay per channel
        rep = reputation_of(scenario)
        self.wom = rep.word_of_mouth if rep is not None and rep.word_of_mouth is not None else WordOfMouth()
        self.reply_value = rep.sentiment.reply_value if rep is not None else ReplyValue()
        self.deflection = rep.deflection if rep is not None and rep.deflection is not None else Deflection()
        self.won_carry = 0.0  # expected customers won, not yet whole
        self.base_returning = self.spec.population.known * self.spec.population.returning  # per day
        self.attrition_rate = self.spec.population.attrition
        if self.attrition_rate is None:  # stationary at the scenario's mean demand (busyness 1) with nobody lost
            plan = day_plan(scenario, self.spec, self.streams, 0)
            daily = float(np.sum(plan.base * np.diff(np.append(plan.starts, DAY)))) / plan.busyness
            known = max(self.spec.population.known, 1)
            self.attrition_rate = min(max(daily - self.base_returning, 0.0) / known, 1.0)

    def run(self) -> pd.DataFrame:
        days = 7 * (self.spec.warmup_weeks + self.spec.weeks)
        return pd.DataFrame([self.day(d) for d in range(days)], columns=list(DAY_COLUMNS))

    def rates(self, plan: Day) -> tuple[np.ndarray, np.ndarray]:
        """(new customers', returning customers') demand per second on each piece of the day."""
        new0, ret = self._demand(plan)
        return (new0 * self.state.demand_multiplier(), ret) if self.spec.feedback else (new0, ret)

    def _demand(self, plan: Day) -> tuple[np.ndarray, np.ndarray]:
        """(new customers' demand of a brand nobody complains about, returning customers' demand) per piece."""
        base = plan.base
        shape = base / max(float(np.sum(base * np.diff(np.append(plan.starts, DAY)))), 1e-300)
        ret0 = self.base_returning * shape
        new0 = np.maximum(base - ret0, 0.0)
        if not self.spec.feedback:
            return new0, ret0
        return new0, self.population.active() * self.spec.population.returning * shape

    def day(self, d: int) -> dict:
        spec, pop = self.spec, self.population
        active_start = pop.active()
        plan = day_plan(self.scenario, spec, self.streams, d)
        reg, inc = plan.regular, plan.incident
        new0, ret_r = self._demand(plan)
        new_r, _ = self.rates(plan)
        at_new, at_ret = piece_at(plan.starts, new_r, reg.times), piece_at(plan.starts, ret_r, reg.times)
        at_bound = piece_at(plan.starts, plan.bound, reg.times)
        accepted, clamped = thin(reg, at_new + at_ret, at_bound)
        # new customers the reputation state kept away: accepted at m = 1, not at m(S) (the same uniforms)
        deterred = int((thin(reg, piece_at(plan.starts, new0, reg.times) + at_ret, at_bound)[0] & ~accepted).sum())
        is_new = reg.u["kind_u"] * (at_new + at_ret) < at_new
        ids = np.full(len(reg), -1, np.int64)
        ids[accepted & ~is_new] = pop.returning_ids(reg.u["who_u"][accepted & ~is_new])
        ids[accepted & is_new] = pop.add(int((accepted & is_new).sum()))
        accepted &= ids >= 0
        chan = np.full(len(reg), -1, np.int64)
        if spec.feedback:
            open_ = np.array([piece_at(plan.starts, r, reg.times[accepted]) > 0 for r in plan.by_channel])
            chan[accepted] = pop.choose(ids[accepted], reg.u["channel_u"][accepted], self.published, open_)
        else:  # the scenario's shares, whatever the delays and histories
            cum = np.cumsum([spec.population.shares.get(n, 0.0) for n in self.channels])
            chan[accepted] = np.minimum(np.searchsorted(cum, reg.u["channel_u"][accepted], side="right"),
                                        len(self.channels) - 1)
        i_ids, i_chan, deflected = self.incident_contacts(d, inc)
        times = np.concatenate([reg.times, inc.times])
        order = np.argsort(times, kind="stable")
        who = np.concatenate([ids, i_ids])[order]
        channel = np.concatenate([chan, i_chan])[order]
        loss_u = np.concatenate([reg.u["loss_u"], inc.u["loss_u"]])[order]
        contacts, questions_deflected = self.simulate(d, times[order].tolist(), channel)
        delay, bad, k_of, ch_of = self.outcomes(contacts)
        # contacts of no candidate: posts a [reputation] model adds within the day (pile-ons, spillover, repeats)
        own = (k_of >= 0) & (k_of < len(times))  # the others: caused posts, a funnel's redials
        if not np.allclose(contacts["arrival_at_s"].to_numpy(float)[own], times[order][k_of[own]]):
            raise RuntimeError("a contact does not match its candidate (contact ids are no longer prefix + j + 1)")
        lost = pop.record(who[k_of[own]], ch_of[own], delay[own], bad[own], loss_u[k_of[own]])
        public_bad = int(bad[ch_of == self._index("social")].sum())
        state_today, multiplier = self.state.value, self.state.demand_multiplier()
        self.state.end_of_day(public_bad)
        gone = pop.attrition(self.attrition_rate, self.streams.generator(f"weeks.day{d}.attrition").random(pop.n))
        won = self.win(ch_of[own], bad[own]) if spec.feedback else 0
        pop.add(won)
        for k in range(len(self.channels)):
            on = ch_of == k
            if on.any():
                self.published[k] = float(np.mean(delay[on]))
        n_deflected = int(deflected.sum()) + questions_deflected
        value = spec.value_per_customer
        warm = 7 * spec.warmup_weeks
        row = {"replication": self.replication, "day": d - warm, "week": (d - warm) // 7, "counted": d >= warm,
               "candidates": len(reg), "accepted": int(accepted.sum()), "clamped": clamped,
               "new": int((accepted & is_new).sum()), "returning": int((accepted & ~is_new).sum()),
               "incident": len(inc), "deflected": n_deflected, "added": int((~own).sum()),
               "contacts_phone": int((ch_of == self._index("phone")).sum()),
               "contacts_social": int((ch_of == self._index("social")).sum()),
               "delay_phone_s": self._mean(delay, ch_of, "phone"), "delay_social_s": self._mean(delay, ch_of, "social"),
               "bad": int(bad.sum()), "public_bad": public_bad, "lost": int(lost.sum()), "gone": gone,
               "state": state_today, "demand_multiplier": multiplier, "active": pop.active(),
               "resolved": int(np.isfinite(resolved_at(contacts)).sum()) + n_deflected, "deterred": deterred,
               "won": won, "value_lost": value * int(lost.sum()), "value_deterred": value * deterred,
               "value_won": value * won, "reply_value": self._reply_value(contacts, ch_of)}
        if row["active"] != active_start + row["new"] + won - row["lost"] - gone:
            raise RuntimeError("the customer ledger does not balance")
        return row

    def incident_contacts(self, d: int, inc: Candidates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The incident's contacts of day ``d``: (customer, channel index or −1, deflected). Affected known customers,
        their channel by the incident's shares; a proactive brand's status post is a public answer on the
        incident's topic (``sim.reputation.deflection``) that deflects some of them, decided in time order by the
        deflection board with each contact's own uniform."""
        pop, spec = self.population, self.spec.incident
        i_ids = pop.returning_ids(inc.u["who_u"])
        i_chan = np.full(len(inc), -1, np.int64)
        deflected = np.zeros(len(inc), bool)
        if spec is None or not len(inc):
            return i_ids, i_chan, deflected
        names = list(spec.channels)
        cum = np.cumsum([spec.channels[n] for n in names])
        pick = np.minimum(np.searchsorted(cum, inc.u["channel_u"], side="right"), len(names) - 1)
        i_chan = np.array([self.channels.index(names[k]) for k in pick], np.int64)
        post = status_post(spec)
        board = DeflectionBoard(self.deflection, () if post is None else (post,))
        at = d * DAY + inc.times
        for j in np.flatnonzero(i_ids >= 0):
            deflected[j] = board.decide(self.channels[i_chan[j]], spec.topic, float(at[j]), float(inc.u["deflect_u"][j]))
        i_chan[deflected | (i_ids < 0)] = -1
        return i_ids, i_chan, deflected

    def win(self, channel: np.ndarray, bad: np.ndarray) -> int:
        """Customers won today by word of mouth (``sim.reputation.word_of_mouth``): each good experience is told to
        share × told_good people (× social_multiplier on social), of whom ``conversion`` become customers; the
        expected number is accumulated and whole customers join the population at the day's end."""
        social = channel == self._index("social")
        told = self.wom.people_told(np.where(bad, NEUTRAL, GOOD), social)
        self.won_carry += self.wom.conversion * float(told.sum())
        won = int(math.floor(self.won_carry + 1e-9))
        self.won_carry -= won
        return won

    def _reply_value(self, c: pd.DataFrame, ch_of: np.ndarray) -> float:
        """The replies' willingness to pay (``sim.reputation.ledger.ReplyValue``) of the day's social first responses."""
        if "first_response_s" not in c:
            return 0.0
        fr = c["first_response_s"].to_numpy(float)[ch_of == self._index("social")]
        fr = fr[np.isfinite(fr)]
        return float(self.reply_value.value(fr).sum()) if len(fr) else 0.0

    def _index(self, name: str) -> int:
        return self.channels.index(name) if name in self.channels else -2

    def _mean(self, x: np.ndarray, ch: np.ndarray, name: str) -> float:
        on = ch == self._index(name)
        return float(np.mean(x[on])) if on.any() else float("nan")

    def simulate(self, d: int, times: list[float], channel: np.ndarray) -> tuple[pd.DataFrame, int]:
        """The day on the kernel: every feed meets every candidate; (the contacts table with its kinds' columns joined
        (``sim.results.contact_view``: first responses of the conversations), questions deflected within the day by
        public answers (the reputation table's ``deflected``))."""
        inject = _Inject(times, channel, self.channels)
        model = Model(self.scenario, 1000 * self.replication + d, self.seed, (inject, *self.features))
        book = model.run()
        frames = book.frames()
        kinds = {n: frames[n].assign(replication=self.replication) for n in KIND_TABLES if n in frames}
        events = book["reputation"] if "reputation" in book else {}  # the deflection board's decisions of the day
        deflected = len(events.get("deflected_at_s", ()))
        return contact_view(contact_table(self.scenario, self.replication, frames["contacts"]), kinds), deflected

    def outcomes(self, c: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per contact: (delay, bad, candidate index, channel index)."""
        ch_of = np.array([self.channels.index(n) for n in c["channel"].astype(str)], np.int64)
        base = np.array([contact_id_base(self.channels[k]) for k in ch_of], np.int64)
        k_of = c["contact_id"].to_numpy(np.int64) - base - 1  # the feed's j-th customer has id prefix + j + 1
        delay = c["wait_s"].to_numpy(float).copy()
        if "first_response_s" in c:
            social = ch_of == self._index("social")
            fr = c["first_response_s"].to_numpy(float)
            delay[social] = np.where(np.isnan(fr), DAY - c["arrival_at_s"].to_numpy(float), fr)[social]
        tol = np.array([self.spec.tolerance_s.get(n, np.inf) for n in self.channels])[ch_of]
        bad = np.isin(c["outcome"].astype(str), BAD_OUTCOMES) | (delay > tol)
        return delay, bad, k_of, ch_of


def run_weeks(scenario, replications=1, seed: int | None = None, features=None) -> pd.DataFrame:
    """One row per replication and day (``DAY_COLUMNS``); warm-up days have ``counted`` False and negative ``day``."""
    from sim.extensions import FEATURES

    feats = FEATURES if features is None else features
    seed = scenario.run.seed if seed is None else seed
    reps = range(replications) if isinstance(replications, int) else replications
    return pd.concat([WeeksRun(scenario, feats, r, seed).run() for r in reps], ignore_index=True)


def with_design(scenario, **spec_changes):
    """The scenario with its ``[weeks]`` spec changed (a study's design)."""
    sections = dict(scenario.sections)
    sections["weeks"] = replace(sections["weeks"], **spec_changes)
    return replace(scenario, sections=sections)
