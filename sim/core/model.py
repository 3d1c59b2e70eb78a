"""The kernel: one replication's clock, contacts, queues, agent groups and agents, arrivals, patience and service.

Events are timed callbacks on the kernel's heap (``sim.core.events``, simpy's order and times; no process per
customer): an arrival, a patience deadline for a contact that has to wait, the end of an agent's work, a wrap-up end, a
change of seated agents. Each customer's attributes are drawn
when the customer is created, in creation order, from the channel's own named streams, so designs that differ in
staffing or routing meet the same customers (common random numbers, domain notes §5).

The kernel knows no feature. What happens to a channel's customers is a *behaviour* (``sim.core.protocol``); the plain
phone queue (``sim.core.phone.PhoneQueue``) is the default one. Features (``sim.extensions``) attach to a model when
it is built, install their behaviours and observers and add their columns to the record book (``self.book``,
``sim.core.records``: declared through the feature list, filled as the run goes), using only the calls below
(``offer``, ``offer_also``, ``start_work``, ``release``, ``withdraw``, ``end_contact``, ``schedule``, …).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from sim.arrivals import poisson_arrivals
from sim.calendar import busyness_factors, n_days
from sim.core.agents import Agent, Group, effective_counts, longest_idle
from sim.core.contact import CONTACT_COLUMNS, INF, NAN, OPEN, Contact
from sim.core.events import Events
from sim.core.fast import plain, run_heap
from sim.core.feed import Feed
from sim.core.phone import PhoneQueue
from sim.core.queue import Queue
from sim.core.records import RecordBook
from sim.core.rows import contact_rows
from sim.distributions import Draws
from sim.streams import Streams

Callback = Callable[[Any], None]



class Model:
    """One replication of a scenario: the kernel, with the features in ``features`` attached (each an object with a
    ``name`` and ``attach``, None or ``attach(model)`` returning a part or None; a part may have ``records(out)``,
    called in attachment order)."""

    fast_path = True  # a plain replication runs on sim.core.fast's heap (False: always the kernel's event loop)

    def __init__(self, scenario: Any, replication: int, seed: int, features: Iterable[Any] = ()):
        self.scenario = scenario
        self.replication = replication
        self.env = Events()
        # the kernel's one way to schedule: ``_at(delay, callback, value)``, an event on the heap (``sim.core.fast``
        # replaces it in a plain replication)
        self._at: Callable[[float, Callback, Any], None] = self.env.at
        self.streams = Streams(seed, replication)
        self.horizon: float = scenario.run.horizon_s
        self.contacts: list[Contact] = []
        self.queues: dict[str, Queue] = {}
        for ch in scenario.channels.values():
            for q in ch.queues:
                self.queues[q] = Queue(q, ch.name)
            classes = getattr(ch, "classes", ())
            if classes:  # one line ordered by queue entry minus each class's waiting-time credit
                self.queues[ch.queue].use_credit({k.priority: k.credit_s for k in classes})
        self.groups: dict[str, Group] = {}
        for g in scenario.agents.values():
            wrap = Draws(g.wrap_up, self.streams.generator(f"agents.{g.name}.wrap_up")) if g.wrap_up else None
            grp = Group(g, [self.queues[q] for q in g.serves], wrap)
            self.groups[g.name] = grp
            for q in grp.queues:
                q.groups.append(grp)
        cal = scenario.calendar
        self.busyness = busyness_factors(self.streams.generator("busyness"), scenario.run.busyness_cv,
                                         n_days(self.horizon, cal))
        self.phone = PhoneQueue(self)
        self.feeds: list[Feed] = []
        for ch in scenario.channels.values():
            clock = None
            if getattr(ch, "aht", None) is not None:  # mean handle time per interval of arrival
                clock = (lambda: self.env.now, *ch.aht.steps(self.horizon, cal))
            feed = Feed(ch, self.streams, self.arrival_times(ch, f"{ch.name}.arrivals"), clock)
            feed.hook = self.phone
            self.feeds.append(feed)
        self._free_hooks: list[Any] = []
        self._ended: list[Any] = []
        self._posted: list[Any] = []
        self._first: list[Any] = []
        self._starts: list[Callable[[], None]] = []
        self._late: list[Feed] = []
        self.parts: dict[str, Any] = {}  # feature name -> what it attached (its run-time state)
        self.book = RecordBook()  # the run's tables (sim.core.records): the kernel's and every feature's columns
        self.book.table("contacts", columns=CONTACT_COLUMNS)
        features = list(features)
        # every feature's record columns (``records``: table -> Column tuple), declared before the first attaches (so
        # a feature may make its row writers in ``attach``); a feature the scenario does not use takes them out again
        for feature in features:
            for table, cols in (getattr(feature, "records", None) or {}).items():
                self.book.table(table, columns=cols)
        for feature in features:
            part = feature.attach(self) if feature.attach is not None else None
            if part is not None:
                self.parts[feature.name] = part
            else:
                for table, cols in (getattr(feature, "records", None) or {}).items():
                    self.book.drop(table, [c.name for c in cols])

        self._row: Any = None  # the contact rows' writers (_row_writers), made when the first contact is added

    def _row_writers(self) -> None:
        """The kernel's contact rows' writers (``sim.core.rows``)."""
        self._row, self._complete, self._wrap_col = contact_rows(self.book["contacts"])

    # Set-up calls for features ------------------------------------------------------------------------------------
    def arrival_times(self, channel: Any, stream: str) -> np.ndarray:
        """A Poisson arrival stream with the channel's rate, opening hours and the day's busyness (``sim.arrivals``)."""
        starts, rates = channel.arrivals.rate_pieces(self.horizon, self.scenario.calendar, channel.open_hours,
                                                     self.busyness)
        return poisson_arrivals(starts, rates, self.horizon, self.streams.generator(stream))

    def feed(self, channel: str) -> Feed:
        return next(f for f in self.feeds if f.channel.name == channel)

    def set_arrival_hook(self, feed: Feed, hook: Any, start_late: bool = False) -> None:
        """``hook`` (an ``ArrivalHook``) takes this feed's arrivals instead of the plain phone queue. ``start_late``:
        its arrivals are scheduled after the other channels' (ties at one instant go to the others first)."""
        feed.hook = hook
        if start_late:
            self._late.append(feed)

    def add_queue(self, queue_id: str, channel: str, groups: list[Group]) -> Queue:
        """A further queue (a callback line, an overflow view) served by ``groups`` after everything they serve."""
        q = Queue(queue_id, channel)
        q.groups = list(groups)
        for g in q.groups:
            g.queues.append(q)
        return q

    def on_agent_free(self, hook: Any) -> None:
        """Register an ``AgentFreeHook``."""
        self._free_hooks.append(hook)

    def observe(self, observer: Any) -> None:
        """Register an observer for whichever of ``contact_ended``, ``post_arrived``, ``first_response`` it has."""
        if hasattr(observer, "contact_ended"):
            self._ended.append(observer)
        if hasattr(observer, "post_arrived"):
            self._posted.append(observer)
        if hasattr(observer, "first_response"):
            self._first.append(observer)

    def at_start(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` when the run starts (after staffing and arrivals are scheduled)."""
        self._starts.append(fn)

    # The clock -------------------------------------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.env.now

    def schedule(self, delay: float, callback: Callback, value: Any = None) -> None:
        """Call ``callback(event)`` after ``delay`` seconds (``event.value`` is ``value``)."""
        self._at(delay, callback, value)

    def schedule_at(self, t: float, callback: Callback, value: Any = None) -> None:
        """Call ``callback(event)`` at time ``t`` (not before now)."""
        self._at(t - self.env.now, callback, value)

    # Contacts ----------------------------------------------------------------------------------------------------------
    def add_contact(self, c: Contact) -> None:
        """A new contact: its row of the contacts table is appended now (in creation order) and completed when it
        ends."""
        if self._row is None:
            self._row_writers()
        self.contacts.append(c)
        c.row = self._row(c.id, c.customer_id, c.attempt, c.channel, c.queue, c.priority, c.arrival, c.handle, c.ivr)

    def offer(self, c: Contact, q: Queue | str | None = None, *, priority: int | None = None,
              patience: float | None = None, hold: bool = True) -> None:
        """Offer contact ``c`` to a queue (its own ``c.queue`` by default, or queue id / object ``q``): the
        longest-idle free agent serving it takes it at once, or it waits, for ``patience`` seconds (default its own)
        in class ``priority`` (default its own). ``hold=False``: nobody is on hold (a return call) — no queue entry."""
        if q is None:
            q = self.queues[c.queue]  # type: ignore[index]
        elif isinstance(q, str):
            c.queue = q
            q = self.queues[q]
        c.enqueued = self.env.now
        c.answer = NAN
        c.agent = None
        c.offers += 1
        best = longest_idle(q.groups)
        if best is not None:
            best.group.idle.popleft()
            self._start(best, c)
        else:
            c.waiting = True
            c.waiting_in = q
            q.push(c, c.priority if priority is None else priority)
            p = c.patience if patience is None else patience
            if p < INF:
                self._at(p, self._on_patience, (c, c.offers))
        if not hold:
            c.enqueued = NAN

    def offer_also(self, c: Contact, q: Queue) -> None:
        """A waiting contact becomes visible in queue ``q`` too (overflow to other groups): a free agent serving it
        takes it now, or it waits in both until one of them is answered."""
        best = longest_idle(q.groups)
        if best is not None:
            best.group.idle.popleft()
            self._leave(c)
            self._start(best, c)
            return
        q.push(c, c.priority)
        c.also = q

    def withdraw(self, c: Contact) -> bool:
        """Take a waiting contact out of its queues; False if it was not waiting."""
        if not c.waiting:
            return False
        self._leave(c)
        return True

    def _leave(self, c: Contact) -> None:
        c.waiting = False
        c.waiting_in.n -= 1  # type: ignore[union-attr]
        c.waiting_in = None
        if c.also is not None:
            c.also.n -= 1
            c.also = None

    def _on_patience(self, ev: Any) -> None:
        """Abandonment: the contact still waits in the visit the timer was set for."""
        c, visit = ev.value
        if c.waiting and c.offers == visit:
            self._leave(c)
            c.behaviour.on_left_queue(c)

    def _start(self, agent: Agent, c: Contact) -> None:
        c.waiting = False
        c.answer = self.env.now
        c.agent = agent
        agent.contact = c
        c.behaviour.on_answered(agent, c)

    def start_work(self, agent: Agent, duration: float) -> None:
        """The agent works on their contact for ``duration`` seconds; then its behaviour's ``on_work_done``."""
        self._at(duration, self._on_work_end, agent)

    def _on_work_end(self, ev: Any) -> None:
        agent = ev.value
        c = agent.contact
        c.behaviour.on_work_done(agent, c)

    def end_contact(self, c: Contact, outcome: str, *, observed: bool = True, queued: bool = False) -> None:
        """The contact ends now with ``outcome``; observers hear of it unless ``observed`` is False. ``queued``: it
        reached the queue and left it at once (a callback taken)."""
        c.outcome = outcome
        c.end = self.env.now
        if queued:
            c.enqueued = c.end
        if c.row >= 0:
            self._complete(c)
        if observed:
            for o in self._ended:
                o.contact_ended(c)

    def release(self, agent: Agent, wrap_up: bool = True) -> None:
        """The agent is done with their contact: wrap-up (when the group has one and ``wrap_up``), then free."""
        c = agent.contact
        agent.contact = None
        draws = agent.group.wrap_draws
        if wrap_up and draws is not None:
            c.wrap = draws.next()  # type: ignore[union-attr]
            if c.row >= 0:  # type: ignore[union-attr]
                self._wrap_col[c.row] = c.wrap  # type: ignore[union-attr]
            self._at(c.wrap, self._on_wrap_end, agent)  # type: ignore[union-attr]
        else:
            self._agent_free(agent)

    def _on_wrap_end(self, ev: Any) -> None:
        self._agent_free(ev.value)

    # Agents -----------------------------------------------------------------------------------------------------------
    def seize(self, agent: Agent) -> None:
        """Take an idle agent out of their group's idle list for work the kernel does not queue (a conversation)."""
        idle = agent.group.idle
        if idle[0] is agent:
            idle.popleft()
        else:
            idle.remove(agent)

    def free(self, agent: Agent) -> None:
        """A seized agent has nothing left in hand: calls first, then the agent-free hooks."""
        self._agent_free(agent)

    def mark_idle(self, agent: Agent) -> None:
        """A seized agent has no message in hand from now (the longest-idle choice among busy desks)."""
        agent.idle_since = self.env.now

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
                    also = c.also
                    if also is not None:  # it was visible in two queues: the other one no longer counts it
                        (c.waiting_in if also is q else also).n -= 1  # type: ignore[union-attr]
                        c.also = None
                    c.waiting_in = None
                    self._start(agent, c)
                    return
        agent.idle_since = self.env.now
        grp.idle.append(agent)
        for h in self._free_hooks:
            h.on_agent_free(agent)

    # Observers --------------------------------------------------------------------------------------------------------
    def post_arrived(self, post: Any) -> bool:
        """Tell the observers a post reached the brand; False when one of them says it never becomes a contact."""
        return all(o.post_arrived(post) for o in self._posted)

    def first_response(self, post: Any) -> None:
        for o in self._first:
            o.first_response(post)

    # Staffing -----------------------------------------------------------------------------------------------------------
    def _schedule_staffing(self) -> None:
        cal = self.scenario.calendar
        for grp in self.groups.values():
            avail = getattr(grp.spec, "availability_profile", None)  # a share per interval, or one number
            if avail is None:
                starts, seated = grp.spec.count.steps(self.horizon, cal)
                share: Any = grp.spec.availability
            else:
                starts, seated = grp.spec.count.steps(self.horizon, cal, avail.edges(self.horizon, cal), merge=False)
                share = avail.value_at(starts, cal)
            counts = effective_counts(seated, share,
                                      self.streams.generator(f"agents.{grp.name}.availability"))
            for t, n in zip(starts.tolist(), counts.tolist()):
                self._at(t, self._on_staff_change, (grp, n))

    def _on_staff_change(self, ev: Any) -> None:
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

    # Arrivals (one loop for every channel) -------------------------------------------------------------------------------
    def _schedule_arrival(self, feed: Feed) -> None:
        if feed.i < len(feed.times):
            self._at(feed.times[feed.i] - self.env.now, self._on_arrival, feed)

    def _on_arrival(self, ev: Any) -> None:
        feed = ev.value
        i = feed.i
        feed.i = j = i + 1
        times = feed.times
        if j < len(times):
            self._at(times[j] - self.env.now, self._on_arrival, feed)
        hook = feed.hook
        customer = hook.new_customer(feed)
        chose = feed.elsewhere
        if chose is None or not chose[i]:  # [choice]: a customer who chose another channel is passed by
            hook.on_arrival(customer)

    # Running ------------------------------------------------------------------------------------------------------------
    def run(self) -> RecordBook:
        """Simulate to the horizon and return the record book (all contacts, warm-up included). A replication no
        feature touches runs on the plain queue's own heap of events (``sim.core.fast``, identical tables) unless
        ``fast_path`` is False."""
        if self.fast_path and plain(self):
            run_heap(self, self.horizon)  # writes the contact rows itself
            self.book["staff_logs"] = {name: g.staff_log for name, g in self.groups.items()}
            return self.book
        self._schedule_staffing()
        late = set(map(id, self._late))
        for feed in [*(f for f in self.feeds if id(f) not in late), *self._late]:
            self._schedule_arrival(feed)
        for fn in self._starts:
            fn()
        self.env.run(self.horizon)
        return self.records()

    def records(self) -> RecordBook:
        """The record book: the kernel's contact rows (written as the run went; a contact still open at the horizon
        is completed here), then each part's ``records(book)`` in attachment order."""
        for c in self.contacts:
            if c.outcome is None:
                c.outcome = OPEN
                if c.row >= 0:
                    self._complete(c)
        book = self.book
        book["staff_logs"] = {name: g.staff_log for name, g in self.groups.items()}
        for part in self.parts.values():
            rec = getattr(part, "records", None)
            if rec is not None:
                rec(book)
        return book
