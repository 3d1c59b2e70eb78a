"""Funnel scenario keys: a malformed tree or funnel key is one ScenarioError naming the menu path; the plain phone
queue is untouched by the funnel; the shipped retail scenario reads and runs."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.funnel.ivr import expected
from tests.conftest import ROOT, erlang_raw, scenario

BASE = ["replication", "contact_id", "customer_id", "attempt", "channel", "queue", "priority", "arrival_at_s",
        "answer_at_s", "end_at_s", "wait_s", "handle_s", "outcome", "agent_group", "agent_id"]
# Rows of scenarios/erlang_a.toml, replications 0 and 3, computed with the engine before the funnel existed
# (floats rounded to 1e-6 s, so the fingerprint is about the model, not the last bit of floating point).
ERLANG_A_ROWS = "5cd3c29267c93fd0d9e5c13da1792f43e8c8c959531003afcdba43b0d30804ef"


def fingerprint(df) -> str:
    h = hashlib.sha256()
    for c in BASE:
        v = df[c]
        if v.dtype.kind == "f":
            h.update(np.nan_to_num(np.round(v.to_numpy(), 6), nan=-1.0).tobytes())
        else:
            h.update("\x1f".join(map(str, v.astype(object).tolist())).encode())
    return h.hexdigest()


def tree_raw() -> dict:
    raw = erlang_raw(n=2)
    ph = raw["channels"]["phone"]
    ph["queue"] = "general"
    raw["agents"] = {"general": {"serves": ["general"], "count": 2},
                     "sales": {"serves": ["sales", "billing"], "count": 2}}
    ph["ivr"] = {"menu": {"options": [
        {"label": "sales", "share": 0.5, "goto": "sales"},
        {"label": "billing", "share": 0.3, "queue": "billing"},
        {"label": "other", "share": 0.2, "menu": {"options": [{"share": 1.0, "queue": "general"}]}}]},
        "menus": {"sales": {"options": [{"share": 0.7, "queue": "sales"}, {"share": 0.3, "goto": "more"}]},
                  "more": {"options": [{"share": 1.0, "queue": "sales"}]}}}
    return raw


def problems(raw) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        scenario(raw, source="scenarios/x.toml")
    return [str(p) for p in exc.value.problems]


# The foundation's queue is unchanged ----------------------------------------------------------------------------------
def test_plain_erlang_a_rows_are_those_of_the_engine_before_the_funnel():
    res = sim.run(sim.load_scenario(ROOT / "scenarios" / "erlang_a.toml"), replications=[0, 3])
    assert fingerprint(res.contact_view()) == ERLANG_A_ROWS
    assert res.legs is None  # no funnel, no legs


def test_funnel_path_with_nothing_to_do_reproduces_the_plain_queue_row_for_row():
    raw = erlang_raw(n=5, rate="60/h", patience="200s", horizon="2d", warmup="1h", reps=2, seed=4)
    plain = sim.run(scenario(raw))
    raw["channels"]["phone"]["lines"] = 10_000  # the funnel runs every call, but no line is ever missing
    funnel = sim.run(scenario(raw))
    assert fingerprint(funnel.contact_view()) == fingerprint(plain.contact_view())
    cols = ["offered", "answered", "abandoned", "answered_within_target", "busy_agent_s", "queue_time_s"]
    assert np.allclose(funnel.intervals[cols].to_numpy(float), plain.intervals[cols].to_numpy(float))
    legs = funnel.legs
    assert set(legs["stage"].astype(str)) <= {"queue", "service"}


# Malformed trees and keys ---------------------------------------------------------------------------------------------
def test_good_tree_reads_with_named_and_inline_menus():
    sc = scenario(tree_raw())
    ivr = sc.channels["phone"].extra["ivr"]
    assert sc.channels["phone"].queues == ("general", "sales", "billing")
    assert [i.department for i in ivr.issues] == ["sales", "sales", "billing", "general"]
    assert sum(i.p for i in ivr.issues) == pytest.approx(1.0)
    assert ivr.depth == 3


def test_shares_not_summing_to_one_name_the_menu():
    raw = tree_raw()
    raw["channels"]["phone"]["ivr"]["menus"]["sales"]["options"][0]["share"] = 0.6
    found = problems(raw)
    assert len(found) == 1
    assert found[0].startswith("scenarios/x.toml: channels.phone.ivr.menus.sales.options: expected option shares "
                               "summing to 1")
    assert "sum 0.9" in found[0]


def test_leaf_naming_an_unknown_queue_names_the_option():
    raw = tree_raw()
    raw["channels"]["phone"]["ivr"]["menu"]["options"][2]["menu"]["options"][0]["queue"] = "genral"
    assert problems(raw) == ['scenarios/x.toml: channels.phone.ivr.menu.options[2].menu.options[0].queue: expected a '
                             'queue served by an agent group (billing, general, sales), got "genral"']


def test_cycle_of_menus_names_the_goto_that_closes_it():
    raw = tree_raw()
    raw["channels"]["phone"]["ivr"]["menus"]["more"]["options"][0] = {"share": 1.0, "goto": "sales"}
    assert problems(raw) == ['scenarios/x.toml: channels.phone.ivr.menus.more.options[0].goto: expected a menu that '
                             'does not lead back to itself (cycle sales → more → sales), got "sales"']


def test_goto_to_an_unknown_menu_and_other_tree_mistakes_are_all_reported():
    raw = tree_raw()
    ivr = raw["channels"]["phone"]["ivr"]
    ivr["menu"]["options"][0]["goto"] = "sale"
    ivr["menu"]["options"][1]["self_service"] = {"p": 1.5}
    ivr["menus"]["more"]["options"][0]["menu"] = {"options": []}
    found = problems(raw)
    assert any(p.startswith("scenarios/x.toml: channels.phone.ivr.menu.options[0].goto: expected the name of a menu "
                            "under channels.phone.ivr.menus (more, sales)") for p in found)
    assert any("channels.phone.ivr.menu.options[1].self_service.p: expected a number from 0 to 1, got 1.5" in p
               for p in found)
    assert any("channels.phone.ivr.menu.options[1].self_service.duration: expected a distribution" in p for p in found)
    assert any("channels.phone.ivr.menus.more.options[0]: expected exactly one of" in p for p in found)
    assert not any("never reached" in p for p in found)  # a consequence of the broken goto, not news
    raw = tree_raw()
    raw["channels"]["phone"]["ivr"]["menus"]["spare"] = {"options": [{"share": 1.0, "queue": "sales"}]}
    assert problems(raw) == ['scenarios/x.toml: channels.phone.ivr.menus.spare: expected a menu that some option '
                             'reaches with goto, got "a menu never reached"']


def test_funnel_keys_are_checked_with_their_paths():
    raw = tree_raw()
    ph = raw["channels"]["phone"]
    ph["lines"] = 0
    ph["priorities"] = {"0": 0.5, "vip": 0.5}
    ph["departments"] = {"sales": {"overflow_after": "1min", "overflow_to": ["sales"]}, "shoes": {}}
    ph["redials"] = {"probability": 2, "after": ["served"]}
    ph["transfers"] = {"mode": "lukewarm"}
    ph["callbacks"] = {"within": "0s"}
    ph["ivr_time"] = {"dist": "exponential", "mean": "30s"}
    found = problems(raw)
    for key in ("channels.phone.lines: expected an integer ≥ 1, got 0",
                "channels.phone.priorities.vip: expected a whole-number priority class",
                "channels.phone.redials.probability: expected a number from 0 to 1, got 2",
                "channels.phone.redials.after: expected a list of outcomes among blocked, abandoned, abandoned_ivr",
                'channels.phone.transfers.mode: expected one of "cold", "warm", got "lukewarm"',
                "channels.phone.callbacks.within: expected a positive duration"):
        assert any(key in p for p in found), key
    # cross-checks need the whole scenario: they come once the keys themselves are right
    ok = tree_raw()
    ok["channels"]["phone"]["departments"] = {"sales": {"overflow_after": "1min", "overflow_to": ["sales"]},
                                              "shoes": {}}
    ok["channels"]["phone"]["ivr_time"] = {"dist": "exponential", "mean": "30s"}
    found = problems(ok)
    assert any("channels.phone.departments.sales.overflow_to[0]: expected a group that does not already serve sales"
               in p for p in found)
    assert any("channels.phone.departments.shoes: expected a queue of this channel" in p for p in found)
    assert any("channels.phone.ivr_time: expected either ivr_time (a flat delay) or an [ivr] menu tree" in p
               for p in found)


def test_malformed_tree_from_a_file_is_a_readable_cli_error(tmp_path):
    import subprocess
    import sys

    text = (ROOT / "scenarios" / "retail_phone.toml").read_text()
    bad = text.replace('goto = "returns"', 'goto = "refunds"', 1)
    assert bad != text
    path = tmp_path / "bad.toml"
    path.write_text(bad)
    with pytest.raises(ScenarioError) as exc:
        sim.load_scenario(path)
    assert "channels.phone.ivr.menu.options[1].goto: expected the name of a menu" in str(exc.value)
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "check", str(path)], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "channels.phone.ivr.menu.options[1].goto" in proc.stderr


# The shipped scenario -------------------------------------------------------------------------------------------------
def test_retail_phone_scenario_reads_with_documented_defaults():
    sc = sim.load_scenario(ROOT / "scenarios" / "retail_phone.toml")
    ph = sc.channels["phone"]
    ivr = ph.extra["ivr"]
    assert ivr.depth == 3 and set(ivr.departments) == {"orders", "billing", "service"}
    tree = expected(ivr)
    assert 40 <= tree["mean_ivr_s"] <= 56  # VCC Live: mean 48 s in the IVR (domain notes §2)
    assert 0.15 <= tree["misrouted_share"] <= 0.22  # about (1 − 0.93)^3 misrouted (domain notes §2)
    assert sc.run.interval_s == 1800 and sc.run.horizon_s == 86400
    for g in sc.agents.values():
        assert g.count.cycle is not None and len(g.count.cycle) == 48  # shifts: seated agents per 30 minutes


def test_retail_phone_scenario_runs_and_reports_the_funnel(tmp_path):
    from sim.plots.funnel import call_paths

    sc = sim.load_scenario(ROOT / "scenarios" / "retail_phone.toml")
    res = sim.run(sc, replications=2)
    written = {p.name for p in res.write(tmp_path)}
    assert {"funnel_phone.png", "legs.parquet", "contacts.parquet"} <= written
    paths = call_paths(res.contact_view(), res.legs)  # the figure's flow: every column accounts for every call
    ended = {"busy signal", "hung up in IVR", "self-served", "still in IVR", "callback", "abandoned", "still waiting"}
    for a, b in zip(paths.columns[:-1], paths.columns[1:]):
        going_on = paths[a].notna() & ~paths[a].isin(ended)
        assert (paths[b].notna() == going_on).all(), (a, b)
    s = res.summary.set_index(["channel", "metric"])["mean"]
    for m in ("blocked_rate", "mean_ivr_s", "ivr_containment", "misrouted_share", "time_to_first_human_s",
              "time_to_right_human_s", "transfers_per_call", "fcr", "redial_rate", "unique_abandon_rate",
              "callback_share", "customer_effort_s", "asa_p2_s", "asa_p0_s"):
        assert np.isfinite(s[("phone", m)]), m
    assert s[("phone", "time_to_right_human_s")] >= s[("phone", "time_to_first_human_s")]
    assert 0.1 <= s[("phone", "transferred_share")] <= 0.35  # SQM: about 19% of calls transferred
    legs = res.legs
    assert {"menu", "queue", "service", "diagnosis"} <= set(legs["stage"].astype(str))
    assert set(res.contact_view()["department"].dropna()) == {"orders", "billing", "service"}
