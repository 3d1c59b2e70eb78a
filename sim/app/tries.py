"""Lesson 3's two self-help assumptions written into its scenario, in one place: the next try (a customer whose contact
failed or left the issue open tries again, with one probability and one mean delay on the phone and on social) and
deflection (a public answer read by others with the same question, who then never post).

``next_try`` is the only function that knows which scenario keys carry the next-try rule: when the scenario gains one
section for every next try, only its body changes (docs/app.md).

Today's keys (docs/next_try.md): on the phone a redial after a call that failed (blocked, abandoned in the queue or
the menu: ``channels.phone.redials``) and a second call after a served call that left the issue open
(``channels.phone.resolution.call_again`` and ``delay``); on social a repeat complaint after the first reply to a
complaint (``reputation.repeat``, Ma, Sun & Kekre 2015). A social thread that goes silent, is ignored or ends
unresolved is not followed up by today's model, so on social the rule acts on fewer customers than on the phone.

Deflection is ``reputation.deflection`` (``sim.reputation.deflection``; fraction [assumed], the headline study's 0.2),
counted as resolution by ``sim.horizons``. Every other part of the reputation model stays off (exposure, sentiment,
word of mouth, churn, expectations, pile-ons, spillover): lesson 3 compares service, not reputation (lesson 4).
"""
from __future__ import annotations

# The reputation model's mechanisms lesson 3 leaves off (docs/reputation.md): it reads only deflection and repeats.
OFF = ("exposure", "pile_on", "spillover", "word_of_mouth", "churn", "expectations", "disconfirmation",
       "silent_majority")


def minutes(delay_min: float) -> dict:
    """An exponential delay with mean ``delay_min`` minutes, as a scenario writes it."""
    return {"dist": "exponential", "mean": f"{delay_min:g}min"}


def next_try(raw: dict, probability: float, delay_min: float) -> dict:
    """Write one next-try rule into the scenario dict ``raw`` (changed in place and returned): after a failed or
    unresolved contact the customer tries again on the same channel with ``probability``, after an exponential delay
    of mean ``delay_min`` minutes — the same rule on the phone and on social. 0 is a single try."""
    p = float(probability)
    phone = raw["channels"]["phone"]
    phone["redials"] = {"probability": p, "delay": minutes(delay_min)}
    phone["resolution"].update(call_again=p, delay=minutes(delay_min))
    rep = reputation(raw)
    rep["repeat"] = {"enabled": True, "probability": p, "delay": minutes(delay_min)} if p > 0 else False
    return raw


def deflection(raw: dict, fraction: float) -> dict:
    """Write the share of later questions on a topic that a public answer deflects (0: none)."""
    reputation(raw)["deflection"] = {"enabled": True, "fraction": float(fraction)} if fraction > 0 else False
    return raw


def reputation(raw: dict) -> dict:
    """The scenario's ``[reputation]`` section, made with every mechanism but deflection and repeats off."""
    if "reputation" not in raw:
        raw["reputation"] = {m: False for m in OFF}
    return raw["reputation"]
