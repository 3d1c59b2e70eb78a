"""``sim.run``: simulate replications of a scenario and collect their tables."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.core import concat, frame_of
from sim.engine import Model
from sim.extensions import FEATURES
from sim.horizons import clock_of
from sim.results import INTERVAL_TABLES, KIND_TABLES, Results, contact_columns, contact_view, interval_tables
from sim.version import __version__

# Tables of one replication that are rows of contacts (kind tables) or of their stages (legs, messages).
CONTACT_TABLES = (*KIND_TABLES, "legs", "messages")


def replication_indices(scenario, replications: int | Sequence[int] | None) -> list[int]:
    if replications is None:
        return list(range(scenario.run.replications))
    if isinstance(replications, int):
        if replications < 1:
            raise ValueError("replications must be at least 1")
        return list(range(replications))
    return [int(r) for r in replications]


def run_replication(scenario, replication: int, seed: int) -> dict[str, pd.DataFrame]:
    """The tables of one replication (contacts after warm-up; each other table present when the scenario makes it):
    ``contacts``, ``funnel_calls``, ``social_threads``, ``legs``, ``messages``, ``intervals``, ``funnel_intervals``,
    ``social_intervals``, ``agents``, ``reputation``, ``deflections``.

    The contacts' columns are converted once (``Table.arrays``) and stay arrays: the tables read by the interval
    tables and the features are made from them without copies, and the warm-up's rows are cut from the arrays."""
    model = Model(scenario, replication, seed)
    book = model.run()
    book_contacts = book.tables["contacts"]
    cols = contact_columns(scenario, replication, book_contacts.arrays())
    allc = frame_of(cols, book_contacts.n, blocks=False)
    kinds = {name: _kind_frame(book.tables[name], replication) for name in CONTACT_TABLES if name in book.tables}
    # the kind tables' columns joined (a plain queue has none: its contact table is the view)
    wide = contact_view(allc, kinds) if any(name in kinds for name in KIND_TABLES) else allc
    per_interval = interval_tables(scenario, replication, wide, book["staff_logs"], book.extras.get("work"),
                                   book.extras.get("waits"), cols)  # intervals, agents, the features' interval tables
    cut = _after_warmup(cols["arrival_at_s"], scenario.run.warmup_s)
    if wide is allc:  # the rows after the warm-up, from the arrays
        if cut is not None:
            cols = {k: v[cut] for k, v in cols.items()}
        wide = frame_of(cols, len(cols["arrival_at_s"]), blocks=False)
        if cut is not None:
            wide.index = allc.index[cut]  # the rows' numbers in the replication, as a row filter keeps them
    elif cut is not None:
        wide = wide.iloc[cut]
    seen = wide
    out: dict[str, pd.DataFrame] = {}
    for feature in FEATURES:  # tables a feature makes after the run (the reputation ledger), its contact columns
        if feature.replication_tables is not None:
            wide, more = feature.replication_tables(scenario, replication, seed, wide, book)
            out.update(more)
    joined = {c for name in KIND_TABLES if name in kinds for c in kinds[name].columns} - {"replication", "contact_id"}
    own = [c for c in wide.columns if c not in joined and c != "queue_entry_at_s"]
    if wide is seen and not joined and list(wide.columns) == list(cols):  # no feature changed the contacts
        contacts = frame_of({k: cols[k] for k in own}, len(wide))
    else:
        contacts = wide[own].reset_index(drop=True)
    if len(contacts) == book_contacts.n:  # every contact kept: so is every row of its kind and stages
        out.update(kinds)
    else:
        kept = contacts["contact_id"].to_numpy()
        for name, t in kinds.items():
            inside = np.isin(t["contact_id"].to_numpy(), kept)
            out[name] = t if inside.all() else t[inside].reset_index(drop=True)
    out.update(contacts=contacts, **per_interval)
    return out


def _after_warmup(arrival: np.ndarray, warmup_s: float) -> slice | np.ndarray | None:
    """The rows arriving after the warm-up: None (every row), a slice when they are the last rows (contacts are
    written as they arrive: the columns' views, no copy), else a mask."""
    keep = ~(arrival < warmup_s)
    first = int(np.argmax(keep)) if len(keep) else 0
    if not keep[:first].any() and keep[first:].all():
        return None if first == 0 else slice(first, None)
    return keep


def _kind_frame(table, replication: int) -> pd.DataFrame:
    """A table of the contacts' kinds or stages (``funnel_calls``, ``legs``, …) with its replication first."""
    cols, n = table.kept()
    return frame_of({"replication": np.full(n, replication, dtype=np.int64), **cols}, n)


def run(scenario, replications: int | Sequence[int] | None = None, seed: int | None = None) -> Results:
    """Simulate ``replications`` (a count, or the indices to run) of ``scenario`` with ``seed`` (default: the
    scenario's). Replication r is the same whether run alone or among others."""
    seed = scenario.run.seed if seed is None else int(seed)
    reps = replication_indices(scenario, replications)
    parts = [run_replication(scenario, r, seed) for r in reps]

    def cat(name: str) -> pd.DataFrame | None:
        """One table over the replications (category columns united, not converted again); None when absent."""
        return concat([p[name] for p in parts]) if all(name in p for p in parts) else None

    provenance = {"contactsim_version": __version__, "scenario": scenario.name, "source": scenario.source,
                  "scenario_hash": scenario.hash, "seed": seed, "replications": reps,
                  "start": scenario.calendar.start.isoformat(),  # t = 0 as a date-time (sim.dated, figures)
                  "targets": {c.name: {"service_level": c.targets.service_level,
                                       "answer_within_s": c.targets.answer_within_s} for c in scenario.channels.values()},
                  "clock": clock_of(scenario)}  # warm-up, horizon, start of day: resolution horizons (sim.horizons)
    return Results.from_tables(cat("contacts"), cat("intervals"), cat("agents"), provenance, cat("legs"),
                               cat("reputation"), funnel_calls=cat("funnel_calls"),
                               social_threads=cat("social_threads"), messages=cat("messages"),
                               deflections=cat("deflections"), **{name: cat(name) for name in INTERVAL_TABLES})
