"""Mutating the shipped scenarios and forecast CSVs as a careless new user would, and judging what comes back.

``run_case(kind, source, seed)`` applies one mutation of ``kind`` (see ``KINDS``) to the shipped scenario ``source``
(or to its CSVs), loads and checks it in-process (``sim.load_scenario``, the size guard) and, for a few of the
accepted cases, simulates one short replication. The ``Outcome`` says which of four things happened: a clean error,
a valid scenario, a traceback, or nonsense accepted (NaN or infinity inside the parsed scenario). Every error or
warning line must be one line naming the file (and the key, where the problem is not the file as a whole).

Used by tests/test_fuzz_inputs.py (≥ 1,000 cases per run) and tests/fuzz_slow.py (≥ 10,000 cases, by hand).
"""
from __future__ import annotations

import copy
import dataclasses
import math
import random
import shutil
import tempfile
import traceback
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import sim
from sim.errors import InputError, ScenarioError
from sim.input_warnings import InputWarning
from sim.scenario import parse_scenario, read_toml, set_dotted
from sim.size_guard import guard

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
CSV_SOURCES = sorted((ROOT / "scenarios" / "data").glob("*.csv"))
CSV_SCENARIOS = [p for p in SCENARIOS if "data/" in p.read_text()]  # the scenarios reading forecast/schedule CSVs
# Fields whose default is infinity meaning "never" (no expiry of untriaged posts, no latest break): not from input.
DEFAULT_INFINITE = ("expire_after_s", "latest_s")

TREE_KINDS = ("delete", "rename", "retype", "nan", "inf", "huge", "bad_unit", "unknown_ref", "control", "deep",
              "goto_chain", "shared_queue")
TEXT_KINDS = ("non_utf8", "truncate", "text_control", "text_deep")
CSV_KINDS = ("csv_delete_row", "csv_duplicate_row", "csv_retype", "csv_nan", "csv_inf", "csv_huge", "csv_ddmm",
             "csv_other_day", "csv_unknown_column", "csv_rename_header", "csv_control", "csv_non_utf8",
             "csv_truncate", "csv_bom", "csv_empty_cell")
KINDS = TREE_KINDS + TEXT_KINDS + CSV_KINDS
FILE_LEVEL = ("valid TOML", "UTF-8 text", "tables and lists nested", "a scenario file of at most")
CONTROLS = ("\n", "\r", "\t", "\x1b[31m", "\u202e", "\x00", "\x7f", "\u2028", "\ufeff")


@dataclass
class Outcome:
    kind: str
    source: str
    verdict: str = "valid"          # "error", "valid", "traceback", "accepted_nonfinite", "bad_message"
    detail: str = ""
    lines: list[str] = field(default_factory=list)
    ran: bool = False

    @property
    def failed(self) -> bool:
        return self.verdict in ("traceback", "accepted_nonfinite", "bad_message")


# ---- walking and changing a scenario dict ------------------------------------------------------------------------
def paths(raw) -> list[tuple]:
    """Every key path in ``raw`` (tables and list items), walked without recursion."""
    out, stack = [], [((), raw)]
    while stack:
        p, node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            if isinstance(node, list) and len(node) > 60 and k % 7:
                continue  # long volume lists: a sample of their items is enough
            out.append((*p, k))
            stack.append(((*p, k), v))
    return out


def get(raw, p):
    for k in p:
        raw = raw[k]
    return raw


def put(raw, p, value):
    get(raw, p[:-1])[p[-1]] = value


def typo(key: str, rnd: random.Random) -> str:
    if len(key) > 2 and rnd.random() < 0.5:
        i = rnd.randrange(len(key) - 1)
        return key[:i] + key[i + 1] + key[i] + key[i + 2:]
    return key + rnd.choice(["s", "_", "x", "2", " "])


def nested(depth: int, rnd: random.Random):
    node = 1
    for _ in range(depth):
        node = [node] if rnd.random() < 0.5 else {"a": node}
    return node


