"""The simpy model of one replication: arrivals, queues, agents, abandonment.

Events are simpy timeouts with callbacks (no process per customer): an arrival, a patience deadline for a caller who
has to wait, a service end, a wrap-up end, a change of seated agents. Each customer's attributes (handle time,
patience, time in the IVR) are drawn when the customer is created, in creation order, from the customer's own named
streams, so designs that differ in staffing or routing meet the same customers.
"""
from __future__ import annotations

import math
from collections import deque

import numpy as np
import simpy
from simpy.events import Timeout

from sim.agents import Agent, Group, effective_counts, longest_idle
from sim.arrivals import poisson_arrivals
from sim.calendar import busyness_factors, n_days
from sim.distributions import Draws
from sim.errors import InputError
from sim.scenario import CONVERSATION_KINDS
from sim.streams import Streams, stable_hash

SERVED, ABANDONED, OPEN = "served", "abandoned", "open"
INF = math.inf


class Contact:
    """One attempt by one customer on one channel."""

    __slots__ = ("id", "customer_id", "attempt", "channel", "queue", "priority", "arrival", "enqueued", "answer", "end",
                 "handle", "patience", "ivr", "wrap", "outcome", "agent", "waiting", "flow")

    def __init__(self, cid: int, channel: str, arrival: float, handle: float, patience: float, ivr: float):
        self.id = cid
        self.customer_id = cid
        self.attempt = 1
        self.channel = channel
        self.queue = None
        self.priority = 0
        self.arrival = arrival
        self.enqueued = math.nan
        self.answer = math.nan
        self.end = math.nan
        self.handle = handle
        self.patience = patience
        self.ivr = ivr
        self.wrap = 0.0
        self.outcome = None
        self.agent = None
        self.waiting = False
        self.flow = None  # the phone funnel handling this contact (sim.funnel), if any


class Queue:
    """FCFS within priority class; higher class first. Abandoned contacts are dropped lazily when reached."""

    __slots__ = ("id", "channel", "levels", "order", "n", "groups")

    def __init__(self, queue_id: str, channel: str):
        self.id = queue_id
        self.channel = channel
        self.levels: dict[int, deque] = {0: deque()}
        self.order: list[deque] = [self.levels[0]]
        self.n = 0  # contacts waiting
        self.groups: list[Group] = []  # groups that serve this queue

    def push(self, c: Contact) -> None:
        dq = self.levels.get(c.priority)
        if dq is None:
            dq = self.levels[c.priority] = deque()
            self.order = [self.levels[p] for p in sorted(self.levels, reverse=True)]
        dq.append(c)
        self.n += 1

    def pop(self) -> Contact | None:
        for dq in self.order:
            while dq:
                c = dq.popleft()
                if c.waiting:
                    self.n -= 1
                    return c
        return None


class ChannelFeed:
    """Arrival times of one channel and its customers' attribute streams."""

    def __init__(self, channel, streams: Streams, times: np.ndarray):
        self.channel = channel
        self.times = times.tolist()
        self.i = 0
        self.handle = Draws(channel.handle_time, streams.generator(f"{channel.name}.handle_time"))
        self.patience = Draws(channel.patience, streams.generator(f"{channel.name}.patience")) if channel.patience else None
        self.ivr = Draws(channel.ivr_time, streams.generator(f"{channel.name}.ivr_time")) if channel.ivr_time else None
        self.funnel = None  # sim.funnel.flow.PhoneFunnel when the channel has funnel keys (IVR, lines, redials, …)
        self.elsewhere = None  # [choice] (sim.choice): per customer of the population, True if they chose another channel
        # Contact ids are stable per channel (a prefix from the channel's name + a sequence), so adding a channel never
        # renumbers another channel's contacts.
        self.id_base = (stable_hash(channel.name) % 9000 + 1) * 10**9

    def next_id(self) -> int:
        return self.id_base + self.i


