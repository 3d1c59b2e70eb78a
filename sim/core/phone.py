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
        ch, ivr = feed.channel, feed.ivr
        if feed.classes is not None:  # a class per customer: its priority (queue credit) and its patience law
            priority, patience = feed.classes.next()
            c = Contact(feed.id_base + feed.i, ch.name, self.model.env.now, feed.handle.next(),
                        patience.next() if patience else INF, ivr.next() if ivr else 0.0, self)
            c.priority = priority
        else:
            patience = feed.patience
            c = Contact(feed.id_base + feed.i, ch.name, self.model.env.now, feed.handle.next(),
                        patience.next() if patience else INF, ivr.next() if ivr else 0.0, self)
        c.queue = ch.queue
        return c

    def on_arrival(self, c: Contact) -> None:
        m = self.model
        if m._row is None:  # ``Model.add_contact``, inlined
            m._row_writers()
        m.contacts.append(c)
        c.row = m._row(c.id, c.customer_id, c.attempt, c.channel, c.queue, c.priority, c.arrival, c.handle, c.ivr)
        if c.ivr > 0:
            m._at(c.ivr, self._on_ivr_end, c)
        else:
            m.offer(c)

    def _on_ivr_end(self, ev: Any) -> None:
        self.model.offer(ev.value)

    def on_answered(self, agent: Agent, c: Contact) -> None:
        m = self.model
        m._at(c.handle, m._on_work_end, agent)  # ``start_work``

    def on_work_done(self, agent: Agent, c: Contact) -> None:
        """Served: ``Model.end_contact(c, SERVED)`` and ``Model.release(agent)``, inlined (the kernel's commonest
        step)."""
        m = self.model
        c.outcome = SERVED
        c.end = m.env.now
        r = c.row
        if r >= 0:
            m._complete(c)
        for o in m._ended:
            o.contact_ended(c)
        agent.contact = None
        draws = agent.group.wrap_draws
        if draws is not None:
            c.wrap = w = draws.next()
            if r >= 0:
                m._wrap_col[r] = w
            m._at(w, m._on_wrap_end, agent)
        else:
            m._agent_free(agent)

    def on_left_queue(self, c: Contact) -> None:
        self.model.end_contact(c, ABANDONED)
