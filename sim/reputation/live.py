"""Reputation mechanisms that act while a replication runs: pile-ons, spillover posts, deflection, repeat complaints.

A ``Reputation`` attaches to a model (``attach``) when the scenario's ``[reputation]`` section has one of these on and
the conversations (``sim.social``) have a social channel to act on. It is an observer of the kernel
(``sim.core.protocol``) at two moments:

- ``post_arrived(p)`` when a post reaches the brand (``sim.social.conversation.Conversations.admit``): a question may
  be deflected (return False: it never becomes a contact); a public complaint draws its candidate pile-on posts.
- ``first_response(p)`` when the brand's first message on a post is out: a public answer starts deflecting later
  questions on its topic; a complaint's author may complain again later (repeat complaints).

and a provider of rows to the next-try rule (``sim.next_try.provided``): the spillover — after a phone or chat call
ends, the caller may post a public complaint — is a row that ``sim.next_try.follow_up`` runs on its own keyed stream;
this model gives its probability from the call's experience, marks the call ``posted_publicly`` and creates the post.

Posts this module creates (pile-on, spillover and repeat complaints) are made by their own ``PostFactory`` (in
chunks of 256, on streams prefixed ``reputation.<cause>.<chunk>.``) and handed to ``Conversations.admit`` like any
arrival. Their contact ids are the social channel's id prefix + 600M/700M/800M + a count. Decisions about a given contact use generators keyed by the
contact (``sim.reputation.keyed``): staffing changes which candidates come true, never what is drawn.
"""
from __future__ import annotations

from dataclasses import replace

from sim.core import Column
from sim.reputation.config import ReputationSpec, pile_on_channels, reputation_of
from sim.reputation.deflection import Deflection, DeflectionBoard
from sim.reputation.experience import call_experience
from sim.reputation.keyed import KeyedDraws
from sim.reputation.spillover import spillover_rows

PILE_ON, SPILLOVER, REPEAT = "pile_on", "spillover", "repeat"
CAUSES = (PILE_ON, SPILLOVER, REPEAT)
# The reputation model's columns of every contact (sim.core.records).
CONTACT_COLUMNS = (
    Column("caused_by", "category", "", "pile_on, spillover or repeat: the model caused this contact; NA: not caused",
           categories=CAUSES, sparse=True),
    Column("cause_contact_id", "int64", "", "the contact that caused it; -1: none", default=-1),
    Column("posted_publicly", "bool", "", "the caller of this call posted about it publicly", default=False),
)
ID_OFFSET = {PILE_ON: 600_000_000, SPILLOVER: 700_000_000, REPEAT: 800_000_000}
KEY_TAG = {PILE_ON: 1, SPILLOVER: 2, REPEAT: 3}  # second-to-last element of a caused post's key
CHUNK = 256  # caused posts per PostFactory (attributes drawn up front, in creation order)


class _Prefixed:
    """Streams whose names carry a prefix: a PostFactory on them never shares a stream with the channel's own."""

    def __init__(self, streams, prefix: str):
        self.streams, self.prefix = streams, prefix

    def generator(self, name: str):
        return self.streams.generator(f"{self.prefix}.{name}")


def attach(model) -> Reputation | None:
    """The run-time reputation model of one replication, or None when no mechanism acts during the run."""
    spec = reputation_of(model.scenario)
    social = model.parts.get("social")
    if spec is None or not spec.live or social is None:
        return None
    rep = Reputation(model, social, spec)
    model.observe(rep)
    social.rec.add_contact_columns(CONTACT_COLUMNS, rep.post_cells)  # a post's cells written when it arrives
    return rep


