"""Asynchronous messaging for social and email (the default mode): agents work only on replies.

A thread is a sequence of customer messages and agent replies. Each customer message enters a queue when it arrives
— its holder's own queue while an agent holds the thread, else the channel's shared queue — and waits for a reply;
the agent's time goes only to reply work (``message_time`` × the slowdown of ``sim.social.threads``). Between replies
the customer thinks (``think_time``) and the thread occupies no agent. When created, a thread draws the number of
replies its issue needs (``replies_needed``); the reply that reaches it resolves the issue (with probability
``resolve``). The customer then confirms (a last message that closes the thread, no reply needed) or goes quiet with
probability ``unconfirmed``: *resolved, unconfirmed*.

Silent abandonment (Castellanos, Yom-Tov & Goldberg, "Silent abandonment in text-based contact centers"): each
customer message has a reply patience (``reply_patience``); a customer whose message is not opened by an agent within
it leaves without saying so (outcome ``silent``, at the moment the patience ran out). Nobody knows: the message stays
in the queue, and the agent's reply to it is written and counted as wasted work (``wasted_replies``,
``wasted_work_s``). Final states (exactly one per thread): ``ignored``, ``silent``, ``served`` (resolved confirmed,
resolved unconfirmed, or unresolved) or ``open`` at the horizon.

Like ``sim.social.conversation.Conversations``, ``Messaging(model)`` takes the social and email feeds as their
arrival behaviour (``new_customer``, ``on_arrival``, ``sim.core.protocol``), gets agents who are free with no call
waiting (``on_agent_free``) and adds the threads to the records (``records``). Everything it asks of the kernel goes
through ``_Seats``: take an idle agent (``Model.seize``), release it after a reply (``Model.free``: calls first), and
the clock (``Model.schedule``).
"""
from __future__ import annotations

import math

from sim.social.conversation import Conversations
from sim.social.kinds import conversation_channel
from sim.social.posts import Post, PostFactory
from sim.social.records import ThreadBook
from sim.social.spec import conversation_spec, desk_spec
from sim.social.threads import Holder, choose_holder, reserve_ok, shared_head_entry
from sim.social.triage import Inbox

INF = math.inf
MESSAGE, REPLY = "message", "reply"


class _Seats:
    """What messaging needs from the kernel (``sim.core.Model``'s public calls): idle agents, releasing an agent after
    a reply, the clock."""

    def __init__(self, model):
        self.model = model

    def at(self, delay: float, value, callback) -> None:
        self.model.schedule(delay, callback, value)

    @staticmethod
    def is_idle(agent) -> bool:
        return agent.present and agent in agent.group.idle

    def take(self, agent) -> None:
        """An idle agent starts messaging work: no longer free for calls."""
        self.model.seize(agent)

    def release(self, agent) -> None:
        """The reply is done: calls first (blended groups), a seat change, or idle (then ``on_agent_free``)."""
        self.model.free(agent)


