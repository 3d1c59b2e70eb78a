"""Conversations on the asynchronous channels, driven by the engine's event loop (timed callbacks, ``sim.core.events``).

A post the brand answers waits in its inbox (``sim.social.triage``) until an agent opens it. Then: the agent writes a
message (work, ``sim.social.concurrency``), the customer thinks and replies, and so on for the post's number of
exchanges. The first response is the moment the agent's first message is posted. A customer who goes quiet — or whose
reply would come after the inactivity timeout — is closed by the agent at the timeout (outcome ``silent``, Castellanos,
Yom-Tov & Goldberg, "Silent abandonment"); a completed conversation is ``served`` and ``resolved`` or not. Posts the
brand decides not to answer, or lets expire unopened, are ``ignored``; a customer whose patience runs out before an
agent opens the post has ``abandoned``.

``Conversations(model)`` takes the social and email feeds as their arrival behaviour (``new_customer``, ``on_arrival``,
``sim.core.protocol``), gets agents who are free with no call waiting (``on_agent_free``), takes them out of the
kernel's idle lists while they hold conversations (``Model.seize``, ``Model.free``) and adds the posts to the records
(``records``).
"""
from __future__ import annotations

import math

from sim.social.concurrency import Desk, GroupDesks, choose_agent
from sim.social.kinds import conversation_channel
from sim.social.posts import Post, PostFactory
from sim.social.records import ThreadBook
from sim.social.spec import conversation_spec, desk_spec
from sim.social.triage import Inbox

INF = math.inf
MESSAGE, REPLY, TIMEOUT = "message", "reply", "timeout"


