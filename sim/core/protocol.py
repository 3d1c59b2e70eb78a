"""What a channel behaviour implements, and what an observer listens to.

A *behaviour* decides what happens to a channel's contacts; the kernel (``sim.core.Model``) does the queueing,
agents, patience and the clock. Its hooks:

- ``ArrivalHook`` — a channel's arrival process delivers a customer: ``new_customer(feed)`` draws their attributes
  (for every arrival, also those of a ``[choice]`` population who chose another channel, so the next customer gets the
  next values) and ``on_arrival(customer)`` lets them contact the brand.
- ``ContactBehaviour`` — a contact it created (``Contact.behaviour``) is answered (``on_answered``: start work with
  ``Model.start_work``), its work is done (``on_work_done``: end the contact and release the agent, or move it on),
  or it left a queue when its patience ran out (``on_left_queue``).
- ``AgentFreeHook`` — an agent joined its group's idle list with nothing waiting for them in the kernel's queues
  (``on_agent_free``: the chance to give them work the kernel does not queue, such as a social conversation).

*Observers* only listen: a contact ended (``ContactEnded``), a post reached the brand (``PostArrived``; it may say the
post never becomes a contact — the customer found an earlier public answer), the brand's first reply on a post is out
(``FirstResponse``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from sim.core.agents import Agent
    from sim.core.contact import Contact
    from sim.core.feed import Feed


@runtime_checkable
class ArrivalHook(Protocol):
    def new_customer(self, feed: Feed) -> Any:
        """Draw the next customer of ``feed`` (the kernel has counted them: ``feed.i``, ``feed.next_id()``)."""

    def on_arrival(self, customer: Any) -> None:
        """The customer contacts the brand on this channel now."""


@runtime_checkable
class ContactBehaviour(Protocol):
    def on_answered(self, agent: Agent, contact: Contact) -> None:
        """An agent took the contact (the kernel set its answer time and agent)."""

    def on_work_done(self, agent: Agent, contact: Contact) -> None:
        """The work started by ``Model.start_work`` is over."""

    def on_left_queue(self, contact: Contact) -> None:
        """The contact's patience ran out while it waited; the kernel has withdrawn it from its queues."""


@runtime_checkable
class AgentFreeHook(Protocol):
    def on_agent_free(self, agent: Agent) -> None:
        """``agent`` is idle and none of the kernel's queues it serves has a contact waiting."""


@runtime_checkable
class ContactEnded(Protocol):
    def contact_ended(self, contact: Contact) -> None:
        """A call ended (served, abandoned, blocked, self-served …); its outcome and end time are set."""


@runtime_checkable
class PostArrived(Protocol):
    def post_arrived(self, post: Any) -> bool:
        """A post reaches the brand; False: it never becomes a contact (deflected)."""


@runtime_checkable
class FirstResponse(Protocol):
    def first_response(self, post: Any) -> None:
        """The brand's first message on ``post`` is out."""
