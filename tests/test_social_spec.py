"""Scenario keys of social and email channels, defaults, the customers' attribute draws, the shipped scenario and its
figures."""
from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.plots.social import backlog_figure, concurrency_figure, write_social_figures
from sim.social.posts import PostFactory
from sim.social.spec import Reach, conversation_spec, desk_spec
from sim.social.study import concurrency_table
from sim.streams import Streams
from tests.conftest import ROOT, scenario


def raw_with(social=None, email=None, team=None) -> dict:
    ch = {"social": {"arrivals": {"rate": "20/h"}, "message_time": {"dist": "exponential", "mean": "2min"},
                     **(social or {})}}
    if email is not None:
        ch["email"] = {"arrivals": {"rate": "5/h"}, "message_time": {"dist": "exponential", "mean": "5min"}, **email}
    serves = ["social"] + (["email"] if email is not None else [])
    return {"schema": 1, "run": {"horizon": "1d", "replications": 1, "seed": 1}, "channels": ch,
            "agents": {"team": {"serves": serves, "count": 2, **(team or {})}}}


def problems(raw) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        scenario(raw, source="scenarios/x.toml")
    return [str(p) for p in exc.value.problems]


def test_defaults_and_their_sources_apply_when_keys_are_left_out():
    sc = scenario(raw_with(email={}))
    s, e = conversation_spec(sc.channels["social"]), conversation_spec(sc.channels["email"])
    assert s.reach == Reach(2.2, 50, 10_000_000) and e.reach is None and e.public == 0.0 and e.to_dm == 0.0
    assert s.exchanges.mean == 4.5 and e.exchanges.mean == 1  # 3–6 exchanges (assumed); email: one reply
    assert math.isclose(math.exp(s.think_time.mu), 180.0)  # median think time 3 min
    assert s.triage.order == "fifo" and all(v == 1.0 for v in s.triage.answer.values())
    assert sc.channels["social"].targets.answer_within_s == 3600 and sc.channels["social"].targets.service_level == 0.9
    d = desk_spec(sc.agents["team"])
    assert (d.concurrency, d.slowdown, d.reserve) == (1, 0.18, 0)


def test_every_problem_names_the_file_key_and_expectation():
    raw = raw_with(social={"exchanges": 0, "kinds": {"complaint": 0.5, "question": 0.1},
                           "reach": {"exponent": 2.2, "min": 100, "cap": 10},
                           "triage": {"order": "vip", "answer": {"complaint": 1.5}}, "public": 2,
                           "handle_time": {"dist": "exponential", "mean": "2min"}},
                   email={"public": 0.5, "triage": {"order": "reach"}},
                   team={"concurrency": 0, "reserve": 1})
    raw["channels"]["email"].pop("message_time")
    found = problems(raw)
    expect = ["channels.social.exchanges: expected a whole number from 1 to 1000",
              "channels.social.kinds: expected shares of complaint, question and praise summing to 1, got shares summing "
              "to 0.6",
              "channels.social.reach.cap: expected a cap at least min (100), got 10",
              'channels.social.triage.order: expected one of "fifo", "reach", "kind", "target", "newest", got "vip"',
              "channels.social.triage.answer.complaint: expected a probability from 0 to 1",
              "channels.social.public: expected a probability from 0 to 1",
              "channels.social.handle_time: expected a known key",
              "channels.email.public: expected a known key",
              "channels.email.message_time: expected a distribution",
              'channels.email.triage.order: expected one of "fifo", "kind", "target", "newest", got "reach"',
              "agents.team.concurrency: expected a whole number ≥ 1"]
    for e in expect:
        assert any(f"scenarios/x.toml: {e}" in p for p in found), (e, found)


def test_reserve_and_concurrency_only_where_they_mean_something():
    raw = raw_with(team={"reserve": 1})
    assert any("agents.team.reserve: expected reserve only on a group that also serves calls" in p
               for p in problems(raw))
    raw = raw_with()
    raw["channels"]["phone"] = {"arrivals": {"rate": "10/h"}, "handle_time": {"dist": "exponential", "mean": "3min"}}
    raw["agents"]["phones"] = {"serves": ["phone"], "count": 1, "concurrency": 2}
    raw["agents"]["team"].update(serves=["phone", "social"], reserve=2)
    found = problems(raw)
    assert any("agents.phones.concurrency: expected a group that serves a social, email or chat queue" in p for p in found)
    assert any("agents.team.reserve: expected fewer agents kept free for calls than the group's largest count (2)" in p
               for p in found)


def factory(n=200_000, **social):
    sc = scenario(raw_with(social=social))
    ch = sc.channels["social"]
    return PostFactory(ch, conversation_spec(ch), Streams(5, 0), n)


def binomial(name, hits, n, p):
    se = math.sqrt(p * (1 - p) / n)
    assert abs(hits / n - p) <= 4 * se, f"{name}: {hits / n:.5f} vs exact {p:.5f} (SE {se:.5f})"
    assert 4 * se <= 0.02 * p, f"{name}: too few draws to expose a 2% error"


