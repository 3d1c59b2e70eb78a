"""``sim.run``: simulate replications of a scenario and collect their tables."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.engine import Model
from sim.extensions import FEATURES
from sim.horizons import clock_of
from sim.results import Results, contact_table, interval_tables
from sim.version import __version__


def replication_indices(scenario, replications: int | Sequence[int] | None) -> list[int]:
    if replications is None:
        return list(range(scenario.run.replications))
    if isinstance(replications, int):
        if replications < 1:
            raise ValueError("replications must be at least 1")
        return list(range(replications))
    return [int(r) for r in replications]


def run_replication(scenario, replication: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """(contacts after warm-up, intervals, agents, legs, reputation ledger or None) of one replication."""
    model = Model(scenario, replication, seed)
    raw = model.run()
    allc = contact_table(scenario, replication, raw)
    intervals, agents = interval_tables(scenario, replication, allc, raw["staff_logs"], raw.get("work"),
                                       raw.get("waits"))
    contacts = allc[allc["arrival_at_s"] >= scenario.run.warmup_s].drop(columns=["queue_entry_at_s"])
    tables: dict[str, pd.DataFrame] = {}
    for feature in FEATURES:  # tables a feature makes after the run (the reputation ledger), its contact columns
        if feature.replication_tables is not None:
            contacts, more = feature.replication_tables(scenario, replication, seed, contacts, raw)
            tables.update(more)
    reputation = tables.get("reputation")
    legs = raw.get("legs")
    if legs is not None:
        legs = legs[legs["contact_id"].isin(contacts["contact_id"])].assign(replication=replication)
    return contacts.reset_index(drop=True), intervals, agents, legs, reputation


def run(scenario, replications: int | Sequence[int] | None = None, seed: int | None = None) -> Results:
    """Simulate ``replications`` (a count, or the indices to run) of ``scenario`` with ``seed`` (default: the
    scenario's). Replication r is the same whether run alone or among others."""
    seed = scenario.run.seed if seed is None else int(seed)
    reps = replication_indices(scenario, replications)
    parts = [run_replication(scenario, r, seed) for r in reps]
    cat = lambda i: pd.concat([p[i] for p in parts], ignore_index=True)
    contacts = cat(0)
    for col in ("channel", "queue", "agent_group"):
        contacts[col] = contacts[col].astype("category")
    legs = cat(3) if all(p[3] is not None for p in parts) else None
    reputation = cat(4) if all(p[4] is not None for p in parts) else None  # the reputation ledger (sim.reputation)
    provenance = {"contactsim_version": __version__, "scenario": scenario.name, "source": scenario.source,
                  "scenario_hash": scenario.hash, "seed": seed, "replications": reps,
                  "start": scenario.calendar.start.isoformat(),  # t = 0 as a date-time (sim.dated, figures)
                  "targets": {c.name: {"service_level": c.targets.service_level,
                                       "answer_within_s": c.targets.answer_within_s} for c in scenario.channels.values()},
                  "clock": clock_of(scenario)}  # warm-up, horizon, start of day: resolution horizons (sim.horizons)
    return Results.from_tables(contacts, cat(1), cat(2), provenance, legs, reputation)
