"""The plain phone queue: the default behaviour of every channel no feature takes over.

A customer arrives, spends their flat ``ivr_time`` (if any), is offered to the channel's queue, is answered by the
longest-idle agent or abandons when their patience runs out (Erlang A, domain notes §1), is served for their handle
time and leaves; the agent wraps up and takes the next contact.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.core.contact import ABANDONED, INF, SERVED, Contact

if TYPE_CHECKING:
    from sim.core.agents import Agent
    from sim.core.feed import Feed
    from sim.core.model import Model


class PhoneQueue:
    """Arrival hook and contact behaviour of the plain phone queue."""

    def __init__(self, model: Model):
        self.model = model

    def new_customer(self, feed: Feed) -> Contact:
        if feed.classes is not None:  # a class per customer: its priority (queue credit) and its patience law
            priority, patience = feed.classes.next()
            c = Contact(feed.next_id(), feed.channel.name, self.model.env.now, feed.handle.next(),
                        patience.next() if patience else INF, feed.ivr.next() if feed.ivr else 0.0, self)
            c.priority = priority
        else:
            c = Contact(feed.next_id(), feed.channel.name, self.model.env.now, feed.handle.next(),
                        feed.patience.next() if feed.patience else INF, feed.ivr.next() if feed.ivr else 0.0, self)
        c.queue = feed.channel.queue
        return c

    def on_arrival(self, c: Contact) -> None:
        m = self.model
        m.add_contact(c)
        if c.ivr > 0:
            m.schedule(c.ivr, self._on_ivr_end, c)
        else:
            m.offer(c)

    def _on_ivr_end(self, ev: Any) -> None:
        self.model.offer(ev.value)

    def on_answered(self, agent: Agent, c: Contact) -> None:
        self.model.start_work(agent, c.handle)

    def on_work_done(self, agent: Agent, c: Contact) -> None:
        self.model.end_contact(c, SERVED)
        self.model.release(agent)

    def on_left_queue(self, c: Contact) -> None:
        self.model.end_contact(c, ABANDONED)
