"""Row writers of the record book: a table's ``appender``/``setter`` compiled once per shape of row, and a category
column's label codes.

A writer costs one call and one append (or item assignment) per column per row: no loop, no keyword dictionary
(``sim.core.records.Table.appender``). Its bound column lists are fetched again whenever the table's storage changed
(the table's stamp: a column declared, an array adopted or turned back into a list).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.core.records import Column, Table


class Codes(dict):
    """A category column's codes, ``label -> code`` (None: −1): a label not seen before gets the next code (in a
    closed set it is an error), so a writer codes a label with one dictionary look-up."""

    __slots__ = ("table", "column", "labels")

    def __init__(self, table: Table, column: Column, labels: list):
        super().__init__({v: i for i, v in enumerate(labels)})
        self[None] = -1
        self.table, self.column, self.labels = table.name, column, labels

    def __missing__(self, label: Any) -> int:
        c = self.column
        if c.categories is not None:
            raise ValueError(f"table {self.table}: {label!r} is not in the closed set of {c.name} "
                             f"({', '.join(c.categories)})")
        k = self[label] = len(self.labels)
        self.labels.append(label)
        return k


def _skip(value: Any) -> None:
    """Stands for a column a writer filled and that was taken out since (``RecordBook.drop``)."""


_FACTORIES: dict[tuple, Callable] = {}


def _factory(kinds: tuple[str, ...], others: int, append: bool) -> Callable:
    """The source of a writer for columns of ``kinds`` (``cat``, ``float``, ``plain``) and ``others`` columns it fills
    with missing values, compiled once per shape (as ``dataclasses`` compiles ``__init__``): a row costs one call
    and one append (or one item assignment) per column, no loop and no keyword dictionary."""
    key = (kinds, others, append)
    make = _FACTORIES.get(key)
    if make is not None:
        return make
    vals = [f"v{i}" for i in range(len(kinds))]
    cells = [f"t{i}" for i in range(len(kinds))] + [f"k{i}" for i in range(len(kinds))]
    cells += [f"o{j}" for j in range(others)] + [f"m{j}" for j in range(others)] + ["extra"]
    body = []
    for i, kind in enumerate(kinds):
        v = f"k{i}[v{i}]" if kind == "cat" else f"(NAN if v{i} is None else v{i})" if kind == "float" else f"v{i}"
        body.append(f"        t{i}({v})" if append else f"        t{i}[row] = {v}")
    if append:
        body += [f"        o{j}(m{j})" for j in range(others)]
        body += ["        for add, m in extra:", "            add(m)", "        n = table.n", "        table.n = n + 1",
                 "        return n"]
    head = ", ".join(vals) if append else ", ".join(["row", *vals])
    src = "\n".join([
        "def make(table, bind):",
        "    stamp = None",
        f"    {' = '.join(cells)} = None",
        "    def rebind():",
        f"        nonlocal stamp, {', '.join(cells)}",
        f"        stamp, {', '.join(cells)} = bind()",
        f"    def write({head}):",
        "        if table._stamp != stamp:",
        "            rebind()",
        *body,
        "    return write"])
    ns: dict[str, Any] = {"NAN": np.nan}
    exec(src, ns)  # noqa: S102 - source built above from column counts only
    make = _FACTORIES[key] = ns["make"]
    return make


def writer(table: Table, names: Sequence[str], append: bool) -> Callable:
    """``Table.appender`` / ``Table.setter``: a compiled writer whose bound columns are fetched again whenever the
    table's storage changed (a column declared, an array adopted or turned back into a list)."""
    kinds = tuple("cat" if table.columns[n].dtype == "category" else "float" if table.columns[n].dtype == "float64"
                  else "plain" for n in names)
    others = len(table.columns) - len(names) if append else 0

    def bind() -> tuple:
        cols = [table.column(n) for n in names]
        rest = [(table.column(n).append, table._missing(c)) for n, c in table.columns.items() if n not in names]
        fixed = rest[:others] + [(_skip, None)] * (others - len(rest))
        return (table._stamp, *(c.append if append else c for c in cols),
                *(table._codes.get(n) for n in names), *(a for a, _ in fixed), *(m for _, m in fixed), rest[others:])

    return _factory(kinds, others, append)(table, bind)
