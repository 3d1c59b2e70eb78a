"""The scenarios behind the lessons, built from the controls as plain scenario dicts, and written out as TOML.

Each builder returns the dict that ``sim.parse_scenario`` validates and ``contactsim run`` reads from a file, so what
a teacher downloads is exactly what the page simulated. Defaults and their sources: docs/app.md (values marked
*assumed* there have none).
"""
from __future__ import annotations

import math

import tomli_w

DEPARTMENTS = ("orders", "billing", "service")


def queue_scenario(calls_per_hour: float = 100.0, handle_min: float = 4.0, patience_min: float = 5.0,
                   agents: int = 8, answer_within_s: float = 20.0, hours: float = 8.0, replications: int = 5,
                   seed: int = 1) -> dict:
    """One phone queue with exponential handle time and patience: the Erlang A queue (M/M/n+M) of lesson 1.

    A 30-minute warm-up is simulated and not counted, so the counted hours are close to the steady state that
    Erlang A and Erlang C describe. ``patience_min = inf`` means nobody hangs up (Erlang C)."""
    phone = {
        "arrivals": {"rate": f"{calls_per_hour:g}/h"},
        "handle_time": {"dist": "exponential", "mean": f"{handle_min * 60:g}s"},
        "targets": {"answer_within": f"{answer_within_s:g}s", "service_level": 0.80},
    }
    if math.isfinite(patience_min):
        phone["patience"] = {"dist": "exponential", "mean": f"{patience_min * 60:g}s"}
    return {
        "schema": 1, "name": "lesson_queues",
        "description": "Lesson 1 (why queues form): one Erlang A phone queue, as set in the teaching app.",
        "run": {"horizon": f"{hours * 60 + 30:g}min", "warmup": "30min", "replications": int(replications),
                "seed": int(seed), "interval": "30min"},
        "channels": {"phone": phone},
        "agents": {"phone": {"serves": ["phone"], "count": int(agents)}},
    }


def menu_tree(depth: int, options: int, misroute: float) -> tuple[dict, dict, list[float]]:
    """A balanced IVR tree: ``depth`` levels of ``options`` equally likely options; the leaves go round-robin to the
    three departments, so a wrong press at any level can land a caller in another department.

    Returns (the main menu, the named sub-menus, each department's share of callers routed by the tree)."""
    if depth < 1 or options < 2:
        raise ValueError("a menu tree needs depth ≥ 1 and at least 2 options per menu")
    share = round(1.0 / options, 12)
    shares = [share] * (options - 1) + [round(1.0 - share * (options - 1), 12)]
    menus: dict[str, dict] = {}
    leaf = [0]
    dept_share = [0.0] * len(DEPARTMENTS)

    def build(level: int, path: str, weight: float) -> dict:
        opts = []
        for i in range(options):
            label = f"option {path}{i + 1}"
            if level == depth:
                d = leaf[0] % len(DEPARTMENTS)
                leaf[0] += 1
                dept_share[d] += weight / options
                opts.append({"label": label, "share": shares[i], "queue": DEPARTMENTS[d]})
            else:
                name = f"menu_{path}{i + 1}"
                menus[name] = build(level + 1, f"{path}{i + 1}.", weight / options)
                opts.append({"label": label, "share": shares[i], "goto": name})
        return {"options": opts}

    main = build(1, "", 1.0)
    main["misroute"] = float(misroute)
    return main, menus, dept_share


def split_agents(total: int, shares: list[float]) -> list[int]:
    """``total`` agents split over departments in proportion to their shares (largest remainder), at least 1 each."""
    n = len(shares)
    total = max(int(total), n)
    s = sum(shares) or 1.0
    raw = [(total - n) * x / s for x in shares]
    out = [1 + math.floor(r) for r in raw]
    rest = total - sum(out)
    for i in sorted(range(n), key=lambda i: raw[i] - math.floor(raw[i]), reverse=True)[:rest]:
        out[i] += 1
    return out


def funnel_scenario(depth: int = 3, options: int = 4, misroute: float = 0.07, transfer_mode: str = "cold",
                    calls_per_hour: float = 120.0, agents: int = 14, hours: float = 4.0, replications: int = 5,
                    seed: int = 1, warmup_min: float = 30.0) -> dict:
    """A phone funnel in small (lessons 2 and 5): a balanced IVR tree in front of three departments, misrouting and
    transfers, first-contact resolution. No trunk limit, callbacks, redials or repeat calls, so what changes is what
    the controls change. Timings follow retail_phone.toml (docs/funnel.md); the agents are split over the
    departments in proportion to the callers the tree sends them."""
    main, menus, dept_share = menu_tree(depth, options, misroute)
    counts = split_agents(agents, dept_share)
    handle = {"orders": "4min", "billing": "5min", "service": "6min"}  # retail_phone.toml [assumed]
    phone = {
        "queue": "service",
        "arrivals": {"rate": f"{calls_per_hour:g}/h"},
        "handle_time": {"dist": "lognormal", "mean": "5min", "cv": 1.0},
        "patience": {"dist": "exponential", "mean": "4min"},
        "targets": {"answer_within": "20s", "service_level": 0.80},
        "ivr": {"greeting": "4s", "seconds_per_option": "3s",
                "decision_time": {"dist": "lognormal", "mean": "3s", "cv": 0.8},
                "zero_out": 0.02, "hang_up": 0.01, "menu": main, **({"menus": menus} if menus else {})},
        "departments": {d: {"handle_time": {"dist": "lognormal", "mean": handle[d], "cv": 1.0}} for d in DEPARTMENTS},
        "transfers": {"mode": transfer_mode, "diagnosis_time": {"dist": "lognormal", "mean": "60s", "cv": 0.5},
                      "repeat_time": {"dist": "exponential", "mean": "30s"}},
        "resolution": {"first_contact": 0.78, "transfer_penalty": 0.14, "call_again": 0.0},
    }
    return {
        "schema": 1, "name": "lesson_funnel",
        "description": "Lessons 2 and 5 (the phone funnel): an IVR tree, three departments, transfers, as set in the "
                       "teaching app.",
        "run": {"horizon": f"{hours * 60 + warmup_min:g}min", "warmup": f"{warmup_min:g}min",
                "replications": int(replications), "seed": int(seed), "interval": "30min"},
        "channels": {"phone": phone},
        "agents": {f"{d}_team": {"serves": [d], "count": n, "cost_per_hour": 30.0}
                   for d, n in zip(DEPARTMENTS, counts)},
    }


def to_toml(raw: dict, header: str = "") -> str:
    """The scenario as a TOML file that ``contactsim run`` opens, with ``header`` as leading comment lines."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    return ("\n".join(lines) + "\n" if lines else "") + tomli_w.dumps(raw)
