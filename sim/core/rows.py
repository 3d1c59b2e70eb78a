"""The kernel's rows of the ``contacts`` table: a row appended when a contact is added (what describes it) and
completed when it ends (``Model.end_contact``; its wrap-up in ``Model.release``) or, still open, at the horizon."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sim.core.contact import SERVED

if TYPE_CHECKING:
    from sim.core.contact import Contact
    from sim.core.records import Table


def contact_rows(t: Table) -> tuple[Callable[..., int], Callable[[Contact], None], list]:
    """The writers of table ``t`` (``contacts``): ``add(id, customer, attempt, channel, queue, priority, arrival,
    handle, ivr)`` appends a row and returns its number; ``complete(c)`` writes contact ``c``'s state into its row;
    and the wrap-up column, written in place."""
    add = t.appender("contact_id", "customer_id", "attempt", "channel", "queue", "priority", "arrival_at_s",
                     "handle_draw_s", "ivr_s")
    cols = [t.column(n) for n in ("queue", "queue_entry_at_s", "answer_at_s", "end_at_s", "wrap_up_s", "outcome",
                                  "agent_group", "agent_id", "ivr_s", "resolved")]
    queue, entry, answer, end, wrap, outcome, group, agent_id, ivr, resolved = cols
    qcode, ocode, gcode = t.coder("queue"), t.coder("outcome"), t.coder("agent_group")

    def complete(c: Contact) -> None:
        r = c.row
        queue[r] = qcode(c.queue)
        entry[r] = c.enqueued
        answer[r] = c.answer
        end[r] = c.end
        wrap[r] = c.wrap
        o = c.outcome
        outcome[r] = ocode(o)
        a: Any = c.agent
        if a is None:
            group[r], agent_id[r] = -1, -1
        else:
            group[r], agent_id[r] = gcode(a.group.name), a.id
        ivr[r] = c.ivr
        resolved[r] = o == SERVED

    return add, complete, wrap
