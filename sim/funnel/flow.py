"""The phone funnel at run time: trunk lines, the IVR, queue entry with hold announcements and callback offers,
abandonment, and what each failure or unresolved call leads to: the phone → same phone rows of the next-try rule
(``sim.next_try``: redials and repeat calls), drawn from each call's tape.

A phone channel with funnel keys gets a ``PhoneFunnel``, a behaviour of the kernel (``sim.core.protocol``): it takes
the channel's arrivals (``new_customer``, ``on_arrival``: the first dial) and its calls are answered, worked and
abandoned through it (``on_answered``, ``on_work_done``: ``sim.funnel.routing``, diagnosis, transfers, overflow;
``on_left_queue``). Every stage is a row of the ``legs`` table (``sim.funnel.legs``).
"""
from __future__ import annotations

import math
from bisect import bisect_right

from sim.core import Queue
from sim.distributions import Draws, Uniform
from sim.funnel import routing
from sim.funnel.customers import CALLBACK, FIRST, REDIAL, REPEAT, Call, Customer
from sim.funnel.draws import (
    AGAIN_DELAY,
    CALL_AGAIN,
    CB_ACCEPT,
    HOLD_1,
    HOLD_2,
    N_FIXED,
    PATIENCE_2,
    PER_LEVEL,
    REDIAL_DELAY,
    RESOLVE,
    Rows,
    Tape,
    quantile,
)
from sim.funnel.draws import REDIAL as REDIAL_U
from sim.funnel.ivr import Walker
from sim.funnel.legs import RESULT, STAGE, LegBook
from sim.funnel.seeds import BlockSeeds
from sim.funnel.spec import Funnel, Transfers, funnel_spec
from sim.next_try import rows_of
from sim.streams import stable_hash

INF = math.inf
NAN = math.nan
BLOCKED, ABANDONED, ABANDONED_IVR, SELF_SERVED, CALLBACK_OUT = (
    "blocked", "abandoned", "abandoned_ivr", "self_served", "callback")
QUEUE_STAGE, ABANDONED_LEG = STAGE["queue"], RESULT["abandoned"]
LATER_IDS = 500_000_000  # contact ids of later attempts: id_base + LATER_IDS + n (first dials use id_base + n)



class Funnels:
    """The phone funnels of one replication (the feature's part of the model): their records at the end."""

    def __init__(self, model, funnels: list[PhoneFunnel]):
        self.model, self.funnels = model, funnels

    def records(self, out: dict) -> None:
        from sim.funnel.records import add_records

        add_records(self.model, self.funnels, out)  # funnel columns, legs (stages of each call), diagnosis work spans


def attach(model) -> Funnels | None:
    """Give every phone channel that uses funnel keys its ``PhoneFunnel`` as the behaviour of its arrivals."""
    out = []
    legs = None
    rows = rows_of(model.scenario)
    for feed in model.feeds:
        spec = funnel_spec(feed.channel)
        if spec is None and feed.channel.kind == "phone" and any(
                r.from_channel == r.to_channel == feed.channel.name for r in rows):
            spec = Funnel(None, None, None, {}, Transfers(), None, None, None, None)  # a [[next_try]] row only
        if spec is not None:
            if legs is None:
                legs = LegBook(model.book["legs"])  # one for every phone funnel of the model
            f = PhoneFunnel(model, feed, spec, legs)
            model.set_arrival_hook(feed, f)
            out.append(f)
    return Funnels(model, out) if out else None


