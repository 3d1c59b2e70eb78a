"""Departments and agents: who can handle a caller's issue, diagnosis and transfers, overflow to other groups.

An agent handles a caller's issue when the call came from the issue's department queue, from a queue listed in
``transfers.handles_any``, or when the agent's group serves (or takes overflow of) the issue's department. Otherwise the
agent spends a diagnosis time and transfers the caller to the right department: *cold* (the caller queues again and
repeats the issue: extra handle time) or *warm* (queued with ``warm_priority``, no repetition). With ``misdiagnosis`` the
agent sends the caller to yet another wrong department, so a call can be transferred more than once.

Overflow: a caller who has waited ``overflow_after`` in a department queue also becomes visible to the ``overflow_to``
groups, which look at it after their own queues; the caller stays in place in the home queue and whoever frees first
takes the call.
"""
from __future__ import annotations

import math

from sim.core import SERVED, Queue
from sim.funnel.draws import DIAG, MISDIAG, MISDIAG_PICK, REPEAT, quantile, quantile_of
from sim.funnel.legs import RESULT, STAGE

NAN = math.nan
SERVICE, DIAGNOSIS = STAGE["service"], STAGE["diagnosis"]
ANSWERED, TRANSFER, RESOLVED, UNRESOLVED = (RESULT[r] for r in ("answered", "transfer", "resolved", "unresolved"))


def setup(f) -> None:
    """Overflow queues and the departments each group can handle."""
    model, spec = f.model, f.spec
    f.overflow_q: dict[str, Queue] = {}
    f.handles = {g.name: set(g.spec.serves) for g in model.groups.values()}
    for q, dep in spec.departments.items():
        if dep.overflow_after_s is None:
            continue
        oq = model.add_queue(q, f.channel.name, [model.groups[g] for g in dep.overflow_to])
        for g in oq.groups:
            f.handles[g.name].add(q)
        f.overflow_q[q] = oq
    f.any_queue = set(spec.transfers.handles_any)
    f.diagnosis = quantile_of(spec.transfers.diagnosis)
    others = {q: [d for d in f.departments if d != q] for q in f.departments}
    f.other_departments = others
    f.on_overflow = lambda ev: _on_overflow(f, ev)


def watch_overflow(f, c) -> None:
    oq = f.overflow_q.get(c.queue)
    if oq is not None:
        after = f.spec.departments[c.queue].overflow_after_s
        f.model.schedule(after, f.on_overflow, (c, c.visit))


def _on_overflow(f, ev) -> None:
    c, visit = ev.value
    if not c.waiting or c.visit != visit:
        return
    now = f.env.now
    f.legs.close(c.leg, now, "overflow")
    c.leg = f.legs.add(c.id, "overflow", c.queue, c.queue, None, -1, now)
    f.model.offer_also(c, f.overflow_q[c.queue])  # the caller stays in the home queue; whoever frees first takes it


def start(f, agent, c) -> None:
    """An agent picks up: the service, or a diagnosis when the caller belongs to another department."""
    now = f.env.now
    leg = c.leg
    if leg is not None:
        f.leg_end[leg], f.leg_result[leg] = now, ANSWERED
    if c.first_answer != c.first_answer:  # NaN
        c.first_answer = now
    gname = agent.group.name
    dept, q = c.department, c.queue
    if dept == q or q in f.any_queue or dept in f.handles[gname]:
        if c.right_answer != c.right_answer:
            c.right_answer = now
        dur, stage = c.handle + c.extra, SERVICE
        c.extra, c.diagnosing = 0.0, False
    else:
        u = c.tape.at(DIAG) if c.transfers == 0 else c.tape.spare()
        dur, stage = f.diagnosis(u), DIAGNOSIS
        c.diagnosing = True
    c.leg = f.put(c.id, stage, gname, None, q, gname, agent.id, now, NAN, -1)
    f.model.start_work(agent, dur)


def work_done(f, agent, c) -> None:
    """Diagnosis over: transfer, and the agent is free at once. Service over: resolution, the call ends, wrap-up."""
    now = f.env.now
    if c.diagnosing:
        c.diagnosing = False
        f.leg_end[c.leg], f.leg_result[c.leg] = now, TRANSFER
        transfer(f, c)
        f.model.release(agent, wrap_up=False)
        return
    c.service_leg = c.leg
    f.served(c)
    f.leg_end[c.leg], f.leg_result[c.leg] = now, RESOLVED if c.resolved else UNRESOLVED
    f.model.end_contact(c, SERVED)
    f.model.release(agent)


def transfer(f, c) -> None:
    t, tape = f.spec.transfers, c.tape
    first = c.transfers == 0
    c.transfers += 1
    target = c.department
    if t.misdiagnosis > 0 and (tape.at(MISDIAG) if first else tape.spare()) < t.misdiagnosis:
        wrong = [d for d in f.other_departments.get(c.department, ()) if d != c.queue]
        if wrong:
            u = tape.at(MISDIAG_PICK) if first else tape.spare()
            target = wrong[min(int(u * len(wrong)), len(wrong) - 1)]
    warm = t.mode == "warm"
    if not warm and t.repeat is not None:
        c.extra += quantile(t.repeat, tape.at(REPEAT) if first else tape.spare())
    f.enter_queue(c, target, first=False, warm=warm)
