"""The next tries the phone funnel does not run: after a thread's end on social, email or chat (same channel or another),
and after a call's end towards another channel.

``FollowUps`` is a part of the model built on the kernel's public calls: an observer of every call's end
(``contact_ended``, ``sim.core.protocol``), and a watcher of the messaging model, which tells it when a customer message
starts waiting and when a thread ends (``Messaging._tell``; in session mode ``Conversations._tell``, at a
conversation's end). A customer who left a thread silently left when their
reply patience ran out, whether or not the brand knew: the part keeps its own timer for that moment.

Each decision uses a generator keyed by (seed, replication, ``next_try``, contact id): one uniform picks at most one
row among the contact's rows (their probabilities add up to at most 1), and the row's delay comes from the same
generator, as do a new call's issue, class and durations (common random numbers: a change of staffing never changes
what a given contact's customer does next, only whether the contact that decides it exists). A follow-up post keeps
the customer's id and the kind, reach and publicity of the thread it follows; its other attributes (replies needed,
message and think times, reply patience) come from the channel's follow-up factories in creation order, on streams
``next_try.<kind>.<chunk>.<channel>.*`` (as the reputation model's caused posts do), so under another staffing the
k-th follow-up may be another customer's.

Rows a feature offers (``sim.next_try.provided``: the reputation model's spillover) are run here too, each stream of
them deciding on its own keyed uniform, before the ``next_try`` rows of the same contact; the feature gives their
probability and creates their contacts.

Contact ids of the contacts it starts are the target channel's id prefix + 900M + a count.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from sim.core import Column, Contact, PhoneQueue
from sim.next_try.provided import RowProvider, providers
from sim.next_try.rows import STREAM, Row, rows_of
from sim.reputation.keyed import KeyedDraws
from sim.streams import stable_hash

ID_OFFSET = 900_000_000
CHUNK = 256  # follow-up posts per PostFactory (attributes drawn up front, in creation order)
CONTACT_COLUMNS = (
    Column("next_try_of", "int64", "", "the contact this one is the next try of (sim.next_try); -1: none"),
)
INF = math.inf


def run_here(row: Row, scenario) -> bool:
    """Does this part run the row? Phone → the same phone channel is the funnel's (its tape of draws)."""
    return not (row.same_channel and scenario.channels[row.from_channel].kind == "phone")


def attach(model) -> FollowUps | None:
    """The part, when the scenario has rows it runs or a feature offers some; with only offered rows, which start no
    contact of this part's, the contacts table has no ``next_try_of`` column."""
    rows = [r for r in rows_of(model.scenario) if run_here(r, model.scenario)]
    offered = [(p, r) for p in providers(model.parts) for r in p.next_try_rows()]
    if not rows and not offered:
        return None
    part = FollowUps(model, rows, offered)
    if not rows:
        model.book.drop("contacts", [c.name for c in CONTACT_COLUMNS])
    model.observe(part)
    model.at_start(part.bind)
    return part


class _Group:
    """The rows of one stream from one channel after one outcome: one uniform picks at most one of them."""

    __slots__ = ("stream", "provider", "rows", "every_end", "keyed")

    def __init__(self, stream: str, provider: RowProvider | None, keyed: KeyedDraws | None):
        self.stream, self.provider = stream, provider
        self.rows: list[Row] = []
        self.every_end = False
        self.keyed = keyed  # the stream's keyed draws; None: the next_try stream (a generator per contact)


