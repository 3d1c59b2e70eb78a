"""The teaching app (``contactsim app``, the ``[app]`` extra): lessons that let students move a control and see the
simulation beside the formula.

The lessons' logic (scenario building, running, the numbers shown) lives in ``sim.app.queues``, ``funnel``,
``social``, ``delay`` and ``follow`` and uses only the public API (``sim.parse_scenario``, ``sim.run``, the ``Results``
tables, ``sim.analytic``); it imports no web framework, so it is tested on its own; ``sim.app.grid`` holds precomputed results of the longer lessons. The pages
(``sim/app/lessons/``) and the entry script (``sim/app/main.py``) are Streamlit scripts on top of it. Why Streamlit:
docs/app.md.
"""
