"""A run of weeks, one day at a time: candidates → thinning by the reputation state → the day on the kernel → outcomes
into customers' histories and the state → the next day.

Each day is one replication of the scenario's one-day model (``sim.core.Model`` with every feature, replication key
``1000·replication + day``): every channel's feed gets *all* the day's candidates (regular and incident) in time
order, with those who were not accepted, chose another channel or were deflected passed by (``Feed.share_arrivals``,
as ``[choice]`` does). So candidate j of day d has the same handle time, patience, post kind and reach in every
design (common random numbers), and its contact id on a channel is the channel's id prefix + j.

A contact is *bad* when it ended ``abandoned``, ``blocked``, ``ignored`` or ``silent``, or its delay (phone: wait;
social: first response, or time to the day's end when none came) exceeded ``tolerance``. A bad social contact is a
public bad experience (it feeds the state, ``sim.reputation.state``). With a ``[reputation]`` section the day also has
the posts its live mechanisms add (pile-ons, callers complaining in public, repeat complaints): counted as ``added``
and in the day's contacts and public bad experiences, but of no customer of the population.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from sim.calendar import DAY
from sim.core import Model, contact_id_base
from sim.demand import UNIFORMS, Candidates, candidates, piece_at, thin
from sim.incidents import incident_times, proactive_deflection
from sim.population import Population
from sim.reputation.state import ReputationState
from sim.results import KIND_TABLES, contact_table, contact_view
from sim.streams import Streams

BAD_OUTCOMES = ("abandoned", "blocked", "ignored", "silent")
DAY_COLUMNS = ("replication", "day", "week", "counted", "candidates", "accepted", "clamped", "new", "returning",
               "incident", "deflected", "added", "contacts_phone", "contacts_social", "delay_phone_s", "delay_social_s", "bad",
               "public_bad", "lost", "gone", "state", "demand_multiplier", "active")


@dataclass(frozen=True)
class Day:
    """One day's demand plan, shared by every design: the scenario's demand, the bound and the candidates."""

    starts: np.ndarray
    base: np.ndarray  # the scenario's demand per second on each piece (all channels)
    bound: np.ndarray
    regular: Candidates
    incident: Candidates


def day_plan(scenario, spec, streams: Streams, day: int) -> Day:
    """The day's candidates: regular ones at the bound, incident ones at the incident's rate."""
    cal = scenario.calendar
    pieces = [ch.arrivals.rate_pieces(DAY, cal, ch.open_hours, np.ones(1)) for ch in scenario.channels.values()]
    starts = np.unique(np.concatenate([p[0] for p in pieces]))
    base = np.sum([piece_at(s, r, starts) for s, r in pieces], axis=0)
    bound = spec.bound * base
    rng = streams.generator(f"weeks.day{day}.candidates")
    regular = candidates(starts, bound, DAY, rng)
    inc = spec.incident
    irng = streams.generator(f"weeks.day{day}.incident")
    times = incident_times(inc, day * DAY, (day + 1) * DAY, irng) if inc is not None else np.empty(0)
    u = irng.random((len(UNIFORMS), len(times)))
    return Day(starts, base, bound, regular, Candidates(times, {n: u[k] for k, n in enumerate(UNIFORMS)}))


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
        self.base_returning = self.spec.population.known * self.spec.population.returning  # per day
        self.attrition_rate = self.spec.population.attrition
        if self.attrition_rate is None:  # stationary at the scenario's demand with nobody lost
            plan = day_plan(scenario, self.spec, self.streams, 0)
            daily = float(np.sum(plan.base * np.diff(np.append(plan.starts, DAY))))
            known = max(self.spec.population.known, 1)
            self.attrition_rate = min(max(daily - self.base_returning, 0.0) / known, 1.0)

    def run(self) -> pd.DataFrame:
        days = 7 * (self.spec.warmup_weeks + self.spec.weeks)
        return pd.DataFrame([self.day(d) for d in range(days)], columns=list(DAY_COLUMNS))

    def rates(self, plan: Day) -> tuple[np.ndarray, np.ndarray]:
        """(new customers', returning customers') demand per second on each piece of the day."""
        base = plan.base
        shape = base / max(float(np.sum(base * np.diff(np.append(plan.starts, DAY)))), 1e-300)
        ret0 = self.base_returning * shape
        new0 = np.maximum(base - ret0, 0.0)
        if not self.spec.feedback:
            return new0, ret0
        ret = self.population.active() * self.spec.population.returning * shape
        return new0 * self.state.demand_multiplier(), ret

    def day(self, d: int) -> dict:
        spec, pop = self.spec, self.population
        plan = day_plan(self.scenario, spec, self.streams, d)
        reg, inc = plan.regular, plan.incident
        new_r, ret_r = self.rates(plan)
        at_new, at_ret = piece_at(plan.starts, new_r, reg.times), piece_at(plan.starts, ret_r, reg.times)
        accepted, clamped = thin(reg, at_new + at_ret, piece_at(plan.starts, plan.bound, reg.times))
        is_new = reg.u["kind_u"] * (at_new + at_ret) < at_new
        ids = np.full(len(reg), -1, np.int64)
        ids[accepted & ~is_new] = pop.returning_ids(reg.u["who_u"][accepted & ~is_new])
        ids[accepted & is_new] = pop.add(int((accepted & is_new).sum()))
        accepted &= ids >= 0
        chan = np.full(len(reg), -1, np.int64)
        if spec.feedback:
            chan[accepted] = pop.choose(ids[accepted], reg.u["channel_u"][accepted], self.published)
        else:  # the scenario's shares, whatever the delays and histories
            cum = np.cumsum([spec.population.shares.get(n, 0.0) for n in self.channels])
            chan[accepted] = np.minimum(np.searchsorted(cum, reg.u["channel_u"][accepted], side="right"),
                                        len(self.channels) - 1)
        # incident contacts: affected known customers, channel by the incident's shares, deflected by a status post
        i_ids = pop.returning_ids(inc.u["who_u"])
        i_chan = np.full(len(inc), -1, np.int64)
        deflected = np.zeros(len(inc), bool)
        if spec.incident is not None and len(inc):
            names = list(spec.incident.channels)
            cum = np.cumsum([spec.incident.channels[n] for n in names])
            pick = np.minimum(np.searchsorted(cum, inc.u["channel_u"], side="right"), len(names) - 1)
            i_chan = np.array([self.channels.index(names[k]) for k in pick], np.int64)
            deflected = inc.u["deflect_u"] < proactive_deflection(spec.incident, d * DAY + inc.times)
            i_chan[deflected | (i_ids < 0)] = -1
        times = np.concatenate([reg.times, inc.times])
        order = np.argsort(times, kind="stable")
        who = np.concatenate([ids, i_ids])[order]
        channel = np.concatenate([chan, i_chan])[order]
        loss_u = np.concatenate([reg.u["loss_u"], inc.u["loss_u"]])[order]
        contacts = self.simulate(d, times[order].tolist(), channel)
        delay, bad, k_of, ch_of = self.outcomes(contacts)
        # contacts of no candidate: posts a [reputation] model adds within the day (pile-ons, spillover, repeats)
        own = (k_of >= 0) & (k_of < len(times))
        if not np.allclose(contacts["arrival_at_s"].to_numpy(float)[own], times[order][k_of[own]]):
            raise RuntimeError("a contact does not match its candidate (contact ids are no longer prefix + j + 1)")
        lost = pop.record(who[k_of[own]], ch_of[own], delay[own], bad[own], loss_u[k_of[own]])
        public_bad = int(bad[ch_of == self._index("social")].sum())
        state_today, multiplier = self.state.value, self.state.demand_multiplier()
        self.state.end_of_day(public_bad)
        gone = pop.attrition(self.attrition_rate, self.streams.generator(f"weeks.day{d}.attrition").random(pop.n))
        for k in range(len(self.channels)):
            on = ch_of == k
            if on.any():
                self.published[k] = float(np.mean(delay[on]))
        warm = 7 * spec.warmup_weeks
        return {"replication": self.replication, "day": d - warm, "week": (d - warm) // 7, "counted": d >= warm,
                "candidates": len(reg), "accepted": int(accepted.sum()), "clamped": clamped,
                "new": int((accepted & is_new).sum()), "returning": int((accepted & ~is_new).sum()),
                "incident": len(inc), "deflected": int(deflected.sum()), "added": int((~own).sum()),
                "contacts_phone": int((ch_of == self._index("phone")).sum()),
                "contacts_social": int((ch_of == self._index("social")).sum()),
                "delay_phone_s": self._mean(delay, ch_of, "phone"), "delay_social_s": self._mean(delay, ch_of, "social"),
                "bad": int(bad.sum()), "public_bad": public_bad, "lost": int(lost.sum()), "gone": gone, "state": state_today,
                "demand_multiplier": multiplier, "active": pop.active()}

    def _index(self, name: str) -> int:
        return self.channels.index(name) if name in self.channels else -2

    def _mean(self, x: np.ndarray, ch: np.ndarray, name: str) -> float:
        on = ch == self._index(name)
        return float(np.mean(x[on])) if on.any() else float("nan")

    def simulate(self, d: int, times: list[float], channel: np.ndarray) -> pd.DataFrame:
        """The day on the kernel: every feed meets every candidate; the contacts table with its kinds' columns joined
        (``sim.results.contact_view``: first responses of the conversations)."""
        inject = _Inject(times, channel, self.channels)
        model = Model(self.scenario, 1000 * self.replication + d, self.seed, (inject, *self.features))
        frames = model.run().frames()
        kinds = {n: frames[n].assign(replication=self.replication) for n in KIND_TABLES if n in frames}
        return contact_view(contact_table(self.scenario, self.replication, frames["contacts"]), kinds)

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