class FollowUps:
    def __init__(self, model, rows: list[Row], offered: Sequence[tuple[RowProvider, Row]] = ()):
        self.model, self.env, self.rows = model, model.env, rows
        self.own = bool(rows)  # rows of the scenario: this part starts contacts and writes next_try_of
        self.scenario = model.scenario
        self.horizon = model.horizon
        st = model.streams
        self.seed, self.rep = st.seed, st.replication
        self.tag = stable_hash("next_try")
        self.keyed: dict[str, KeyedDraws] = {}
        # offered rows first: a call's spillover is drawn and scheduled before its next try of the scenario's rows (the
        # order of events the shipped fingerprints were made with)
        self.by_from: dict[tuple[str, str], list[_Group]] = {}
        for provider, r in [*offered, *((None, r) for r in rows)]:
            if r.stream == STREAM and provider is not None:
                raise ValueError(f"{r.key}: a feature's row needs a stream of its own (not {STREAM!r})")
            if r.stream != STREAM and r.stream not in self.keyed:
                self.keyed[r.stream] = KeyedDraws(st, r.stream)
            for a in r.after:
                groups = self.by_from.setdefault((r.from_channel, a), [])
                g = next((g for g in groups if g.stream == r.stream), None)
                if g is None:
                    g = _Group(r.stream, provider, self.keyed.get(r.stream))
                    groups.append(g)
                elif g.provider is not provider:
                    raise ValueError(f"{r.key}: stream {r.stream!r} is another feature's")
                g.rows.append(r)
                g.every_end = g.every_end or r.every_end
        # (channel, outcome) pairs with rows on the next_try stream: only they need what the funnel's own row took
        self.on_rest = {k for k, groups in self.by_from.items() if any(g.keyed is None for g in groups)}
        self.messaging = None
        self.funnels: dict[str, object] = {}
        self.factories: dict[tuple[str, str], object] = {}
        self.chunks: dict[tuple[str, str], int] = {}
        self.count: dict[str, int] = {}
        self.customer: dict[int, int] = {}  # contact id this part started -> the customer's id
        self.attempt: dict[int, int] = {}  # contact id -> the customer's attempt number
        self.of: dict[int, int] = {}  # contact id this part started -> the contact it follows
        self.phone = PhoneQueue(model)
        self.timers = True  # messaging: a silent customer's leaving time is this part's own timer

    def bind(self) -> None:
        """At the start of the run: the messaging model and the phone funnels (attached after this part)."""
        from sim.social.kinds import conversation_channel
        from sim.social.messaging import Messaging

        social = self.model.parts.get("social")
        threads = self.own or any(conversation_channel(self.scenario.channels[ch]) for ch, _ in self.by_from)
        if threads and social is not None and hasattr(social, "watchers"):
            social.watchers.append(self)
            self.messaging = social
            self.timers = isinstance(social, Messaging)  # sessions close a quiet conversation themselves
        funnel = self.model.parts.get("funnel")
        if funnel is not None:
            self.funnels = {f.channel.name: f for f in funnel.funnels}

    # Decisions -----------------------------------------------------------------------------------------------------
    def rng(self, contact_id: int) -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, self.rep, self.tag,
                                                                           int(contact_id)])))

    def decide(self, channel: str, outcome: str, contact_id: int, customer: int, attempts: int, at: float,
               taken: float = 0.0, post=None, contact=None, resolved: bool = False) -> None:
        """The contact ended with ``outcome`` at ``at``: one row of each stream may start the customer's next try.
        ``taken``: the probability that another mechanism (the funnel's same-channel row) already took this contact's
        next try; the ``next_try`` rows here are drawn on the rest, so each keeps its own probability. ``post``: the
        thread that ended (a follow-up post keeps its kind, reach and publicity). ``contact``: the call or thread that
        ended (a feature's row takes its probability from it). ``resolved``: only ``every_end`` rows follow it."""
        groups = self.by_from.get((channel, outcome))
        if groups:
            self._decide(groups, contact_id, customer, attempts, at, taken, post, contact, resolved)

    def _decide(self, groups: list[_Group], contact_id: int, customer: int, attempts: int, at: float, taken: float,
                post, contact, resolved: bool) -> None:
        for g in groups:
            if resolved and not g.every_end:
                continue
            provider, keyed = g.provider, g.keyed
            if keyed is None:
                rng = self.rng(contact_id)
                u = float(rng.random()) * (1.0 - taken)
            else:  # the keyed generator's first uniform; the generator itself only for a chosen row's delay
                u = keyed.uniform_of(contact_id)
            acc = 0.0
            for r in g.rows:
                if resolved and not r.every_end:
                    continue
                acc += r.probability if provider is None else provider.next_try_probability(r, contact)
                if u < acc:
                    if attempts < r.max_attempts:
                        if provider is not None:
                            provider.next_try_chosen(r, contact)
                        if keyed is not None:
                            rng = keyed.at((contact_id,))
                            rng.random()  # the uniform taken above
                        delay = float(r.delay.sample(rng, 1)[0])
                        if at + delay < self.horizon:
                            value = (r, contact_id, customer, attempts, rng, post, provider)
                            if at == self.env.now:
                                self.model.schedule(delay, self._on_try, value)
                            else:
                                self.model.schedule_at(max(at + delay, self.env.now), self._on_try, value)
                    break

    def _on_try(self, ev) -> None:
        r, prev, customer, attempts, rng, post, provider = ev.value
        if provider is not None:
            provider.next_try_start(r, prev, customer, attempts + 1)
            return
        to = self.scenario.channels[r.to_channel]
        if to.kind == "phone":
            self._call(r.to_channel, prev, customer, attempts + 1, rng)
        else:
            self._post(r.to_channel, prev, customer, attempts + 1, post)

    # Calls ---------------------------------------------------------------------------------------------------------
    def contact_ended(self, c) -> None:
        """A call ended: rows from its channel towards another channel, and the rows features offer."""
        channel, outcome = c.channel, c.outcome
        pair = (channel, outcome)
        groups = self.by_from.get(pair)
        if groups is None:
            return
        # resolved: a plain queue's served call resolves the issue; only rows following every end go on
        resolved = outcome == "served" and getattr(c, "resolved", True)
        taken = 0.0
        if pair in self.on_rest:
            f = self.funnels.get(channel)
            if f is not None:
                same = f.retry.get(outcome)
                if same is not None and c.customer.attempts < same.max_attempts:
                    taken = same.probability
        self._decide(groups, c.id, c.customer_id, c.attempt, self.env.now, taken, None, c, resolved)

    def _new_id(self, channel: str) -> int:
        n = self.count[channel] = self.count.get(channel, 0) + 1
        return self.model.feed(channel).id_base + ID_OFFSET + n

    def _call(self, channel: str, prev: int, customer: int, attempt: int, rng) -> None:
        cid = self._new_id(channel)
        f = self.funnels.get(channel)
        if f is not None:
            call = f.switched_in(cid, customer, attempt, rng)
        else:
            ch = self.scenario.channels[channel]
            handle = float(ch.handle_time.sample(rng, 1)[0])
            patience = float(ch.patience.sample(rng, 1)[0]) if ch.patience is not None else INF
            ivr = float(ch.ivr_time.sample(rng, 1)[0]) if ch.ivr_time is not None else 0.0
            call = Contact(cid, channel, self.env.now, handle, patience, ivr, self.phone)
            call.queue = ch.queue
            call.customer_id, call.attempt = customer, attempt
        self.of[cid] = prev
        if f is not None:
            f.dial(call)
        else:
            self.phone.on_arrival(call)

    # Threads -------------------------------------------------------------------------------------------------------
    def thread(self, p) -> None:
        """The messaging model's news of thread ``p``: a customer message waits (outcome None), or the thread ended
        (in session mode also silent, closed after the inactivity timeout, or abandoned in the queue)."""
        out = p.outcome
        if out is None:
            patience = p.src.reply_patience[p.msgs + p.done]
            if patience < INF and (p.channel, "silent") in self.by_from:
                self.model.schedule(patience, self._on_patience, (p, p.sent))
        elif out == "ignored" or (out == "served" and not p.src.resolved[p.i]) or (
                not self.timers and out in ("silent", "abandoned")):
            self._thread_ended(p, out, self.env.now)

    def _on_patience(self, ev) -> None:
        p, sent = ev.value
        if p.pending and p.sent == sent:  # nobody opened the message in time: the customer left, silently
            self._thread_ended(p, "silent", self.env.now)

    def _thread_ended(self, p, outcome: str, at: float) -> None:
        self.decide(p.channel, outcome, p.id, self.customer.get(p.id, p.id), self.attempt.get(p.id, 1), at, post=p,
                    contact=p)

    def _post(self, channel: str, prev: int, customer: int, attempt: int, before) -> None:
        """A new thread on ``channel`` by the same customer: kind, reach and publicity of the thread it follows
        (``before``; None after a call: the channel's mix of kinds)."""
        m = self.messaging
        if m is None:
            return
        kind = before.kind if before is not None else None
        pid = self._new_id(channel)
        p = self._create(channel, kind, pid)
        if before is not None and before.src.channel.kind == p.src.channel.kind:
            f, i = p.src, p.i
            f.reach[i], f.public[i] = before.reach, before.src.public[before.i]
            f.to_dm[i] = f.to_dm[i] and f.public[i]
        self.customer[pid], self.attempt[pid], self.of[pid] = customer, attempt, prev
        p.customer_id = customer  # a deflected follow-up is this customer's (sim.reputation.deflection)
        m.admit(p)

    def _create(self, channel: str, kind: str | None, pid: int):
        from sim.social.posts import PostFactory
        from sim.social.spec import conversation_spec

        key = (channel, kind or "")
        f = self.factories.get(key)
        if f is None or f.i >= CHUNK:
            ch = self.scenario.channels[channel]
            spec = conversation_spec(ch)
            if kind is not None and kind in spec.kinds:
                spec = replace(spec, kinds=(kind,), kind_shares=(1.0,))
            chunk = self.chunks[key] = self.chunks.get(key, -1) + 1
            f = PostFactory(ch, spec, _Prefixed(self.model.streams, f"next_try.{kind or 'any'}.{chunk}"), CHUNK)
            self.factories[key] = f
            self.messaging.factories[("next_try", channel, kind, chunk)] = f
        return f.create(pid, self.env.now)

    # Records -------------------------------------------------------------------------------------------------------
    def records(self, book) -> None:
        """``next_try_of`` on every contact; a next try's ``customer_id`` and ``attempt`` are the customer's. (A
        feature's rows start the feature's contacts, which it records.)"""
        if not self.own:
            return
        cols = book["contacts"]
        ids = np.asarray(cols["contact_id"], dtype=np.int64)
        n = len(ids)
        of = np.full(n, -1, dtype=np.int64)
        customer = np.array(cols["customer_id"], dtype=np.int64)
        attempt = np.array(cols["attempt"], dtype=np.int64)
        if self.of:
            import pandas as pd

            index = pd.Index(ids)
            pos = index.get_indexer(list(self.of))
            ok = pos >= 0
            of[pos[ok]] = np.array(list(self.of.values()), dtype=np.int64)[ok]
            posts = [k for k in self.customer]
            pp = index.get_indexer(posts)
            okp = pp >= 0
            customer[pp[okp]] = np.array([self.customer[k] for k in posts], dtype=np.int64)[okp]
            attempt[pp[okp]] = np.array([self.attempt[k] for k in posts], dtype=np.int64)[okp]
            # a contact caused by a next try's post (a repeat complaint) belongs to that post's customer
            customer = np.array([self.customer.get(int(c), int(c)) for c in customer], dtype=np.int64)
        cols.put("customer_id", customer.tolist())
        cols.put("attempt", attempt.tolist())
        cols.put("next_try_of", of.tolist())


class _Prefixed:
    """Streams whose names carry a prefix: a PostFactory on them never shares a stream with the channel's own."""

    def __init__(self, streams, prefix: str):
        self.streams, self.prefix = streams, prefix

    def generator(self, name: str):
        return self.streams.generator(f"{self.prefix}.{name}")
