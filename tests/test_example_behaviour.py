"""A new channel behaviour added without editing anything under sim/: defined and registered in this file only.

The channel ``bot`` (kind chat) answers every message with an automatic reply after ``auto_reply.delay``; a share
``auto_reply.escalate`` of its customers (decided by their own draw, made when they arrive) then needs a person and is
offered to the ``phone`` queue, where they wait, are served or abandon like callers. It plugs in through the kernel's
protocol (``sim.core``: an arrival hook and a contact behaviour) and a ``Feature`` (its scenario key, typed spec,
attachment), and must conserve its customers: every arrival ends self-served by the reply or goes to the phone queue,
and there is served, abandoned or still open — nothing lost, nothing counted twice. About 2 s.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import sim
from sim.core import ABANDONED, INF, SERVED, Contact, Model
from sim.distributions import Draws, Uniform
from sim.extensions import FEATURES, Feature
from sim.validate import join

SCENARIO = {
    "schema": 1,
    "run": {"horizon": "8h", "replications": 1, "seed": 3},
    "channels": {
        "phone": {"kind": "phone", "arrivals": {"rate": "60/h"}, "handle_time": {"dist": "exponential", "mean": "4min"},
                  "patience": {"dist": "exponential", "mean": "5min"}},
        "bot": {"kind": "chat", "mode": "queue", "arrivals": {"rate": "90/h"}, "handle_time": {"dist": "exponential", "mean": "3min"},
                "patience": {"dist": "exponential", "mean": "10min"},
                "auto_reply": {"delay": 30, "escalate": 0.3}},
    },
    "agents": {"team": {"serves": ["phone", "bot"], "count": 7}},
}


@dataclass(frozen=True)
class AutoReply:
    delay_s: float
    escalate: float


def parse_auto_reply(raw, path, chk, ctx):
    raw = chk.table(raw, path, ("delay", "escalate"))
    delay = chk.number(raw, "delay", path, low=0)
    share = chk.number(raw, "escalate", path, low=0, high=1)
    if delay is None or share is None:
        return None
    return AutoReply(float(delay), float(share))


class Bot:
    """Arrival hook of the bot channel and behaviour of its contacts."""

    def __init__(self, model: Model, feed, spec: AutoReply):
        self.model, self.spec = model, spec
        self.u = Draws(Uniform(0.0, 1.0), model.streams.generator(f"{feed.channel.name}.escalate"))
        self.escalated: set[int] = set()

    def new_customer(self, feed):
        c = Contact(feed.next_id(), feed.channel.name, self.model.now, feed.handle.next(),
                    feed.patience.next() if feed.patience else INF, 0.0, self)
        c.queue = feed.channel.queue
        return c, self.u.next()

    def on_arrival(self, customer):
        c, u = customer
        self.model.add_contact(c)
        self.model.schedule(self.spec.delay_s, self._replied, (c, u))

    def _replied(self, ev):
        c, u = ev.value
        if u < self.spec.escalate:  # needs a person: join the callers
            self.escalated.add(c.id)
            self.model.offer(c, "phone")
        else:
            self.model.end_contact(c, "self_served")

    def on_answered(self, agent, c):
        self.model.start_work(agent, c.handle)

    def on_work_done(self, agent, c):
        self.model.end_contact(c, SERVED)
        self.model.release(agent)

    def on_left_queue(self, c):
        self.model.end_contact(c, ABANDONED)


def attach(model):
    bots = []
    for feed in model.feeds:
        spec = feed.channel.features.get("auto_reply")
        if spec is not None:
            bot = Bot(model, feed, spec)
            model.set_arrival_hook(feed, bot)
            bots.append(bot)
    return bots[0] if bots else None


AUTO_REPLY = Feature("auto_reply", "An automatic reply after a delay; a share escalates to the phone queue.",
                     channel_keys={"chat": {"auto_reply": parse_auto_reply}},
                     channel_spec=lambda ch: ch.extra.get("auto_reply"), attach=attach)
WITH_BOT = (*FEATURES, AUTO_REPLY)


def test_bot_plugs_in_and_conserves_customers():
    sc = sim.parse_scenario(SCENARIO, features=WITH_BOT)
    model = Model(sc, 0, sc.run.seed, WITH_BOT)
    raw = model.run()
    bot = model.parts["auto_reply"]
    c = raw["contacts"]
    channel = np.asarray(c["channel"], dtype=object)
    outcome = np.asarray(c["outcome"], dtype=object)
    queue = np.asarray(c["queue"], dtype=object)
    mine = channel == "bot"
    n = int(mine.sum())
    assert n > 500  # 90/h over 8 h
    assert set(c["contact_id"][mine]) >= bot.escalated
    esc = np.isin(c["contact_id"], list(bot.escalated))
    # every bot customer: self-served by the reply, or escalated to the phone queue — never both, never lost
    assert set(outcome[mine & ~esc]) <= {"self_served", "open"}  # open: the reply was still due at the horizon
    assert set(outcome[esc]) <= {"served", "abandoned", "open"}
    assert (queue[esc] == "phone").all() and (queue[mine & ~esc] == "bot").all()
    assert int((mine & ~esc).sum()) + int(esc.sum()) == n
    # the escalated share is the draw's: |share − 0.3| within 4 standard errors
    share = esc.sum() / n
    assert abs(share - 0.3) <= 4 * np.sqrt(0.3 * 0.7 / n)
    # escalated customers were answered only after the reply, by the team, and not before they joined the queue
    ans = c["answer_at_s"][esc]
    arr = c["arrival_at_s"][esc]
    ok = ~np.isnan(ans)
    assert (ans[ok] >= arr[ok] + 30 - 1e-9).all()
    assert set(np.asarray(c["agent_group"], dtype=object)[esc][ok]) == {"team"}
    # served contacts end after their answer; abandoned ones were never answered
    served = outcome == "served"
    assert (c["end_at_s"][served] >= c["answer_at_s"][served]).all()
    assert np.isnan(c["answer_at_s"][outcome == "abandoned"]).all()


def test_bot_key_is_validated_at_load():
    bad = {**SCENARIO, "channels": {**SCENARIO["channels"], "bot": {**SCENARIO["channels"]["bot"],
                                                                      "auto_reply": {"delay": 30, "escalate": 2}}}}
    try:
        sim.parse_scenario(bad, features=WITH_BOT)
    except sim.ScenarioError as e:
        assert join("channels.bot.auto_reply", "escalate") in str(e)
    else:
        raise AssertionError("an escalation share of 2 was accepted")


def test_without_the_feature_the_key_is_unknown():
    try:
        sim.parse_scenario(SCENARIO)
    except sim.ScenarioError as e:
        assert "channels.bot.auto_reply" in str(e)
    else:
        raise AssertionError("auto_reply was accepted without its feature")