def mutate_tree(raw: dict, kind: str, rnd: random.Random) -> bool:
    """Change ``raw`` in place; False when this kind does not apply to this scenario."""
    every = paths(raw)
    strings = [p for p in every if isinstance(get(raw, p), str)]
    numbers = [p for p in every if isinstance(get(raw, p), (int, float)) and not isinstance(get(raw, p), bool)]
    timed = [p for p in strings if any(c.isdigit() for c in get(raw, p))]
    if kind == "delete":
        p = rnd.choice(every)
        parent = get(raw, p[:-1])
        del parent[p[-1]]
    elif kind == "rename":
        keyed = [p for p in every if isinstance(p[-1], str)]
        p = rnd.choice(keyed)
        parent = get(raw, p[:-1])
        parent[typo(p[-1], rnd)] = parent.pop(p[-1])
    elif kind == "retype":
        put(raw, rnd.choice(every), rnd.choice(["abc", 42, -1, 1.5, True, [], {}, [1, 2], "4min", {"x": 1}, ""]))
    elif kind == "nan":
        put(raw, rnd.choice(numbers + timed), rnd.choice([math.nan, -math.nan, "nan", "nans", "nan/h", "NaN"]))
    elif kind == "inf":
        put(raw, rnd.choice(numbers + timed), rnd.choice([math.inf, -math.inf, "1e999s", "1e999/h", "inf", "infs",
                                                          "1/0s", "5/1e-999h"]))
    elif kind == "huge":
        value = rnd.choice([10**12, 10**18, 1e300, "1e12/h", "1e9d", "100000000d", "1e300s", "99999999/min",
                            [0] * rnd.choice([1000, 100_000])])
        put(raw, rnd.choice(numbers + timed), value)
    elif kind == "bad_unit":
        if not timed:
            return False
        put(raw, rnd.choice(timed), rnd.choice(["5 fortnights", "100/0h", "0.001ms", "-5s", "5", "5 s s", "/h",
                                                "100/h/h", "1e-300s", "24:61", "08:00-07:00", "0s", "0/h"]))
    elif kind == "unknown_ref":
        refs = [p for p in strings if p[-1] in ("queue", "goto", "zero_out_queue", "forecast", "schedule", "file",
                                               "column", "dist", "kind") or (len(p) > 1 and p[-2] == "serves")]
        if not refs:
            return False
        put(raw, rnd.choice(refs), rnd.choice(["nosuch", "", "phone ", "../../etc/passwd", "PHONE"]))
    elif kind == "control":
        ch = rnd.choice(CONTROLS)
        if rnd.random() < 0.5 and strings:
            p = rnd.choice(strings)
            s = get(raw, p)
            i = rnd.randrange(len(s) + 1)
            put(raw, p, s[:i] + ch + s[i:])
        else:
            keyed = [p for p in every if isinstance(p[-1], str)]
            p = rnd.choice(keyed)
            parent = get(raw, p[:-1])
            parent[p[-1][:1] + ch + p[-1][1:]] = parent.pop(p[-1])
    elif kind == "deep":
        tables = [p for p in every if isinstance(get(raw, p), dict)] + [()]
        get(raw, rnd.choice(tables))[rnd.choice(["deep", "menu", "options", "arrivals"])] = \
            nested(rnd.choice([40, 400, 3000]), rnd)
    elif kind == "goto_chain":
        phones = [n for n, c in raw.get("channels", {}).items() if isinstance(c, dict) and c.get("kind", n) == "phone"]
        if not phones:
            return False
        name = rnd.choice(phones)
        queue = raw["channels"][name].get("queue", name)
        n = rnd.choice([5, 25, 500, 2000])
        menus = {f"m{i}": {"options": [{"share": 1.0, "goto": f"m{i + 1}"}]} for i in range(n)}
        last = {"share": 1.0, "goto": "m0"} if rnd.random() < 0.3 else {"share": 1.0, "queue": queue}
        menus[f"m{n}"] = {"options": [last]}
        raw["channels"][name]["ivr"] = {"menu": {"options": [{"share": 1.0, "goto": "m0"}]}, "menus": menus}
    elif kind == "shared_queue":
        channels = raw.get("channels", {})
        if not channels:
            return False
        name = rnd.choice(list(channels))
        twin = copy.deepcopy(channels[name])
        if isinstance(twin, dict):
            twin.setdefault("queue", name)
            twin.setdefault("kind", name)
        channels[name + "_2"] = twin
    return True


