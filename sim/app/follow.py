"""Lesson 5, follow the customers: where every caller is, second by second, replayed from the ``legs`` table.

``positions(legs, contacts, start_s, minutes, step_s)`` turns the legs of one replication into one row per (frame,
caller present): the zone (in the menus, waiting for a department, with an agent of a department, just left), a slot
in it (queue place by arrival in the queue, agent seat by ``agent_id``) and what the caller's story is so far (a
transfer, a wrong department). The figure (``sim.app.figures.follow_figure``) animates these rows; nothing here is
simulated again, the replay is the simulation's own record.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

import sim
from sim.app import tables
from sim.app.scenarios import DEPARTMENTS, funnel_scenario

IVR_STAGES = ("greeting", "menu", "self_service", "ivr")
WAIT_STAGES = ("queue", "overflow", "callback_queue")
AGENT_STAGES = ("diagnosis", "service")
ZONES = ("IVR", *(f"waiting: {d}" for d in DEPARTMENTS), *(f"agents: {d}" for d in DEPARTMENTS), "left")
LEFT_SHOWN_S = 60.0  # a caller who has just left stays visible this long in "left", with how the call ended


@dataclass(frozen=True)
class FollowInputs:
    """The controls of lesson 5: the funnel of lesson 2 for one replication, and the window replayed."""

    calls_per_hour: float = 120.0
    agents: int = 14
    misroute: float = 0.07
    transfer_mode: str = "cold"
    start_min: float = 30.0   # minutes after the first counted minute (the replay starts with calls already in)
    minutes: float = 20.0
    step_s: float = 20.0
    seed: int = 1

    def scenario(self) -> dict:
        hours = (self.start_min + self.minutes) / 60.0 + 0.25
        return funnel_scenario(depth=3, options=4, misroute=self.misroute, transfer_mode=self.transfer_mode,
                               calls_per_hour=self.calls_per_hour, agents=self.agents, hours=hours, replications=1,
                               seed=self.seed, warmup_min=0.0)


def zone_of(stage: str, queue: str | None) -> str:
    if stage in IVR_STAGES:
        return "IVR"
    if stage in WAIT_STAGES:
        return f"waiting: {queue}"
    if stage in AGENT_STAGES:
        return f"agents: {queue}"
    return "left"


def positions(legs: pd.DataFrame, contacts: pd.DataFrame, start_s: float, minutes: float, step_s: float) -> pd.DataFrame:
    """One row per (frame, caller in the system or just left): ``frame`` (seconds), ``clock`` (h:mm:ss),
    ``contact_id``, ``zone``, ``slot`` (place in the zone, 0 first), ``state`` (first try / wrong department /
    transferred while in the system; resolved / unresolved / abandoned / … once left), ``stage`` and ``waited_s``
    (time in the present stage)."""
    lg = legs.reset_index(drop=True)
    stage = lg["stage"].astype(str).to_numpy()
    queue = lg["queue"].astype(object).to_numpy()
    zone = np.array([zone_of(s, q) for s, q in zip(stage, queue)], dtype=object)
    start = lg["start_at_s"].to_numpy(float)
    end = lg["end_at_s"].fillna(np.inf).to_numpy(float)
    cid = lg["contact_id"].to_numpy()
    diag = (stage == "diagnosis").astype(int)
    transfers_before = pd.Series(diag).groupby(cid).cumsum().to_numpy() - diag
    by_id = contacts.drop_duplicates("contact_id").set_index("contact_id")
    mis = (by_id["misrouted"].astype("boolean").fillna(False).astype(bool) if "misrouted" in by_id
           else pd.Series(False, index=by_id.index))
    wrong = mis.reindex(cid, fill_value=False).to_numpy(bool)
    state = np.where(transfers_before > 0, "transferred", np.where(wrong & (zone != "IVR"), "wrong department",
                                                                     "first try"))
    frames = np.arange(start_s, start_s + minutes * 60.0 + 1e-9, step_s)
    live = zone != "left"
    fi, li = np.nonzero((start[None, :] <= frames[:, None]) & (end[None, :] > frames[:, None]) & live[None, :])
    inside = pd.DataFrame({"frame": frames[fi], "contact_id": cid[li], "zone": zone[li], "state": state[li],
                           "stage": stage[li], "waited_s": frames[fi] - start[li], "start": start[li],
                           "agent": lg["agent_id"].to_numpy()[li]})
    inside = inside.sort_values(["frame", "zone", "start"], kind="stable")
    inside["slot"] = inside.groupby(["frame", "zone"]).cumcount()
    seat = inside["zone"].str.startswith("agents: ")
    inside.loc[seat, "slot"] = inside.loc[seat, "agent"]
    # callers who have just left, with how their call ended
    last = pd.Series(end, index=cid).groupby(level=0).max()
    ended = by_id["outcome"].astype(str).reindex(last.index).fillna("left")
    if "resolved" in by_id:
        res = by_id["resolved"].astype("boolean").reindex(last.index)
        ended = ended.where(ended != "served", np.where(res.fillna(False).astype(bool), "resolved", "unresolved"))
    lt = last.to_numpy()
    gi, ci = np.nonzero((lt[None, :] <= frames[:, None]) & (lt[None, :] > frames[:, None] - LEFT_SHOWN_S))
    gone = pd.DataFrame({"frame": frames[gi], "contact_id": last.index.to_numpy()[ci], "zone": "left",
                         "state": ended.to_numpy()[ci], "stage": "left", "waited_s": 0.0, "start": lt[ci]})
    gone = gone.sort_values(["frame", "start"], kind="stable")
    gone["slot"] = gone.groupby("frame").cumcount()
    out = pd.concat([inside.drop(columns="agent"), gone], ignore_index=True).drop(columns="start")
    out = out.sort_values(["frame", "zone", "slot"], kind="stable").reset_index(drop=True)
    out["slot"] = out["slot"].astype(int)
    f = out["frame"].to_numpy()
    out["clock"] = [f"{int(x // 3600):d}:{int(x % 3600 // 60):02d}:{int(x % 60):02d}" for x in f]
    return out[["frame", "clock", "contact_id", "zone", "slot", "state", "stage", "waited_s"]]


def compute(inputs: FollowInputs) -> dict:
    """Simulate the replayed replication and return ``positions``, ``legs``, ``contacts`` and the window's numbers:
    callers arriving in it, the longest queue, the mean wait in a queue of calls answered in it, transfers."""
    params = {k: v for k, v in asdict(inputs).items()}
    res = sim.run(sim.parse_scenario(inputs.scenario(), source="lesson 5"))
    start = inputs.start_min * 60.0
    end = start + inputs.minutes * 60.0
    all_legs, contacts = tables.legs(res), tables.contacts(res)
    pos = positions(all_legs, contacts, start, inputs.minutes, inputs.step_s)
    legs = all_legs.assign(stage=all_legs["stage"].astype(str))
    arrived = contacts[(contacts["arrival_at_s"] >= start) & (contacts["arrival_at_s"] < end)]
    waits = legs[(legs["stage"] == "queue") & (legs["end_at_s"] >= start) & (legs["end_at_s"] < end)
                 & (legs["result"].astype(str) == "answered")]
    waiting = pos[pos["zone"].str.startswith("waiting")].groupby("frame").size()
    numbers = {
        "arrived": int(len(arrived)),
        "longest_queue": int(waiting.max()) if len(waiting) else 0,
        "mean_wait_s": float((waits["end_at_s"] - waits["start_at_s"]).mean()) if len(waits) else 0.0,
        "transfers": int(((legs["stage"] == "diagnosis") & (legs["start_at_s"] >= start)
                          & (legs["start_at_s"] < end)).sum()),
    }
    return {"positions": pos, "legs": all_legs, "contacts": contacts, "numbers": numbers, "inputs": params}


def story(legs: pd.DataFrame, contact_id: int) -> pd.DataFrame:
    """One caller's legs in order, in words: stage, where, from and to (clock), seconds, result."""
    lg = legs[legs["contact_id"] == contact_id].sort_values("leg")
    clock = lambda s: "—" if np.isnan(s) else f"{int(s // 3600):d}:{int(s % 3600 // 60):02d}:{int(s % 60):02d}"  # noqa: E731
    return pd.DataFrame({
        "stage": lg["stage"].astype(str).to_numpy(), "where": lg["name"].astype(str).to_numpy(),
        "from": [clock(s) for s in lg["start_at_s"]], "to": [clock(s) for s in lg["end_at_s"]],
        "seconds": (lg["end_at_s"] - lg["start_at_s"]).round(0).to_numpy(),
        # a menu choice: the option chosen (legs.option), otherwise how the stage ended
        "result": lg["option"].astype(object).where(lg["option"].notna() & (lg["result"] == "next"),
                                                   lg["result"].astype(object))
                  .astype(str).to_numpy() if "option" in lg else lg["result"].astype(str).to_numpy(),
    })