class Conversations:
    """The asynchronous side of one replication."""

    def __init__(self, model):
        self.model = model
        self.env = model.env
        self.feeds = [f for f in model.feeds if conversation_channel(f.channel)]
        for f in self.feeds:
            model.set_arrival_hook(f, self, start_late=True)
        model.on_agent_free(self)
        self.factories, self.inboxes, self.expire = {}, {}, {}
        self.watchers: list = []  # told of each conversation's end (sim.next_try)
        for f in self.feeds:
            ch = f.channel
            spec = conversation_spec(ch)
            self.factories[ch.name] = PostFactory(ch, spec, model.streams, len(f.times))
            self.inboxes[ch.queue] = Inbox(ch.queue, ch.name, spec.triage, ch.targets.answer_within_s)
            self.expire[ch.name] = (spec.triage.expire_after_s, spec.inactivity_timeout_s)
        self.desks: dict = {}  # agent -> Desk
        self.gdesks: dict = {}  # Group -> GroupDesks (groups serving a conversation queue)
        for grp in model.groups.values():
            conv = [self.inboxes[q] for q in grp.spec.serves if q in self.inboxes]
            if not conv:
                continue
            gd = GroupDesks(grp, desk_spec(grp.spec), blended=len(conv) < len(grp.spec.serves))
            gd.inboxes = conv
            self.gdesks[grp] = gd
            for ib in conv:
                ib.groups.append(gd)
        self.posts: list[Post] = []
        self.rec = ThreadBook(model.book, model.horizon, messaging=False)

    # Arrivals -----------------------------------------------------------------------------------
    def new_customer(self, feed) -> tuple:
        """The next post of the feed's channel: its id and its place in the factory's lists, taken now (its attributes
        were drawn up front, in arrival order). The ``Post`` itself is made when the customer arrives
        (``on_arrival``): a customer of a ``[choice]`` population who chose another channel is only counted."""
        f = self.factories[feed.channel.name]
        f.i += 1
        return f, feed.next_id(), f.i - 1, self.env.now

    def on_arrival(self, customer: tuple) -> None:
        self.admit(Post(*customer))

    def admit(self, p: Post) -> None:
        """A new post reaches the brand: from the arrival process, or caused by another contact (sim.reputation)."""
        now = self.env.now
        src = p.src
        if not self.model.post_arrived(p):
            return  # deflected: the customer read an earlier public answer and never posted
        self.posts.append(p)
        self.rec.admit(p)
        if not src.answer[p.i]:
            p.outcome, p.end = "ignored", now
            self.rec.ended(p)
            self._tell(p)
            return
        p.enqueued = now
        self.rec.queued(p)
        inbox = self.inboxes[p.queue]
        if inbox.n == 0:
            agent = choose_agent(inbox.groups)
            if agent is not None:
                self._assign(agent, p)
                return
        inbox.push(p)
        deadline = min(src.patience[p.i], self.expire[p.channel][0])
        if deadline < INF:
            self.model.schedule(deadline, self._on_deadline, p)

    def _on_deadline(self, ev) -> None:
        p = ev.value
        if p.waiting:
            self.inboxes[p.queue].drop(p)
            p.end = self.env.now
            p.outcome = "abandoned" if p.src.patience[p.i] <= self.expire[p.channel][0] else "ignored"
            self.rec.ended(p)
            self._tell(p)

    # Assignment ---------------------------------------------------------------------------------
    def _assign(self, agent, p: Post) -> None:
        now = self.env.now
        d = self.desks.get(agent)
        if d is None:
            d = self.desks[agent] = Desk(agent, self.gdesks[agent.group].spec.slowdown)
        if d.open == 0:  # a free agent: no longer free for calls
            self.model.seize(agent)
            self.gdesks[agent.group].busy[agent] = d
        d.open += 1
        p.assigned = now
        p.agent = agent
        p.desk = d
        self.rec.assigned(p)
        p.ready_at = now
        d.ready.append(p)
        if d.working is None:
            self._start_next(d)

    def _dispatch(self, gd: GroupDesks) -> None:
        """Open waiting posts of the group's inboxes while some agent can take one."""
        now = self.env.now
        for inbox in gd.inboxes:
            while inbox.n:
                agent = choose_agent(inbox.groups)
                if agent is None:
                    break
                self._assign(agent, inbox.pop(now))

    def on_agent_free(self, agent) -> None:
        gd = self.gdesks.get(agent.group)
        if gd is not None:
            self._dispatch(gd)

    # Work ---------------------------------------------------------------------------------------
    def _start_next(self, d: Desk) -> None:
        p = d.ready.popleft()
        m = d.open
        d.working, d.work_start, d.work_m = p, self.env.now, m
        work = p.src.msgs[p.msgs + p.done] * (1.0 + d.slowdown * (m - 1))
        self.model.schedule(work, self._on_message_done, d)

    def _on_message_done(self, ev) -> None:
        d = ev.value
        p = d.working
        d.working = None
        now = self.env.now
        p.work_s += now - d.work_start
        p.done += 1
        self.rec.message(p, 2 * p.done - 2, d.agent, d.work_start, now, p.ready_at, d.work_m)
        p.last_post_at = now
        if p.done == 1:
            p.first_response = now
            self.model.first_response(p)
        if p.done >= p.n_ex:
            self._close(p, "served")
            self._after_close(d)
            return
        timeout = self.expire[p.channel][1]
        if p.done > p.replies:  # the customer will not answer this message
            self.model.schedule(timeout, self._on_timeout, p)
        else:
            think = p.src.think(p)
            if think > timeout:  # the reply would come after the agent has closed the conversation
                self.model.schedule(timeout, self._on_timeout, p)
            else:
                self.model.schedule(think, self._on_reply, p)
        if d.ready:
            self._start_next(d)
        else:
            self.model.mark_idle(d.agent)

    def _on_reply(self, ev) -> None:
        p = ev.value
        now = self.env.now
        self.rec.leg(p, 2 * p.done - 1, REPLY, None, p.last_post_at, now, math.nan, 0)
        p.ready_at = now
        d = p.desk
        d.ready.append(p)
        if d.working is None:
            self._start_next(d)

    def _on_timeout(self, ev) -> None:
        p = ev.value
        now = self.env.now
        self.rec.leg(p, 2 * p.done - 1, TIMEOUT, p.agent, p.last_post_at, now, math.nan, 0)
        self._close(p, "silent")
        self._after_close(p.desk)

    def _close(self, p: Post, outcome: str) -> None:
        now = self.env.now
        p.end, p.outcome = now, outcome
        p.desk.open -= 1
        if outcome == "served" and p.src.resolved[p.i]:
            p.resolved_at = now
            self.rec.resolved(p)
        self.rec.ended(p)
        self._tell(p)

    def _tell(self, p: Post) -> None:
        """The watchers hear that the conversation ended."""
        for w in self.watchers:
            w.thread(p)

    def _after_close(self, d: Desk) -> None:
        """A slot freed: an agent with no conversation left is free (calls first); otherwise fill the slot."""
        agent = d.agent
        if d.open == 0 and d.working is None:
            del self.gdesks[agent.group].busy[agent]
            self.model.free(agent)
            return
        self._dispatch(self.gdesks[agent.group])
        if d.working is None:
            if d.ready:
                self._start_next(d)
            else:
                self.model.mark_idle(agent)

    # Records ------------------------------------------------------------------------------------
    def records(self, book) -> None:
        """The horizon: open posts and messages in hand closed in the record book (``ThreadBook.close``)."""
        self.rec.close(self.posts, self.desks)


def attach(model) -> Conversations | None:
    """The conversations of a scenario with social or email channels, or None."""
    if not any(conversation_channel(ch) for ch in model.scenario.channels.values()):
        return None
    return Conversations(model)