class Messaging:
    """The asynchronous side of one replication."""

    def __init__(self, model):
        self.model = model
        self.env = model.env
        self.seats = _Seats(model)
        self.feeds = [f for f in model.feeds if conversation_channel(f.channel)]
        for f in self.feeds:
            model.set_arrival_hook(f, self, start_late=True)
        model.on_agent_free(self)
        self.factories, self.inboxes, self.window = {}, {}, {}
        for f in self.feeds:
            ch = f.channel
            spec = conversation_spec(ch)
            self.factories[ch.name] = PostFactory(ch, spec, model.streams, len(f.times))
            self.inboxes[ch.queue] = Inbox(ch.queue, ch.name, spec.triage, ch.targets.answer_within_s)
            self.window[ch.name] = (spec.triage.expire_after_s, spec.affinity_window_s)
        self.specs, self.blended, self.queues_of = {}, {}, {}
        for grp in model.groups.values():
            conv = [self.inboxes[q] for q in grp.spec.serves if q in self.inboxes]
            if not conv:
                continue
            self.specs[grp] = desk_spec(grp.spec, messaging=True)
            self.blended[grp] = len(conv) < len(grp.spec.serves)
            self.queues_of[grp] = conv
            for ib in conv:
                ib.groups.append(grp)
        self.desks: dict = {}  # agent -> Holder (``desks`` as in Conversations, so the records read both alike)
        self.posts: list[Post] = []
        self.rec = ThreadBook(model.book, model.horizon, messaging=True)
        self.lazy = _LazyHolders(self)
        self.watchers: list = []  # told of each waiting customer message and each thread's end (sim.next_try)

    def holder(self, agent) -> Holder:
        h = self.desks.get(agent)
        if h is None:
            h = self.desks[agent] = Holder(agent, self.specs[agent.group])
        return h

    # Arrivals: the same draws as the sessions' (``ArrivalHook``), then ``admit``
    new_customer = Conversations.new_customer
    on_arrival = Conversations.on_arrival

    def admit(self, p: Post) -> None:
        """A new thread reaches the brand: from the arrival process, or caused by another contact (sim.reputation)."""
        if not self.model.post_arrived(p):
            return  # deflected: the customer read an earlier public answer and never posted
        self.posts.append(p)
        self.rec.admit(p)
        if not p.src.answer[p.i]:
            p.outcome, p.end = "ignored", self.env.now
            self.rec.ended(p)
            self._tell(p)
            return
        p.enqueued = self.env.now
        self.rec.queued(p)
        expire = self.window[p.channel][0]
        if expire < INF:
            self.seats.at(expire, p, self._on_expire)
        self._message(p)

    def _on_expire(self, ev) -> None:
        """Triage lets a thread nobody has opened expire: ignored (the customer may already have left silently)."""
        p = ev.value
        if p.waiting and p.done == 0:
            self.inboxes[p.queue].drop(p)
            p.pending = False
            gone = p.ready_at + p.src.reply_patience[p.msgs]
            if gone < self.env.now:  # the customer had already left silently
                p.outcome, p.end, p.gone_at = "silent", gone, gone
            else:
                p.outcome, p.end = "ignored", self.env.now
            self.rec.ended(p)
            self._tell(p)

    # Customer messages ----------------------------------------------------------------------------
    def _message(self, p: Post) -> None:
        """A customer message arrives and waits for a reply: with its holder, or in the shared queue."""
        p.pending, p.ready_at = True, self.env.now
        p.sent += 1
        self.rec.sent(p)
        self._tell(p)
        self._route(p)

    def _route(self, p: Post) -> None:
        """A waiting message goes to its holder's own queue, or to the shared queue (taken at once if an agent can)."""
        a = p.holder
        if a is not None and not a.present:  # the holder has left its seat: the thread goes back to the shared queue
            self._unhold(p)
            a = None
        if a is not None:
            h = self.desks[a]
            h.mine.append(p)
            if h.working is None and self.seats.is_idle(a):
                self._take(h)
            return
        inbox = self.inboxes[p.queue]
        inbox.push(p)
        if inbox.n == 1:
            h = choose_holder(inbox.groups, self.lazy, self.blended)
            if h is not None:
                self._take(h)

    def _on_next_message(self, ev) -> None:
        self._message(ev.value)

    # Agents ---------------------------------------------------------------------------------------
    def on_agent_free(self, agent) -> None:
        if agent.group in self.specs:
            self._take(self.holder(agent))

    def _take(self, h: Holder) -> bool:
        """An idle agent takes its next message, if any: its own threads' oldest, or the shared queue's next (below the
        cap and the reserve) — whichever entered its queue first when the shared queue is FCFS, its own first
        otherwise."""
        a = h.agent
        own = h.mine[0] if h.mine else None
        shared = None
        if h.can_take_new() and reserve_ok(h, self.blended[a.group]):
            best_t = INF
            for inbox in self.queues_of[a.group]:
                if inbox.n:
                    t = shared_head_entry(inbox)
                    if shared is None or t < best_t:
                        shared, best_t = inbox, t
            if own is not None and shared is not None and not own.ready_at <= best_t:
                own = None
        if own is not None:
            p = h.mine.popleft()
        elif shared is not None:
            p = shared.pop(self.env.now)
            if p is None:
                return False
            p.holder = a
            h.held += 1
        else:
            return False
        self.seats.take(a)
        self._start(h, p)
        return True

    def _start(self, h: Holder, p: Post) -> None:
        now = self.env.now
        p.pending = False
        if p.done == 0:
            p.assigned, p.agent = now, h.agent
            self.rec.assigned(p)
        k = p.msgs + p.done  # this reply's index in the factory's lists (reply patience: the message it answers)
        patience = p.src.reply_patience[k]
        if p.outcome is None and now - p.ready_at > patience:
            p.outcome, p.gone_at = "silent", p.ready_at + patience
            p.end = p.gone_at
            self.rec.ended(p)
        h.working, h.work_start, h.work_m = p, now, h.held
        self.seats.at(h.work_time(p.src.msgs[k]), h, self._on_reply_done)

    def _tell(self, p: Post) -> None:
        """The watchers hear that a customer message waits (no outcome yet) or that the thread ended."""
        for w in self.watchers:
            w.thread(p)

    def _on_reply_done(self, ev) -> None:
        h = ev.value
        p = h.working
        h.working = None
        now = self.env.now
        a = h.agent
        work = now - h.work_start
        p.work_s += work
        p.done += 1
        leg = 2 * p.done - 2
        self.rec.message(p, leg, a, h.work_start, now, p.ready_at, h.work_m, wasted=p.outcome == "silent")
        p.last_post_at = now
        if p.done == 1:
            p.first_response = now
            self.model.first_response(p)
        if p.outcome == "silent":  # nobody reads it: wasted; the thread ends with no further message
            p.wasted += 1
            p.wasted_s += work
            self.rec.wasted(p)
        elif p.done >= p.n_ex:  # the reply the issue needed
            src, i = p.src, p.i
            if src.resolved[i]:
                p.resolved_at = now
                self.rec.resolved(p)
                if src.confirms[i]:
                    self.seats.at(src.confirm_think[i], p, self._on_confirm)
                else:
                    p.outcome, p.end, p.resolution = "served", now, "unconfirmed"
                    self.rec.ended(p)
            else:
                p.outcome, p.end = "served", now
                self.rec.ended(p)
                self._tell(p)
        else:
            think = p.src.think(p)
            self.rec.leg(p, leg + 1, REPLY, None, now, now + think, math.nan, 0)
            self.seats.at(think, p, self._on_next_message)
        self._after_reply(h, p)

    def _after_reply(self, h: Holder, p: Post) -> None:
        """Affinity: the thread stays with this agent for the window (released at once without one); then the agent is
        released to the engine (calls first in a blended group); an agent who left its seat hands its threads back."""
        a = h.agent
        window = self.window[p.channel][1]
        if window <= 0:
            self._unhold(p)
        elif window < INF:
            self.seats.at(window, (p, p.done), self._on_window)
        self.seats.release(a)
        if not a.present:
            self._hand_back(h)

    def _on_window(self, ev) -> None:
        p, done = ev.value
        if p.holder is not None and p.done == done and not p.pending:
            self._unhold(p)

    def _on_confirm(self, ev) -> None:
        p = ev.value
        p.outcome, p.end, p.resolution = "served", self.env.now, "confirmed"
        self.rec.ended(p)
        if p.holder is not None:  # the agent sees the thread close
            self._unhold(p)

    def _unhold(self, p: Post) -> None:
        a = p.holder
        p.holder = None
        h = self.desks[a]
        h.held -= 1
        if a.present and h.working is None and self.seats.is_idle(a):
            self._take(h)  # below the cap again: the shared queue's next message

    def _hand_back(self, h: Holder) -> None:
        """The agent left its seat: its waiting messages go to the shared queue, its threads are no longer held."""
        waiting = list(h.mine)
        h.mine.clear()
        for p in [q for q in self.posts if q.holder is h.agent]:
            p.holder = None
        h.held = 0
        for p in waiting:
            self._route(p)  # it keeps the time it entered its queue

    # Records ------------------------------------------------------------------------------------
    def records(self, book) -> None:
        """The horizon: a customer still waiting whose patience ran out has left silently; open threads and messages in
        hand closed in the record book (``sim.social.records.ThreadBook.close``)."""
        horizon = self.model.horizon
        for p in self.posts:  # a customer still waiting at the horizon whose patience ran out has left silently
            if p.outcome is None and p.pending:
                k = p.msgs + p.done
                gone = p.ready_at + p.src.reply_patience[k]
                if gone <= horizon:
                    p.outcome, p.end, p.gone_at = "silent", gone, gone
                    self.rec.ended(p)
        self.rec.close(self.posts, self.desks)


class _LazyHolders:
    """``holders[agent]``, creating an agent's Holder on first use."""

    __slots__ = ("m",)

    def __init__(self, m: Messaging):
        self.m = m

    def __getitem__(self, agent) -> Holder:
        return self.m.holder(agent)


def attach(model):
    """The behaviour of the scenario's social and email channels: ``Messaging`` (default) or, with ``mode =
    "session"``, the slot-holding ``Conversations`` of ``sim.social.conversation`` (live chat: the agent waits)."""
    chans = [ch for ch in model.scenario.channels.values() if conversation_channel(ch)]
    if not chans:
        return None
    if all(conversation_spec(ch).messaging for ch in chans):
        return Messaging(model)
    return Conversations(model)
