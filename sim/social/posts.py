"""Posts (and emails): who wrote them and what the conversation will be, decided before anyone answers.

Every attribute — kind, reach, public or private, whether the brand will answer it, the number of agent messages, each
message's base work time, each think time, when the customer goes quiet, whether it moves to private messages, whether
it ends resolved, patience — comes from the channel's own named streams (``"<channel>.<attribute>"``), the i-th post
taking the i-th values (its messages and think times: the next consecutive block). The number of posts is fixed by the
arrival stream, so the draws are made for all of them at once; staffing, triage or concurrency changes never change who
posts or what they write (common random numbers, domain notes §5).
"""
from __future__ import annotations

import math

import numpy as np

from sim.social.spec import POST_KINDS, ConversationSpec

INF = math.inf


class Post:
    """One post (or email) and the conversation that may follow it. What the customer will do is in its factory's
    lists at index ``i``; the instance holds the conversation's state (defaults below, stored only when they change)."""

    seq = 0  # position in the inbox
    waiting = False  # in the inbox
    done = 0  # agent messages posted
    work_s = 0.0  # agent work on it so far (slowdown included)
    enqueued = assigned = first_response = end = resolved_at = math.nan
    ready_at = math.nan  # when the next agent message became due (assignment or the customer's reply)
    last_post_at = math.nan  # when the last agent message was posted
    outcome = agent = desk = None
    row = -1  # its row in the posts' block of contacts and in social_threads (sim.social.records.ThreadBook)
    customer_id = -1  # a next try's post: its customer's id (sim.next_try); −1: the customer is the post's own id
    # messaging mode (sim.social.messaging): the thread between replies
    holder = None  # the agent holding the thread (affinity), or None
    pending = False  # a customer message awaits a reply
    sent = 0  # customer messages that entered a queue (the post included)
    wasted = 0  # replies written after the customer had left silently
    wasted_s = 0.0  # their work
    gone_at = math.nan  # when the customer left silently (reply patience ran out)
    resolution = None  # "confirmed", "unconfirmed" (quiet after the resolving reply) or None

    def __init__(self, src: PostFactory, pid: int, i: int, arrival: float):
        self.src, self.id, self.i, self.arrival = src, pid, i, arrival
        self.channel, self.queue = src.name, src.queue
        self.n_ex, self.msgs, self.replies = src.n_ex[i], src.msg_at[i], src.replies[i]

    @property
    def kind(self) -> str:
        return self.src.kind[self.i]

    @property
    def reach(self) -> float:
        return self.src.reach[self.i]

    def message_public(self, index: int) -> bool:
        """Is agent message ``index`` (1-based) public? After the first reply a conversation may move to private DM."""
        i = self.i
        return self.src.public[i] and (index == 1 or not self.src.to_dm[i])


class PostFactory:
    """The posts of one channel, attributes drawn up front for all ``n`` arrivals of the replication."""

    def __init__(self, channel, spec: ConversationSpec, streams, n: int):
        g = lambda attr: streams.generator(f"{channel.name}.{attr}")
        self.channel, self.spec, self.i = channel, spec, 0
        self.name, self.queue = channel.name, channel.queue
        kind = np.searchsorted(np.cumsum(spec.kind_shares)[:-1], g("kind").random(n), side="right")
        self.kind = [spec.kinds[k] for k in kind.tolist()]
        self.kind_code = np.array([POST_KINDS.index(k) for k in spec.kinds], dtype=np.int8)[kind]  # POST_KINDS order
        self.public = (g("public").random(n) < spec.public).tolist()
        self.reach = spec.reach.sample(g("reach"), n).tolist() if spec.reach is not None else [math.nan] * n
        rate = np.array([spec.triage.answer.get(k, 0.0) for k in spec.kinds])
        self.answer = (g("triage").random(n) < rate[kind]).tolist()
        ex = np.maximum(spec.exchanges.sample(g("exchanges"), n).astype(np.int64), 1)
        self.n_ex = ex.tolist()
        self.msg_at = np.concatenate([[0], np.cumsum(ex)]).tolist()
        self.think_at = np.concatenate([[0], np.cumsum(ex - 1)]).tolist()
        self.msgs = channel.handle_time.sample(g("message_time"), self.msg_at[-1]).tolist()
        self.thinks = spec.think_time.sample(g("think_time"), self.think_at[-1]).tolist()
        # replies the customer gives before going quiet: P(replies ≥ j) = (1 − silence)^j
        u = g("silence").random(n)
        if spec.silence <= 0:
            replies = ex
        elif spec.silence >= 1:
            replies = np.zeros(n, np.int64)
        else:
            replies = np.minimum(np.floor(np.log1p(-u) / math.log1p(-spec.silence)), ex).astype(np.int64)
        self.replies = replies.tolist()
        self.to_dm = ((g("to_dm").random(n) < spec.to_dm) & (np.asarray(self.public, bool))).tolist()
        res = np.array([spec.resolve.get(k, 0.0) for k in spec.kinds])
        self.resolved = (g("resolve").random(n) < res[kind]).tolist()
        self.patience = channel.patience.sample(g("patience"), n).tolist() if channel.patience is not None \
            else [INF] * n
        if spec.messaging:  # per customer message a reply patience; per post: confirms after the resolving reply?
            rp = spec.reply_patience
            self.reply_patience = rp.sample(g("reply_patience"), self.msg_at[-1]).tolist() if rp is not None \
                else [INF] * self.msg_at[-1]
            self.confirms = (g("unconfirmed").random(n) >= spec.unconfirmed).tolist()
            self.confirm_think = spec.think_time.sample(g("confirm_time"), n).tolist()

    def create(self, pid: int, arrival: float) -> Post:
        self.i += 1
        return Post(self, pid, self.i - 1, arrival)

    def message(self, p: Post) -> float:
        """Base work time of the post's next agent message."""
        return self.msgs[p.msgs + p.done]

    def think(self, p: Post) -> float:
        """Think time before the customer's reply to the agent's last message."""
        return self.thinks[self.think_at[p.i] + p.done - 1]

    def drawn_work(self, p: Post) -> float:
        """Sum of the post's base message times (before any slowdown)."""
        return math.fsum(self.msgs[p.msgs:p.msgs + p.n_ex])