class Reputation:
    def __init__(self, model, social, spec: ReputationSpec):
        from sim.social.spec import conversation_spec

        self.model, self.env, self.spec, self.social = model, model.env, spec, social
        self.streams = model.streams
        self.horizon = model.horizon
        sc = model.scenario
        social = [f for f in social.feeds if f.channel.kind == "social"]
        self.feeds = {f.channel.name: f for f in social}
        self.conv_spec = {name: conversation_spec(f.channel) for name, f in self.feeds.items()}
        self.pile_channels = set(pile_on_channels(sc, spec))
        self.spill_rows = spillover_rows(sc, spec)
        self.board = DeflectionBoard(spec.deflection) if spec.deflection is not None else None
        self.draws = {m: KeyedDraws(self.streams, f"reputation.{m}") for m in ("pile_on", "deflection", "repeat")}
        self.factories: dict[tuple[str, str], object] = {}  # (cause, channel) -> current PostFactory
        self.chunks: dict[tuple[str, str], int] = {}
        self.counts = {c: 0 for c in CAUSES}
        self.keys: dict[int, tuple] = {}  # post id -> key of its keyed generators
        self.cause: dict[int, tuple[str, int, int]] = {}  # post id -> (cause, cause contact id, customer id)
        self.topic: dict[int, int] = {}  # public question -> topic

    # Helpers --------------------------------------------------------------------------------------------------------
    def key(self, p) -> tuple:
        k = self.keys.get(p.id)
        return k if k is not None else (p.id,)

    def _create(self, cause: str, channel: str, pid: int):
        """A new complaint post's attributes, from factories of ``CHUNK`` posts on streams prefixed
        ``reputation.<cause>.<chunk>`` (registered with the conversations so the records find them)."""
        from sim.social.posts import PostFactory

        f = self.factories.get((cause, channel))
        if f is None or f.i >= CHUNK:
            spec = replace(self.conv_spec[channel], kinds=("complaint",), kind_shares=(1.0,))
            if cause != REPEAT:  # pile-ons and callers' complaints are public; repeats as public as the channel's posts
                spec = replace(spec, public=1.0)
            chunk = self.chunks[(cause, channel)] = self.chunks.get((cause, channel), -1) + 1
            f = PostFactory(self.feeds[channel].channel, spec, _Prefixed(self.streams, f"reputation.{cause}.{chunk}"),
                            CHUNK)
            self.factories[(cause, channel)] = f
            self.social.factories[("reputation", cause, channel, chunk)] = f
        return f.create(pid, self.env.now)

    def inject(self, cause: str, channel: str, key: tuple, cause_id: int, customer_id: int) -> None:
        """A new complaint on ``channel`` now, caused by contact ``cause_id``."""
        self.counts[cause] += 1
        pid = self.feeds[channel].id_base + ID_OFFSET[cause] + self.counts[cause]
        p = self._create(cause, channel, pid)
        self.keys[pid] = key
        self.cause[pid] = (cause, cause_id, customer_id)
        self.social.admit(p)

    def _later(self, delay: float, value, callback) -> None:
        if self.env.now + delay < self.horizon:
            self.model.schedule(delay, callback, value)

    # Posts ----------------------------------------------------------------------------------------------------------
    def post_arrived(self, p) -> bool:
        """A post reaches the brand; False when it is deflected (the customer read an earlier public answer)."""
        if p.channel not in self.feeds:
            return True
        now = self.env.now
        if self.board is not None and p.kind == "question":
            rng = self.draws["deflection"].at(self.key(p))
            topic = int(rng.integers(self.spec.deflection.topics))
            who = p.customer_id if p.customer_id >= 0 else self.customer(p)  # a follow-up's: its customer's
            if self.board.decide(p.channel, topic, now, float(rng.random()), p.id, who):
                return False
            if p.message_public(1):
                self.topic[p.id] = topic
        pile = self.spec.pile_on
        if pile is not None and p.kind == "complaint" and p.message_public(1) and p.channel in self.pile_channels:
            ages, u = pile.candidates(self.draws["pile_on"].at(self.key(p)), p.reach, self.conv_spec[p.channel].reach)
            for j, (age, uj) in enumerate(zip(ages, u)):
                self._later(age, (p, j, age, uj), self._on_candidate)
        return True

    def _on_candidate(self, ev) -> None:
        p, j, age, u = ev.value
        answered_after = p.first_response - p.arrival  # NaN while unanswered (a public post's first reply is public)
        if self.spec.pile_on.kept(age, answered_after, u):
            self.inject(PILE_ON, p.channel, (*self.key(p), KEY_TAG[PILE_ON], j), p.id, self.customer(p))

    def customer(self, p) -> int:
        c = self.cause.get(p.id)
        return c[2] if c is not None else p.id

    def first_response(self, p) -> None:
        """The brand's first message on post ``p`` is out."""
        if p.channel not in self.feeds:
            return
        now = self.env.now
        if self.board is not None and p.id in self.topic:
            self.board.answered(p.channel, self.topic[p.id], now)
        rep = self.spec.repeat
        if rep is not None and p.kind == "complaint":
            draws, key = self.draws["repeat"], self.key(p)
            if draws.uniform(key) < rep.probability:  # the generator's first uniform; the generator for the delay
                rng = draws.at(key)
                rng.random()
                delay = float(rep.delay.sample(rng, 1)[0])
                self._later(delay, p, self._on_repeat)

    def _on_repeat(self, ev) -> None:
        p = ev.value
        self.inject(REPEAT, p.channel, (*self.key(p), KEY_TAG[REPEAT], 0), p.id, self.customer(p))

    # The spillover, a row of the next-try rule (sim.next_try.provided) ------------------------------------------
    def next_try_rows(self) -> list:
        return self.spill_rows

    def next_try_probability(self, row, c) -> float:
        """The caller of call ``c`` posts a public complaint about it with the logistic of its experience."""
        return self.spec.spillover.probability(*call_experience(c))

    def next_try_chosen(self, row, c) -> None:
        if c.row >= 0:  # the call's row of contacts (written when it was created)
            self.model.book["contacts"].set(c.row, posted_publicly=True)

    def next_try_start(self, row, call_id: int, customer_id: int, attempt: int) -> None:
        self.inject(SPILLOVER, row.to_channel, (call_id, KEY_TAG[SPILLOVER], 0), call_id, customer_id)

    # Records --------------------------------------------------------------------------------------------------------
    def post_cells(self, p) -> dict:
        """A post's reputation cells of its ``contacts`` row, when it reaches the brand: what caused it (the customer
        of a caused spillover or repeat complaint is the original customer)."""
        c = self.cause.get(p.id)
        if c is None:
            return {"cause_contact_id": -1, "posted_publicly": False}
        return {"caused_by": c[0], "cause_contact_id": c[1], "customer_id": c[2], "posted_publicly": False}

    def records(self, book) -> None:
        """Deflected questions go to ``book["reputation"]``. (A call's cells were written as the run went: its row
        starts with ``cause_contact_id`` −1 and ``posted_publicly`` false, the column defaults; ``next_try_chosen`` sets
        ``posted_publicly`` when the caller decides to post a complaint about the call.)"""
        # deflected questions and their customers (sim.reputation.deflection), and P(deflected) of every question
        book["reputation"] = (self.board or DeflectionBoard(Deflection())).records()
