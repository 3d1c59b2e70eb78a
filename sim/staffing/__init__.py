"""Staffing: how many agents each interval needs, found by simulation, beside the Erlang formulas; shrinkage, shifts, cost.

- ``sim.staffing.heuristics``: Erlang C, Erlang A, square-root and modified-offered-load requirements per interval.
- ``sim.staffing.isa``: the iterative staffing algorithm of Feldman, Mandelbaum, Massey & Whitt (2008).
- ``sim.staffing.requirements``: the fewest agents per interval that meet every target in simulation.
- ``sim.staffing.shifts``: shifts that cover a requirement at least cost (an integer programme, HiGHS).
- ``sim.staffing.rules``: the scenario's ``[staffing]`` table.
"""
