"""Lesson 3's two self-help assumptions written into its scenario, in one place: the next try (a customer whose contact
failed or left the issue open tries again, with one probability and one mean delay on the phone and on social) and
deflection (a public answer read by others with the same question, who then never post).

``next_try`` is the only function that knows which scenario keys carry the next-try rule. It writes two named rows of
the scenario's next-try table (``[next_try.phone_again]``, ``[next_try.social_again]``, docs/next_try.md): after a
call that failed (blocked, abandoned in the queue or the menu) or was served without resolving the issue, and after a
thread that went silent, was ignored or was served without resolving it, the customer tries again on the same
channel. Repeat complaints after a reply (``reputation.repeat``, Ma, Sun & Kekre 2015) are another mechanism and stay
off here.

Deflection is ``reputation.deflection`` (``sim.reputation.deflection``; fraction [assumed], the headline study's 0.2),
counted as resolution by ``sim.horizons``. Every other part of the reputation model stays off (exposure, sentiment,
word of mouth, churn, expectations, pile-ons, spillover): lesson 3 compares service, not reputation (lesson 4).
"""
from __future__ import annotations

# The reputation model's mechanisms lesson 3 leaves off (docs/reputation.md): it uses deflection only.
OFF = ("exposure", "pile_on", "spillover", "word_of_mouth", "churn", "expectations", "disconfirmation",
       "silent_majority")


# The rule's rows: after a call that failed (blocked, abandoned in the queue or the menu) or was served without
# resolving the issue, and after a thread that went silent, was ignored or was served without resolving it.
ROWS = {"phone_again": ("phone", ("blocked", "abandoned", "abandoned_ivr", "served")),
        "social_again": ("social", ("silent", "ignored", "served"))}


def minutes(delay_min: float) -> dict:
    """An exponential delay with mean ``delay_min`` minutes, as a scenario writes it."""
    return {"dist": "exponential", "mean": f"{delay_min:g}min"}


def next_try(raw: dict, probability: float, delay_min: float) -> dict:
    """Write one next-try rule into the scenario dict ``raw`` (changed in place and returned): after a failed or
    unresolved contact the customer tries again on the same channel with ``probability``, after an exponential delay
    of mean ``delay_min`` minutes — the same rule on the phone and on social (named ``[next_try]`` rows,
    docs/next_try.md, so ``--set next_try.social_again.probability=…`` reaches them). 0 is a single try."""
    p, delay = float(probability), minutes(delay_min)
    raw["next_try"] = {name: {"from": channel, "after": list(after), "to": channel, "probability": p, "delay": delay}
                       for name, (channel, after) in ROWS.items()}
    reputation(raw)["repeat"] = False  # a repeat complaint after a reply is another mechanism (lesson 4's model)
    return raw


def deflection(raw: dict, fraction: float) -> dict:
    """Write the share of later questions on a topic that a public answer deflects (0: none)."""
    reputation(raw)["deflection"] = {"enabled": True, "fraction": float(fraction)} if fraction > 0 else False
    return raw


def reputation(raw: dict) -> dict:
    """The scenario's ``[reputation]`` section, made with every mechanism in ``OFF`` off."""
    if "reputation" not in raw:
        raw["reputation"] = {m: False for m in OFF}
    return raw["reputation"]