def test_customer_attributes_follow_their_distributions():
    n = 500_000
    f = factory(n, kinds={"complaint": 0.5, "question": 0.3, "praise": 0.2}, public=0.6, to_dm=0.4, silence=0.25,
                mode="session", exchanges=4, triage={"answer": {"complaint": 0.3, "question": 0.6, "praise": 0.1}})
    kind = np.array(f.kind)
    binomial("complaints", (kind == "complaint").sum(), n, 0.5)
    binomial("praise", (kind == "praise").sum(), n, 0.2)
    binomial("public", sum(f.public), n, 0.6)
    binomial("moved to DM", sum(f.to_dm), n, 0.6 * 0.4)
    binomial("answered", sum(f.answer), n, 0.5 * 0.3 + 0.3 * 0.6 + 0.2 * 0.1)
    replies = np.array(f.replies)
    binomial("replies ≥ 1", (replies >= 1).sum(), n, 0.75)
    binomial("replies ≥ 3", (replies >= 3).sum(), n, 0.75**3)
    reach = np.array(f.reach)
    binomial("reach ≥ 100", (reach >= 100).sum(), n, 0.5**2.2)  # P(R ≥ x) = (min/x)^2.2
    binomial("reach ≥ 150", (reach >= 150).sum(), n, (50 / 150) ** 2.2)
    assert reach.min() == 50 and reach.max() <= 10_000_000 and (reach == np.floor(reach)).all()
    capped = factory(n, reach={"exponent": 2.2, "min": 50, "cap": 150})
    binomial("reach at the cap", (np.array(capped.reach) == 150).sum(), n, (50 / 150) ** 2.2)
    assert len(f.msgs) == 4 * n and len(f.thinks) == 3 * n


def test_posts_the_brand_skips_are_exactly_the_ignored_ones():
    raw = raw_with(social={"triage": {"answer": {"complaint": 0.5, "question": 0.2, "praise": 0.0}}})
    sc = scenario(raw)
    res = sim.run(sc)
    c = res.contact_view().sort_values("contact_id")
    f = PostFactory(sc.channels["social"], conversation_spec(sc.channels["social"]), Streams(sc.run.seed, 0), len(c))
    assert ((c["outcome"] == "ignored").to_numpy() == ~np.array(f.answer[:len(c)])).all()
    assert (c["kind"].astype(str).to_numpy() == np.array(f.kind[:len(c)])).all()
    share = res.summary.set_index(["channel", "metric"]).loc[("social", "ignored_share"), "mean"]
    assert share == pytest.approx((c["outcome"] == "ignored").mean())


def test_shipped_retail_scenario_runs_and_writes_its_figures(tmp_path):
    sc = sim.load_scenario(ROOT / "scenarios" / "retail_social.toml")
    assert {ch.kind for ch in sc.channels.values()} == {"phone", "social", "email"}
    assert desk_spec(sc.agents["blended"]).reserve == 1
    res = sim.run(sc, replications=2)
    s = res.summary.set_index(["channel", "metric"])["mean"]
    for m in ("first_response_mean_s", "first_response_median_s", "first_response_p90_s", "ignored_share",
              "sl_offered", "resolution_mean_s", "mean_backlog"):
        assert np.isfinite(s[("social", m)]), m
    assert 0 < s[("social", "ignored_share")] < 1 and np.isfinite(s[("agents.social", "open_conversations")])
    paths = write_social_figures(res.interval_view(), res.contact_view(), tmp_path)
    assert [p.name for p in paths] == ["social_backlog.png"] and paths[0].stat().st_size > 10_000
    fig = backlog_figure(res.interval_view(), ["social", "email"])
    assert len(fig.axes) == 3
    table = concurrency_table(sc, "social", [1, 3], replications=2)
    assert set(table["concurrency"]) == {1, 3}
    fig = concurrency_figure(table, "social", "social")
    fig.savefig(tmp_path / "k.png")
    assert (tmp_path / "k.png").stat().st_size > 10_000


def test_replies_needed_beyond_the_guard_are_a_clear_error():
    """A typo such as high = 10**12 is one line naming the key, not a MemoryError while the table is laid out."""
    from sim.social.spec import MAX_REPLIES, parse_exchanges
    from sim.validate import Checker

    for raw in ({"dist": "uniform", "low": 3, "high": 10**12}, 10**9, {"dist": "geometric", "mean": 1e9}):
        chk = Checker("x.toml")
        assert parse_exchanges(raw, "channels.social.exchanges", chk, None) is None
        assert [p.key for p in chk.problems][0].startswith("channels.social.exchanges")
        assert len(chk.problems) == 1 and str(MAX_REPLIES) in str(chk.problems[0])
    assert parse_exchanges({"dist": "uniform", "low": 3, "high": 6}, "k", Checker("x.toml"), None).values == (3, 4, 5, 6)
