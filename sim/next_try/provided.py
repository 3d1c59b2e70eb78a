"""Rows a feature adds to the next-try rule: run by ``sim.next_try.follow_up`` like every other row, the feature
saying what the rule cannot know — the row's probability for a given contact, and what its next try creates.

A feature's run-time part (in ``model.parts``; features attach before the follow-up part, ``sim.extensions``) that
implements ``RowProvider`` offers its rows when the follow-up part attaches. Such a row

- has ``probability`` NaN: ``next_try_probability(row, contact)`` gives it, contact by contact, when the contact ends;
- draws on its own keyed stream (``Row.stream``): a generator keyed by (seed, replication, stream, contact id)
  (``sim.reputation.keyed.KeyedDraws``) gives one uniform for the rows of that stream from that contact, which picks
  at most one of them, then the chosen row's delay — independent of the uniform of the ``next_try`` stream, which
  picks among the rows written in the scenario and the phone shorthands;
- may follow every end of a contact (``Row.every_end``), resolved ones too;
- tells the feature when the customer decides (``next_try_chosen``: the contact's record may say so) and when the try
  starts, after the row's delay and before the horizon (``next_try_start``: the feature creates the contact, keeping
  the customer's id).

The reputation model's spillover (``sim.reputation.live``) is such a row: phone → public complaint on social.
docs/next_try.md.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from sim.next_try.rows import Row


@runtime_checkable
class RowProvider(Protocol):
    def next_try_rows(self) -> Sequence[Row]:
        """The rows this feature adds to the run (each with its own ``stream``)."""

    def next_try_probability(self, row: Row, contact: Any) -> float:
        """The probability that the customer of ``contact``, which just ended, takes ``row``."""

    def next_try_chosen(self, row: Row, contact: Any) -> None:
        """The customer of ``contact`` takes ``row`` (drawn at the contact's end, before the delay)."""

    def next_try_start(self, row: Row, contact_id: int, customer_id: int, attempt: int) -> None:
        """The try starts now: create it on ``row.to_channel`` (``attempt``: the customer's attempt number)."""


def providers(parts: Mapping[str, Any]) -> list[RowProvider]:
    """The parts of a model that offer rows, in attachment order."""
    return [p for p in parts.values() if isinstance(p, RowProvider)]
