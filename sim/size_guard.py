"""The size guard: how big one replication of a scenario will be, estimated before anything runs.

A typo such as ``count = 1000000000000``, ``rate = "1e9/h"`` or ``horizon = "100000d"`` would otherwise hang the
machine or exhaust its memory. ``estimate(scenario)`` gives contacts, events and memory per replication from the
scenario alone (the forecast's expected volumes, the seated agents, the reporting intervals); ``guard(scenario)``
refuses a scenario above the limits below with the estimate and the key that drives it. ``contactsim run`` and
``contactsim staff`` call it; ``--force`` goes ahead anyway. It also warns about a channel that offers no contact
over the horizon (an empty or mis-dated forecast, opening hours outside the run).

The limits are generous for one machine (a day of a large centre is about 100,000 contacts):
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.calendar import n_days
from sim.errors import InputError
from sim.input_warnings import warn_input

MAX_CONTACTS = 5_000_000      # first-attempt contacts per replication, all channels
MAX_EVENTS = 100_000_000      # simulated events per replication
MAX_AGENTS = 100_000          # agents seated at once, all groups
MAX_MEMORY = 4 * 2**30        # bytes of tables per replication (4 GiB)
MAX_INTERVALS = 1_000_000     # reporting intervals per replication (horizon / [run] interval)

EVENTS_PER_CONTACT = 12       # arrival, queue, answer, end, wrap-up, redial, transfer, messages … [assumed, generous]
BYTES_PER_CONTACT = 1_200     # a contact row with legs and bookkeeping [measured order of magnitude]
BYTES_PER_INTERVAL_ROW = 200  # one interval × channel or group row


@dataclass
class SizeEstimate:
    """Per replication: expected first-attempt contacts, events, peak agents, reporting intervals, bytes."""

    contacts: float
    events: float
    agents: float
    intervals: float
    memory_bytes: float
    pieces: float = 0.0  # most forecast or staffing intervals of one profile over the horizon
    by_channel: dict[str, float] = field(default_factory=dict)
    by_group: dict[str, float] = field(default_factory=dict)

    def over_limits(self) -> list[tuple[str, str]]:
        """(driving key, message) per limit exceeded."""
        out = []
        big_ch = max(self.by_channel, key=self.by_channel.get, default=None)
        big_g = max(self.by_group, key=self.by_group.get, default=None)
        ch_key = f"channels.{big_ch}.arrivals" if big_ch else "channels"
        if self.contacts > MAX_CONTACTS:
            out.append((ch_key, f"at most {MAX_CONTACTS:,} contacts per replication (the size limit), got about "
                                f"{self.contacts:,.0f} ({big_ch}: {self.by_channel.get(big_ch, 0):,.0f})"))
        if self.agents > MAX_AGENTS:
            out.append((f"agents.{big_g}.count", f"at most {MAX_AGENTS:,} agents seated at once (the size limit), got "
                                                 f"{self.agents:,.0f}"))
        if self.intervals > MAX_INTERVALS:
            out.append(("run.interval", f"at most {MAX_INTERVALS:,} reporting intervals per replication (the size "
                                        f"limit; horizon / interval), got {self.intervals:,.0f}"))
        if self.pieces > MAX_INTERVALS and self.intervals <= MAX_INTERVALS:
            out.append(("run.horizon", f"at most {MAX_INTERVALS:,} forecast or staffing intervals over the horizon "
                                       f"(the size limit), got {self.pieces:,.0f}"))
        if self.events > MAX_EVENTS and self.contacts <= MAX_CONTACTS:
            out.append((ch_key, f"at most {MAX_EVENTS:,} events per replication (the size limit), got about "
                                f"{self.events:,.0f}"))
        if self.memory_bytes > MAX_MEMORY and not out:
            out.append(("run.horizon", f"at most {MAX_MEMORY / 2**30:g} GiB of tables per replication (the size "
                                       f"limit), got about {self.memory_bytes / 2**30:,.1f} GiB"))
        return out

    def describe(self) -> str:
        return (f"about {self.contacts:,.0f} contacts, {self.events:,.0f} events, {self.agents:,.0f} agents, "
                f"{self.memory_bytes / 2**20:,.0f} MiB per replication")


def estimate(scenario) -> SizeEstimate:
    """The size of one replication of ``scenario``, from its forecast and staffing alone."""
    run, cal = scenario.run, scenario.calendar
    by_channel = {}
    intervals = run.horizon_s / run.interval_s
    most = 0.0
    for ch in scenario.channels.values():
        pieces = run.horizon_s / ch.arrivals.profile.interval_s + 3 * run.horizon_s / 86400.0
        most = max(most, pieces)
        if intervals > MAX_INTERVALS or pieces > MAX_INTERVALS:  # too long to lay out: the interval limit speaks
            by_channel[ch.name] = 0.0
            continue
        try:
            by_channel[ch.name] = ch.arrivals.expected_count(run.horizon_s, cal, ch.open_hours)
        except (MemoryError, ValueError, OverflowError):  # too many pieces to even lay out
            by_channel[ch.name] = float("inf")
    by_group = {}
    for g in scenario.agents.values():
        p = g.count
        if p.constant is not None:
            by_group[g.name] = float(p.constant)
        else:
            vals = [v for v in (p.cycle or ()) if v is not None]
            vals += [v for day in (p.by_weekday or ()) if day for v in day]
            vals += list(p.series_values or ())
            by_group[g.name] = float(max(vals, default=0.0))
    contacts = float(sum(by_channel.values()))
    agents = float(sum(by_group.values()))
    changes = sum(0 if g.count.constant is not None else run.horizon_s / g.count.interval_s
                  for g in scenario.agents.values())
    events = contacts * EVENTS_PER_CONTACT + agents * 4 + changes + intervals
    rows = intervals * (len(scenario.channels) + len(scenario.agents))
    memory = contacts * BYTES_PER_CONTACT + rows * BYTES_PER_INTERVAL_ROW + agents * 500
    most = max([most, *(run.horizon_s / g.count.interval_s for g in scenario.agents.values())])
    return SizeEstimate(contacts, events, agents, intervals, memory, most, by_channel, by_group)


def guard(scenario, force: bool = False) -> SizeEstimate:
    """Refuse (``InputError``, one line per limit) a scenario whose replications exceed the limits, unless ``force``;
    warn about channels that offer nothing over the horizon after the warm-up."""
    est = estimate(scenario)
    problems = est.over_limits()
    if problems and not force:
        raise InputError("\n".join(f"{scenario.source}: {key}: expected {msg} (--force to run anyway)"
                                   for key, msg in problems))
    offers_nothing(scenario, est)
    return est


def offers_nothing(scenario, est: SizeEstimate | None = None) -> list[str]:
    """Warn (``InputWarning``) for each channel whose forecast offers no contact after the warm-up; their names."""
    run, cal = scenario.run, scenario.calendar
    empty = []
    est = est or estimate(scenario)
    if est.intervals > MAX_INTERVALS or est.pieces > MAX_INTERVALS:
        return empty
    for ch in scenario.channels.values():
        after = ch.arrivals.expected_count(run.horizon_s, cal, ch.open_hours)
        if run.warmup_s > 0 and after > 0:
            starts, rates = ch.arrivals.rate_pieces(run.horizon_s, cal, ch.open_hours, np.ones(n_days(run.horizon_s,
                                                                                                        cal)))
            ends = np.append(starts[1:], run.horizon_s)
            after = float(np.sum(rates * np.clip(ends - np.maximum(starts, run.warmup_s), 0, None)))
        if after <= 0:
            empty.append(ch.name)
            warn_input(scenario.source, f"channels.{ch.name}.arrivals",
                       "this channel offers no contact over the run after the warm-up (check the forecast's dates "
                       "and volumes, the opening hours and [run] start)")
    return empty
