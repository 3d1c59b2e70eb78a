"""The next try: what a customer whose contact failed or did not resolve their issue does next, on every channel.

- ``sim.next_try.rows``: the rule as rows (from-channel, outcome, to-channel, probability, delay, max attempts), from
  the ``[[next_try]]`` section and the phone shorthands (``redials``, ``resolution.call_again``);
- ``sim.next_try.follow_up``: the run-time part that runs the rows the phone funnel does not (a thread's end on social,
  email or chat; a call's end towards another channel; a feature's rows); the funnel runs phone → phone rows with its
  own tape of draws;
- ``sim.next_try.provided``: the interface through which a feature adds rows whose probability and next contact it
  supplies (the reputation model's spillover), run by the follow-up part on the feature's own keyed stream;
- ``sim.next_try.table``: one table of every row of a scenario (``next_try_table``), and unique customers and their
  attempts reported apart (``next_try_metrics``). docs/next_try.md.
"""
from sim.next_try.rows import Row, parse_section, row_for, rows_of
from sim.next_try.table import COLUMNS, METRICS, next_try_metrics, next_try_table

__all__ = ["COLUMNS", "METRICS", "Row", "next_try_metrics", "next_try_table", "parse_section", "row_for", "rows_of"]