class Model:
    """One replication of a scenario."""

    def __init__(self, scenario, replication: int, seed: int):
        self.scenario = scenario
        self.replication = replication
        self.env = simpy.Environment()
        self.streams = Streams(seed, replication)
        self.horizon = scenario.run.horizon_s
        self.contacts: list[Contact] = []
        self.queues: dict[str, Queue] = {}
        for ch in scenario.channels.values():
            for q in ch.queues:
                self.queues[q] = Queue(q, ch.name)
        self.groups: dict[str, Group] = {}
        for g in scenario.agents.values():
            wrap = Draws(g.wrap_up, self.streams.generator(f"agents.{g.name}.wrap_up")) if g.wrap_up else None
            grp = Group(g, [self.queues[q] for q in g.serves], wrap)
            self.groups[g.name] = grp
            for q in grp.queues:
                q.groups.append(grp)
        cal = scenario.calendar
        busy = busyness_factors(self.streams.generator("busyness"), scenario.run.busyness_cv, n_days(self.horizon, cal))
        self.busyness = busy
        self.feeds = []
        for ch in scenario.channels.values():
            starts, rates = ch.arrivals.rate_pieces(self.horizon, cal, ch.open_hours, busy)
            times = poisson_arrivals(starts, rates, self.horizon, self.streams.generator(f"{ch.name}.arrivals"))
            self.feeds.append(ChannelFeed(ch, self.streams, times))
        if len({f.id_base for f in self.feeds}) < len(self.feeds):
            raise InputError(f"{scenario.source}: channels: expected channel names with distinct contact-id prefixes; "
                             "rename one channel")
        if "choice" in scenario.sections:  # one population of customers choosing among channels (sim.choice)
            from sim.choice import split_feeds
            split_feeds(self)
        self.reputation = None  # pile-ons, spillover posts, deflection, repeat complaints (sim.reputation.live)
        self.social = None  # social and email conversations (sim.social): takes those channels' feeds
        if any(ch.kind in CONVERSATION_KINDS for ch in scenario.channels.values()):
            from sim.social.messaging import attach_conversations
            self.social = attach_conversations(self)  # messaging (default) or slot-holding sessions (sim.social)
            from sim.reputation.live import attach_reputation
            self.reputation = attach_reputation(self)
        from sim.funnel.flow import attach_funnels
        self.funnels = attach_funnels(self)  # phone channels with an IVR, lines, transfers, redials … (sim.funnel)

    # Staffing -----------------------------------------------------------------------------------
    def _schedule_staffing(self) -> None:
        cal = self.scenario.calendar
        for grp in self.groups.values():
            starts, seated = grp.spec.count.steps(self.horizon, cal)
            counts = effective_counts(seated, grp.spec.availability,
                                      self.streams.generator(f"agents.{grp.name}.availability"))
            for t, n in zip(starts.tolist(), counts.tolist()):
                Timeout(self.env, t, (grp, n)).callbacks.append(self._on_staff_change)

    def _on_staff_change(self, ev) -> None:
        grp, target = ev.value
        now = self.env.now
        diff = target - (grp.present - grp.leaving)
        if diff > 0:
            cancel = min(grp.leaving, diff)
            grp.leaving -= cancel
            diff -= cancel
            for _ in range(diff):
                agent = Agent(grp.next_id, grp, now)  # ids count within the group: (agent_group, agent_id)
                grp.next_id += 1
                grp.present += 1
                self._agent_free(agent)
        elif diff < 0:
            remove = -diff
            while remove and grp.idle:
                grp.idle.popleft().present = False
                grp.present -= 1
                remove -= 1
            grp.leaving += remove
        grp.log(now)

    # Arrivals -----------------------------------------------------------------------------------
    def _schedule_arrival(self, feed: ChannelFeed) -> None:
        if feed.i < len(feed.times):
            Timeout(self.env, feed.times[feed.i] - self.env.now, feed).callbacks.append(self._on_arrival)

    def _on_arrival(self, ev) -> None:
        feed = ev.value
        feed.i += 1
        self._schedule_arrival(feed)
        if feed.elsewhere is not None and feed.elsewhere[feed.i - 1]:
            self._pass_by(feed)
            return
        if feed.funnel is not None:
            feed.funnel.first_dial()
            return
        c = Contact(feed.next_id(), feed.channel.name, self.env.now, feed.handle.next(),
                    feed.patience.next() if feed.patience else INF, feed.ivr.next() if feed.ivr else 0.0)
        c.queue = feed.channel.queue
        self.contacts.append(c)
        if c.ivr > 0:
            Timeout(self.env, c.ivr, c).callbacks.append(self._on_ivr_end)
        else:
            self.offer(c)

    def _pass_by(self, feed: ChannelFeed) -> None:
        """A customer of a [choice] population who chose another channel: their draws on this channel are made, so the
        next customer gets the next values, and nothing else happens (sim.choice)."""
        if feed.funnel is not None:
            feed.funnel.first_dial(passing_by=True)
            return
        feed.handle.next()
        if feed.patience:
            feed.patience.next()
        if feed.ivr:
            feed.ivr.next()

    def _on_ivr_end(self, ev) -> None:
        self.offer(ev.value)

    # Queueing and service -----------------------------------------------------------------------
    def offer(self, c: Contact, q: Queue | None = None) -> None:
        """Give the contact to the longest-idle free agent that serves its queue (or queue object ``q``), or queue it."""
        q = self.queues[c.queue] if q is None else q
        c.enqueued = self.env.now
        best = longest_idle(q.groups)
        if best is not None:
            best.group.idle.popleft()
            self._start(best, c)
            return
        c.waiting = True
        q.push(c)
        if c.patience < INF:
            Timeout(self.env, c.patience, c).callbacks.append(self._on_patience)

    def _on_patience(self, ev) -> None:
        c = ev.value
        if c.waiting:
            c.waiting = False
            c.outcome = ABANDONED
            c.end = self.env.now
            self.queues[c.queue].n -= 1
            if self.reputation is not None:  # the caller may complain in public (sim.reputation spillover)
                self.reputation.call_ended(c)

    def _start(self, agent: Agent, c: Contact) -> None:
        c.waiting = False
        c.answer = self.env.now
        c.agent = agent
        agent.contact = c
        if c.flow is not None:  # the funnel decides: service, or a diagnosis before a transfer
            c.flow.start(agent, c)
            return
        Timeout(self.env, c.handle, agent).callbacks.append(self._on_service_end)

    def _on_service_end(self, ev) -> None:
        agent = ev.value
        c = agent.contact
        if c.flow is not None and c.flow.service_end(agent, c):
            return  # transferred after a diagnosis: the call goes on in another queue, the agent is free
        c.end = self.env.now
        c.outcome = SERVED
        agent.contact = None
        if self.reputation is not None:
            self.reputation.call_ended(c)
        draws = agent.group.wrap_draws
        if draws is not None:
            c.wrap = draws.next()
            Timeout(self.env, c.wrap, agent).callbacks.append(self._on_wrap_end)
        else:
            self._agent_free(agent)

    def _on_wrap_end(self, ev) -> None:
        self._agent_free(ev.value)

    def _agent_free(self, agent: Agent) -> None:
        grp = agent.group
        if grp.leaving:
            grp.leaving -= 1
            grp.present -= 1
            agent.present = False
            grp.log(self.env.now)
            return
        for q in grp.queues:
            if q.n:
                c = q.pop()
                if c is not None:
                    self._start(agent, c)
                    return
        agent.idle_since = self.env.now
        grp.idle.append(agent)
        if self.social is not None:  # free for calls and none waits: new social work, if the reserve allows
            self.social.on_agent_free(agent)

    # Running ------------------------------------------------------------------------------------
    def run(self) -> dict:
        """Simulate to the horizon and return the raw records (all contacts, warm-up included)."""
        self._schedule_staffing()
        for feed in self.feeds:
            self._schedule_arrival(feed)
        if self.social is not None:
            self.social.start()
        self.env.run(until=self.horizon)
        return self.records()

    def records(self) -> dict:
        cs = self.contacts
        for c in cs:
            if c.outcome is None:
                c.outcome = OPEN
        col = lambda attr: [getattr(c, attr) for c in cs]  # noqa: E731
        agent_group = [c.agent.group.name if c.agent is not None else None for c in cs]
        agent_id = [c.agent.id if c.agent is not None else -1 for c in cs]
        out = {
            "contacts": {
                "contact_id": np.array(col("id"), dtype=np.int64),
                "customer_id": np.array(col("customer_id"), dtype=np.int64),
                "attempt": np.array(col("attempt"), dtype=np.int64),
                "channel": col("channel"),
                "queue": col("queue"),
                "priority": np.array(col("priority"), dtype=np.int64),
                "arrival_at_s": np.array(col("arrival"), dtype=float),
                "queue_entry_at_s": np.array(col("enqueued"), dtype=float),
                "answer_at_s": np.array(col("answer"), dtype=float),
                "end_at_s": np.array(col("end"), dtype=float),
                "handle_draw_s": np.array(col("handle"), dtype=float),
                "ivr_s": np.array(col("ivr"), dtype=float),
                "wrap_up_s": np.array(col("wrap"), dtype=float),
                "outcome": col("outcome"),
                "agent_group": agent_group,
                "agent_id": np.array(agent_id, dtype=np.int64),
            },
            "staff_logs": {name: g.staff_log for name, g in self.groups.items()},
        }
        if self.social is not None:
            self.social.records(out)  # posts appended to contacts; legs and agent work spans added
        if self.funnels:
            from sim.funnel.records import add_records
            add_records(self, out)  # funnel columns, legs (stages of each call), diagnosis work spans
        if self.reputation is not None:
            self.reputation.records(out)  # caused posts, spillover flags, deflected questions
        return out