# ---- text and CSV mutations ---------------------------------------------------------------------------------------
def mutate_bytes(data: bytes, kind: str, rnd: random.Random) -> bytes:
    i = rnd.randrange(len(data) + 1)
    if kind.endswith("non_utf8"):
        return data[:i] + bytes([rnd.choice([0x80, 0xA9, 0xC3, 0xE9, 0xFF, 0xFE, 0x96])]) + data[i:]
    if kind.endswith("truncate"):
        return data[:i]
    if kind.endswith("control"):
        return data[:i] + rnd.choice(CONTROLS).encode() + data[i:]
    if kind == "text_deep":
        n = rnd.choice([50, 400, 1000, 5000])
        return b"deep = " + b"[" * n + b"1" + b"]" * n + b"\n" + data
    raise ValueError(kind)


def mutate_csv(text: str, kind: str, rnd: random.Random) -> bytes | None:
    lines = text.splitlines(True)
    header, rows = lines[0], lines[1:]
    k = rnd.randrange(len(rows))
    cells = rows[k].rstrip("\n").split(",")
    if kind == "csv_delete_row":
        del rows[k]
    elif kind == "csv_duplicate_row":
        rows.insert(rnd.randrange(len(rows) + 1), rows[k])
    elif kind in ("csv_retype", "csv_nan", "csv_inf", "csv_huge", "csv_empty_cell"):
        j = rnd.randrange(len(cells))
        cells[j] = rnd.choice({"csv_retype": ["abc", "12:00", "4min", "true", "-3", "1,5"],
                               "csv_nan": ["nan", "NaN", "-nan"], "csv_inf": ["inf", "1e999", "-inf", "Infinity"],
                               "csv_huge": ["1e12", "1e300", "99999999999999999999"],
                               "csv_empty_cell": ["", " "]}[kind])
        rows[k] = ",".join(cells) + "\n"
    elif kind == "csv_ddmm":
        rows = [r.replace("2024-01-01", "01/01/2024") if "2024" in r else "01/01/2024 " + r for r in rows]
    elif kind == "csv_other_day":
        rows = [r.replace("2024-01-01", "2023-06-05") if "2024" in r else "1999-03-01 " + r for r in rows]
    elif kind == "csv_unknown_column":
        header = header.rstrip("\n") + ",notes\n"
        rows = [r.rstrip("\n") + ",x\n" for r in rows]
    elif kind == "csv_rename_header":
        names = header.rstrip("\n").split(",")
        j = rnd.randrange(len(names))
        names[j] = typo(names[j], rnd)
        header = ",".join(names) + "\n"
    else:
        data = (header + "".join(rows)).encode()
        if kind == "csv_bom":
            return b"\xef\xbb\xbf" + data
        return mutate_bytes(data, kind, rnd)
    return (header + "".join(rows)).encode()


# ---- judging ------------------------------------------------------------------------------------------------------
def one_line(text: str) -> bool:
    return not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text)


def nonfinite_inside(obj, limit: int = 200_000) -> str | None:
    """The first NaN or infinity found in a parsed scenario (its sections, channels, groups), or None."""
    stack, seen, n = [("", obj)], set(), 0
    while stack and n < limit:
        where, node = stack.pop()
        n += 1
        if isinstance(node, float):
            if not math.isfinite(node) and not where.endswith(DEFAULT_INFINITE):
                return where
        elif isinstance(node, np.ndarray):
            if node.dtype.kind == "f" and not np.isfinite(node).all():
                return where
        elif isinstance(node, (str, bytes, int, bool, type(None), Path)) or callable(node) and not \
                dataclasses.is_dataclass(node):
            continue
        elif id(node) in seen:
            continue
        else:
            seen.add(id(node))
            if dataclasses.is_dataclass(node):
                stack += [(f"{where}.{f.name}", getattr(node, f.name)) for f in dataclasses.fields(node)]
            elif hasattr(node, "items"):
                stack += [(f"{where}.{k}", v) for k, v in node.items() if k != "raw"]
            elif isinstance(node, (list, tuple, set, frozenset)):
                stack += [(f"{where}[{i}]", v) for i, v in enumerate(node)]
            elif hasattr(node, "__dict__"):
                stack += [(f"{where}.{k}", v) for k, v in vars(node).items()]
    return None


