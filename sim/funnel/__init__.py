"""The phone funnel: trunk lines, the IVR menu tree, departments, misrouting and transfers, priority classes, overflow,
hold announcements, redials, callbacks and first-contact resolution (docs/funnel.md).

Modules: ``spec`` (scenario keys), ``ivr`` (the menu tree: reading, walking a caller through it, exact expectations),
``customers`` (callers and attempts), ``flow`` (lines, IVR, queue entry, callbacks, redials: the engine's partner for
phone channels with funnel keys), ``routing`` (diagnosis, transfers, overflow), ``records`` (contact columns and the
``legs`` table), ``tables`` (interval columns).
"""
