"""The kernel knows no feature, and features use only its public surface (docs/architecture.md).

- The import graph of ``sim/`` (every import, module level or inside a function, read with ``ast``; imports under
  ``if TYPE_CHECKING:`` are never executed and are left out) has no cycle, and ``sim/core`` imports nothing of ``sim``
  outside itself but the foundation modules (arrivals, calendar, distributions, streams).
- Outside ``sim/core``: imports from the kernel name only ``sim.core`` and only names in ``sim.core.__all__``; no
  attribute access to a private name the kernel defines; no assignment to the kernel's state on its objects
  (``CONTACT_STATE``, ``AGENT_STATE``) — statically (``ast``), and at run time on every shipped scenario.

About 10 s.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import sim
import sim.core
from sim.core import AGENT_STATE, CONTACT_STATE
from tests.import_graph import SIM, cycles, graph, module_name

CORE = SIM / "core"
FOUNDATION = {"sim.arrivals", "sim.calendar", "sim.distributions", "sim.streams", "sim.units", "sim.validate",
              "sim.errors", "sim.outcomes"}
STATE = set(CONTACT_STATE) | set(AGENT_STATE)
# Objects of a feature that share a field name with the kernel's state: (module folder, variable name, why).
OWN_OBJECTS = [("sim/social/", "p", "a Post (sim.social.posts) is the conversations' own record, not a kernel contact")]


def outside_modules() -> list[Path]:
    return [p for p in SIM.rglob("*.py") if CORE not in p.parents]


def test_no_import_cycle():
    assert cycles(graph()) == []


def test_kernel_imports_no_feature():
    g = graph()
    core = {m for m in g if m == "sim.core" or m.startswith("sim.core.")}
    outside = {m: sorted(d - core - FOUNDATION) for m, d in g.items() if m in core}
    assert {m: d for m, d in outside.items() if d} == {}


def _private_kernel_names() -> set[str]:
    names: set[str] = set()
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name.startswith("_") \
                    and not node.name.startswith("__"):
                names.add(node.name)
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                names.add(node.attr)
    return names


def _targets(node: ast.AST) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        out: list[ast.expr] = []
        for t in node.targets:
            out += list(t.elts) if isinstance(t, (ast.Tuple, ast.List)) else [t]
        return out
    if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        return [node.target]
    return []


def _owned(rel: str, obj: ast.expr) -> bool:
    if isinstance(obj, ast.Name) and obj.id in ("self", "cls"):
        return True  # an object's own fields (a feature's class)
    return any(rel.startswith(folder) and isinstance(obj, ast.Name) and obj.id == name
               for folder, name, _ in OWN_OBJECTS)


def boundary_problems() -> list[str]:
    public = set(sim.core.__all__)
    private = _private_kernel_names()
    out = []
    for path in outside_modules():
        rel = str(path.relative_to(SIM.parent))
        for node in ast.walk(ast.parse(path.read_text())):
            where = f"{rel}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim.core"):
                if node.module != "sim.core":
                    out.append(f"{where}: imports {node.module} (use sim.core)")
                out += [f"{where}: imports {a.name}, not in sim.core.__all__" for a in node.names
                        if a.name not in public]
            elif isinstance(node, ast.Import):
                out += [f"{where}: imports {a.name} (use sim.core)" for a in node.names
                        if a.name.startswith("sim.core.")]
            elif isinstance(node, ast.Attribute) and node.attr in private and not _owned(rel, node.value):
                out.append(f"{where}: uses the kernel's private {node.attr}")
            for t in _targets(node):
                if isinstance(t, ast.Attribute) and t.attr in STATE and not _owned(rel, t.value):
                    out.append(f"{where}: assigns {ast.unparse(t)} (kernel state: use the kernel's calls)")
    return out


def test_features_use_only_the_public_surface():
    assert boundary_problems() == []


def test_boundary_check_can_fail(tmp_path, monkeypatch):
    """The static check finds each kind of breach in a module written the old way."""
    bad = SIM / "funnel" / "_boundary_probe.py"
    bad.write_text("from sim.core.model import Model\nfrom sim.core import _nothing\n\n\ndef f(model, c, agent):\n"
                   "    model._agent_free(agent)\n    c.outcome, c.end = 'served', 1.0\n    agent.group.leaving -= 1\n")
    try:
        found = "\n".join(boundary_problems())
    finally:
        bad.unlink()
    for text in ("imports sim.core.model", "_nothing, not in", "private _agent_free", "assigns c.outcome",
                 "assigns c.end", "assigns agent.group.leaving"):
        assert text in found


def test_module_names():
    assert module_name(SIM / "core" / "__init__.py") == "sim.core"
    assert module_name(SIM / "funnel" / "flow.py") == "sim.funnel.flow"


# Run time: writes to the kernel's state on kernel objects, from code outside sim/core ------------------------------
def _guard(cls, state: set[str], seen: list):
    original = cls.__setattr__
    core = str(CORE)

    def setattr_(self, name, value):
        if name in state:
            f = sys._getframe(1)
            if not f.f_code.co_filename.startswith(core):
                seen.append(f"{type(self).__name__}.{name} from {f.f_code.co_filename}:{f.f_lineno}")
        original(self, name, value)

    return setattr_


@pytest.mark.parametrize("name, horizon", [("retail_phone", "12h"), ("retail_reputation", "12h"),
                                           ("study_funnel_vs_social", "12h"), ("study_social_desk", "10h")])
def test_no_state_written_from_outside_at_run_time(name, horizon, monkeypatch):
    from sim.core import Agent, Contact, Group, Queue

    seen: list[str] = []
    for cls, state in ((Contact, set(CONTACT_STATE)), (Agent, set(AGENT_STATE)), (Group, set(AGENT_STATE)),
                       (Queue, set(AGENT_STATE))):
        monkeypatch.setattr(cls, "__setattr__", _guard(cls, state, seen))
    sc = sim.load_scenario(SIM.parent / "scenarios" / f"{name}.toml", overrides={"run.horizon": horizon})
    sim.run(sc, replications=1)
    assert seen == []