class PhoneFunnel:
    def __init__(self, model, feed, spec: Funnel, legs: LegBook | None = None):
        self.model, self.env, self.feed, self.spec = model, model.env, feed, spec
        ch = self.channel = feed.channel
        st = model.streams
        self.issue_u = Draws(Uniform(0.0, 1.0), st.generator(f"{ch.name}.issue")) if spec.ivr else None
        self.prio_u = Draws(Uniform(0.0, 1.0), st.generator(f"{ch.name}.priority")) if spec.priorities else None
        self.dept_handle = {q: Draws(d.handle_time, st.generator(f"{ch.name}.{q}.handle_time"))
                            for q, d in spec.departments.items() if d.handle_time is not None}
        self.entropy = [st.seed, st.replication, stable_hash(f"{ch.name}.customer")]
        self.seeds = BlockSeeds(self.entropy)  # customer i's generator: SeedSequence([*entropy, i])
        self.tape_base = PER_LEVEL * (spec.ivr.depth if spec.ivr else 0)
        self.tape_len = self.tape_base + N_FIXED
        self.life = Rows(st.generator(f"{ch.name}.life"), self.tape_len)
        self.in_system = 0  # calls holding a trunk line
        self.later = 0
        self.legs = legs if legs is not None else LegBook(model.book["legs"])
        # the next-try rows this funnel runs (phone → the same phone channel), by outcome
        self.retry = {a: r for r in rows_of(model.scenario) if r.from_channel == r.to_channel == ch.name
                      for a in r.after}
        self.departments = spec.ivr.departments if spec.ivr else (ch.queue,)
        # looked up once for the hot path: the IVR tree laid out (ivr.Walker), the intent mix and the classes
        self.walker = Walker(spec.ivr) if spec.ivr else None
        self.issues = spec.ivr.issues if spec.ivr else ()
        self.issue_cum = spec.ivr.cum_p if spec.ivr else ()
        self.classes = (spec.priorities.classes, spec.priorities.cum) if spec.priorities else None
        self.lines = spec.lines
        self.put, self.leg_end, self.leg_result = self.legs.put, self.legs.end, self.legs.result
        self.schedule = model.schedule
        self.ivr_end = self._on_ivr_end  # bound once: one event per call
        self.mean_handle = {q: (d.handle_time.mean if d.handle_time is not None else ch.handle_time.mean)
                            for q, d in spec.departments.items()}
        hold = spec.hold
        self.hold = hold if hold is not None and hold.abandon > 0 else None  # hold announcements that lose callers
        self.hold_log = (math.log1p(-hold.abandon) if hold is not None and 0 < hold.abandon < 1 else None)
        self.warm_priority = spec.transfers.warm_priority
        routing.setup(self)
        self.callback_q: dict[str, Queue] = {}
        if spec.callbacks is not None:  # return calls wait in their own queues, after every live queue of the group
            for q in ch.queues:
                self.callback_q[q] = model.add_queue(q, ch.name, model.queues[q].groups)

    # Attempts ------------------------------------------------------------------------------------------------------
    def new_customer(self, feed) -> Call:
        """A first attempt from the arrival process: create the customer (named streams, creation order). Made for a
        customer of a [choice] population who chose another channel too (sim.choice): their draws are made."""
        handle = feed.handle.next()
        patience = feed.patience.next() if feed.patience is not None else INF
        flat_ivr = feed.ivr.next() if feed.ivr is not None else 0.0
        if self.issue_u is not None:
            issues = self.issues
            issue = issues[min(bisect_right(self.issue_cum, self.issue_u.next()), len(issues) - 1)]
            dept = issue.leaf.queue
        else:
            issue, dept = None, self.channel.queue
        if self.classes is not None:
            classes, cum = self.classes
            prio = classes[min(bisect_right(cum, self.prio_u.next()), len(classes) - 1)]
        else:
            prio = 0
        dh = self.dept_handle.get(dept)
        if dh is not None:
            handle = dh.next()
        cid = feed.next_id()
        cust = Customer(cid, feed.i, issue, dept, prio, self.seeds)
        life = self.life
        off = life.next()
        return Call(cid, cust, FIRST, self.channel.name, self.env.now, handle, patience, flat_ivr, self,
                    Tape(life.buf, off, self.tape_base, cust))

    def on_arrival(self, c: Call) -> None:
        self.dial(c)

    def later_attempt(self, ev) -> None:
        """A redial or a repeat call of an existing customer (durations from the customer's own generator)."""
        cust, origin = ev.value
        cust.attempts += 1
        rng, ch = cust.rng, self.channel
        handle, patience, flat_ivr = self.handle_for(cust, rng), INF, 0.0
        if ch.patience is not None:
            patience = float(ch.patience.sample(rng, 1)[0])
        if ch.ivr_time is not None:
            flat_ivr = float(ch.ivr_time.sample(rng, 1)[0])
        tape = Tape(rng.random(self.tape_len).tolist(), 0, self.tape_base, cust)
        self.dial(Call(self.new_id(), cust, origin, ch.name, self.env.now, handle, patience, flat_ivr, self, tape))

    def switched_in(self, cid: int, customer_id: int, attempt: int, rng) -> Call:
        """A customer coming from another channel (a next-try row, ``sim.next_try.follow_up``): their issue, class
        and durations from ``rng`` (their own keyed generator); ``dial`` it."""
        spec, ch = self.spec, self.channel
        issue = spec.ivr.issues[spec.ivr.issue_at(float(rng.random()))] if spec.ivr else None
        prio = spec.priorities.at(float(rng.random())) if spec.priorities else 0
        dept = issue.department if issue is not None else ch.queue
        entropy = [*self.entropy, 1 << 40, int(rng.integers(1 << 62))]
        cust = Customer(customer_id, entropy, issue, dept, prio)
        cust.attempts = attempt
        patience = float(ch.patience.sample(rng, 1)[0]) if ch.patience is not None else INF
        flat_ivr = float(ch.ivr_time.sample(rng, 1)[0]) if ch.ivr_time is not None else 0.0
        tape = Tape(rng.random(self.tape_len).tolist(), 0, self.tape_base, cust)
        return Call(cid, cust, REPEAT, ch.name, self.env.now, self.handle_for(cust, rng), patience, flat_ivr, self,
                    tape)

    def handle_for(self, cust: Customer, rng) -> float:
        dep = self.spec.departments.get(cust.department)
        dist = dep.handle_time if dep is not None and dep.handle_time is not None else self.channel.handle_time
        return float(dist.sample(rng, 1)[0])

    def new_id(self) -> int:
        self.later += 1
        return self.feed.id_base + LATER_IDS + self.later

    def dial(self, c: Call) -> None:
        """The call reaches the trunk: busy signal, or a line and then the IVR (or straight to the queue)."""
        now = self.env.now
        self.model.add_contact(c)
        lines = self.lines
        if lines is not None and self.in_system >= lines:
            self.failed(c, BLOCKED)
            return
        self.in_system += 1
        c.line = True
        walker = self.walker
        if walker is not None:  # w: (end, at, queue, misrouted, zero_out), sim.funnel.ivr.Walker
            w = c.exit = walker.walk(c.customer.issue, c.tape, now, self.legs, c.id)
            c.ivr = w[1] - now
            self.schedule(c.ivr, self.ivr_end, c)
        elif c.ivr > 0:
            self.put(c.id, STAGE["ivr"], "ivr", None, None, None, -1, now, now + c.ivr, RESULT["next"])
            self.schedule(c.ivr, self.ivr_end, c)
        else:
            self.enter_queue(c, c.department, first=True)

    def _on_ivr_end(self, ev) -> None:
        c = ev.value
        w = c.exit
        if w is None:
            self.enter_queue(c, c.department, True)
            return
        end = w[0]
        if end == "queue":
            c.misrouted, c.zero_out = w[3], w[4]
            self.enter_queue(c, w[2], True)
            return
        if c.line:
            c.line = False
            self.in_system -= 1
        if end == "hang_up":
            self.failed(c, ABANDONED_IVR)
        else:  # self-served
            c.resolved = True
            self.model.end_contact(c, SELF_SERVED)

    def release(self, c: Call) -> None:
        if c.line:
            c.line = False
            self.in_system -= 1

    # Queue -----------------------------------------------------------------------------------------------------------
    def expected_wait(self, q: str) -> float:
        """The ACD's wait estimate for a new caller in queue ``q``: (callers waiting + 1) × mean handle time / agents
        seated in the groups serving it (0 when one of them is idle)."""
        queue = self.model.queues[q]
        agents = 0
        for g in queue.groups:
            if g.idle:
                return 0.0
            agents += g.present
        mean = self.mean_handle.get(q)
        if mean is None:
            mean = self.channel.handle_time.mean
        return (queue.n + 1) * mean / agents if agents else INF

    def enter_queue(self, c: Call, q: str, first: bool, warm: bool = False) -> None:
        """A visit to queue ``q``: a callback offer (first visit of a live call), patience with hold announcements,
        overflow after the department's threshold."""
        c.queue = q
        visit = c.visit = c.visit + 1
        cb, tape = self.spec.callbacks, c.tape
        if first and cb is not None and self.expected_wait(q) > cb.offer_above_s and tape.at(CB_ACCEPT) < cb.accept:
            self.take_callback(c, q)
            return
        if first:
            patience = c.patience
        elif self.channel.patience is None:
            patience = INF
        else:
            patience = quantile(self.channel.patience, tape.at(PATIENCE_2) if visit == 2 else tape.spare())
        hold = self.hold
        if hold is not None:  # hangs up at the K-th announcement, K geometric (inversion)
            u = tape.u[tape.k + HOLD_1] if visit == 1 else tape.at(HOLD_2) if visit == 2 else tape.spare()
            k = 1.0 if self.hold_log is None else math.floor(math.log1p(-u) / self.hold_log) + 1.0
            patience = min(patience, hold.every_s * k)
        c.leg = self.put(c.id, QUEUE_STAGE, q, None, q, None, -1, self.env.now, NAN, -1)
        # this visit's patience (the first visit's from the customer's draws, later ones from the tape)
        self.model.offer(c, q, priority=self.warm_priority if warm else None, patience=patience)
        if c.waiting and self.overflow_q:
            routing.watch_overflow(self, c)

    def on_left_queue(self, c: Call) -> None:
        """The caller's patience (or the hold announcements) ran out on this visit."""
        self.leg_end[c.leg], self.leg_result[c.leg] = self.env.now, ABANDONED_LEG
        self.release(c)
        self.failed(c, ABANDONED)

    # Callbacks (virtual hold) ----------------------------------------------------------------------------------------
    def take_callback(self, c: Call, q: str) -> None:
        """The caller accepts a callback and hangs up; the return call waits in the queue's callback line."""
        now = self.env.now
        self.model.end_contact(c, CALLBACK_OUT, observed=False, queued=True)
        self.legs.add(c.id, "queue", q, q, None, -1, now, now, "callback")
        self.release(c)
        c.followed_by = CALLBACK
        cust = c.customer
        cust.attempts += 1
        r = Call(self.new_id(), cust, CALLBACK, self.channel.name, now, c.handle, INF, 0.0, self,
                 Tape(cust.rng.random(self.tape_len).tolist(), 0, self.tape_base, cust))
        r.queue = q
        self.model.add_contact(r)
        r.visit = 1
        r.leg = self.legs.add(r.id, "callback_queue", q, q, None, -1, now)
        # nobody is on hold: no queue entry; the callback delay is answer_at_s − arrival_at_s (the request)
        self.model.offer(r, self.callback_q[q], hold=False)

    # What a failed or unresolved attempt leads to ------------------------------------------------------------------------
    def failed(self, c: Call, outcome: str) -> None:
        """A busy signal, an IVR hang-up or an abandonment ends the call: the customer may redial after a delay."""
        self.model.end_contact(c, outcome)  # observers hear of it (sim.reputation spillover, sim.next_try)
        row = self.retry.get(outcome)
        if row is None or c.customer.attempts >= row.max_attempts:
            return
        if c.tape.at(REDIAL_U) < row.probability:
            c.followed_by = REDIAL
            self.model.schedule(quantile(row.delay, c.tape.at(REDIAL_DELAY)), self.later_attempt, (c.customer, REDIAL))

    def served(self, c: Call) -> None:
        """End of a served call: is the issue resolved (lower after a transfer)? If not, the customer calls again."""
        self.release(c)
        res = self.spec.resolution
        if res is None:
            c.resolved = True
            return
        tape = c.tape
        p = res.first_contact * ((1 - res.transfer_penalty) if c.transfers else 1.0)
        c.resolved = tape.u[tape.k + RESOLVE] < p
        row = self.retry.get("served")
        if (not c.resolved and row is not None and c.customer.attempts < row.max_attempts
                and tape.at(CALL_AGAIN) < row.probability):
            c.followed_by = REPEAT
            self.model.schedule(quantile(row.delay, tape.at(AGAIN_DELAY)), self.later_attempt, (c.customer, REPEAT))

    # Agents (sim.funnel.routing) -------------------------------------------------------------------------------------
    def on_answered(self, agent, c: Call) -> None:
        routing.start(self, agent, c)

    def on_work_done(self, agent, c: Call) -> None:
        routing.work_done(self, agent, c)
