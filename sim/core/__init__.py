"""The kernel of a replication: contacts, queues, agent groups and agents, arrivals, patience, service and the clock.

It imports no feature. Behaviours (``sim.core.protocol``) plug in through ``Model``'s calls; the plain phone queue
(``PhoneQueue``) is the default. The names below are the whole public surface: code outside ``sim/core`` uses only
these, and never writes the kernel's state on its objects (``CONTACT_STATE``, ``AGENT_STATE``) — tests check both.
See docs/architecture.md.
"""
from sim.core.agents import STATE as AGENT_STATE
from sim.core.agents import Agent, Group, effective_counts, longest_idle
from sim.core.contact import ABANDONED, CONTACT_COLUMNS, INF, NAN, OPEN, SERVED, Contact
from sim.core.contact import STATE as CONTACT_STATE
from sim.core.feed import Feed, contact_id_base
from sim.core.frames import concat, frame_of
from sim.core.model import Model
from sim.core.phone import PhoneQueue
from sim.core.protocol import (
    AgentFreeHook,
    ArrivalHook,
    ContactBehaviour,
    ContactEnded,
    FirstResponse,
    PostArrived,
)
from sim.core.queue import Queue
from sim.core.records import Column, RecordBook, Table

__all__ = [
    "ABANDONED", "AGENT_STATE", "CONTACT_COLUMNS", "CONTACT_STATE", "INF", "NAN", "OPEN", "SERVED",
    "Agent", "AgentFreeHook", "ArrivalHook", "Contact", "ContactBehaviour", "ContactEnded", "Feed", "FirstResponse",
    "Column", "Group", "Model", "PhoneQueue", "PostArrived", "Queue", "RecordBook", "Table", "concat", "frame_of",
    "contact_id_base", "effective_counts", "longest_idle",
]
