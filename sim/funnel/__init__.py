"""The phone funnel: trunk lines, the IVR menu tree, departments, misrouting and transfers, priority classes, overflow,
hold announcements, redials, callbacks and first-contact resolution (docs/funnel.md).

Modules: ``spec`` (scenario keys), ``ivr`` (the menu tree: walking a caller through it, exact expectations),
``menus`` (reading the tree from a scenario), ``draws`` (each attempt's tape of uniforms), ``legs`` (the legs book),
``customers`` (callers and attempts), ``flow`` (lines, IVR, queue entry, callbacks, redials: the engine's partner for
phone channels with funnel keys), ``routing`` (diagnosis, transfers, overflow), ``records`` (contact columns and the
``legs`` table), ``tables`` (interval columns).
"""