def judge_error(out: Outcome, exc: InputError, source: str) -> None:
    out.verdict, out.lines = "error", exc.lines()
    for line in out.lines:
        if not one_line(line) or not line.startswith(source + ": "):
            out.verdict, out.detail = "bad_message", line
            return
    if isinstance(exc, ScenarioError):
        for p in exc.problems:
            if not p.key and not p.expected.startswith(FILE_LEVEL):
                out.verdict, out.detail = "bad_message", f"no key: {p}"
                return


class Workspace:
    """A scratch copy of the scenarios folder (CSVs included), reused across cases."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="contactsim-fuzz-"))
        (self.dir / "data").mkdir()
        self.reset()

    def reset(self):
        for f in CSV_SOURCES:
            shutil.copy(f, self.dir / "data" / f.name)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


_RAW: dict[str, dict] = {}


def _raw(path: Path) -> dict:
    if path.name not in _RAW:
        _RAW[path.name] = read_toml(path)
    return copy.deepcopy(_RAW[path.name])


def run_case(kind: str, source: Path, seed: int, ws: Workspace, run_share: float = 0.0) -> Outcome:
    """One mutation of ``kind`` applied to ``source`` (a shipped scenario), loaded, checked and maybe run."""
    rnd = random.Random(seed)
    if kind in CSV_KINDS and source not in CSV_SCENARIOS:
        source = CSV_SCENARIOS[seed % len(CSV_SCENARIOS)]
    target = ws.dir / source.name
    out = Outcome(kind, source.name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InputWarning)
        try:
            if kind in TREE_KINDS:
                raw = _raw(source)
                if not mutate_tree(raw, kind, rnd):
                    out.verdict = "not_applicable"
                    return out
                shutil.copy(source, target)
                sc = parse_scenario(raw, source=str(target), base_dir=ws.dir)
            else:
                if kind in CSV_KINDS:
                    uses = [f for f in CSV_SOURCES if f"data/{f.name}" in source.read_text()]
                    if not uses:
                        out.verdict = "not_applicable"
                        return out
                    f = rnd.choice(uses)
                    data = mutate_csv(f.read_text(), kind, rnd)
                    (ws.dir / "data" / f.name).write_bytes(data)
                    target.write_bytes(source.read_bytes())
                else:
                    target.write_bytes(mutate_bytes(source.read_bytes(), kind, rnd))
                sc = sim.load_scenario(target)
                raw = None
            guard(sc)
            bad = nonfinite_inside(sc)
            if bad is not None:
                out.verdict, out.detail = "accepted_nonfinite", bad
            elif rnd.random() < run_share:
                out.ran = short_run(sc, raw if raw is not None else read_toml(target), target, ws)
        except InputError as exc:
            judge_error(out, exc, str(target))
        except Exception:  # anything else is a traceback a user would see
            out.verdict, out.detail = "traceback", traceback.format_exc(limit=-4)
        finally:
            ws.reset()
    for w in caught:
        if issubclass(w.category, InputWarning):
            text = str(w.message)
            if not one_line(text) or not text.startswith(str(target) + ": "):
                out.verdict, out.detail = "bad_message", f"warning: {text}"
    return out


def short_run(sc, raw: dict, target: Path, ws: Workspace) -> bool:
    """One replication of at most two hours; False when the shortened scenario is not valid (it is then not run)."""
    short = set_dotted(set_dotted(set_dotted(raw, "run.horizon", "2h"), "run.warmup", "0s"), "run.replications", 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InputWarning)
            sc2 = parse_scenario(short, source=str(target), base_dir=ws.dir)
            guard(sc2)
    except InputError:
        return False
    sim.run(sc2, replications=1)
    return True
