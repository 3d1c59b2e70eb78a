"""The record book of one replication: every table's columns, declared once and appended to as the run goes.

A ``Table`` has a key and declared ``Column``s (name, dtype, unit, meaning). Rows are appended as the run goes:

- ``append(**row)`` one row by keywords, returning its row number (convenient, not the fastest);
- ``appender(*names)`` a row writer for the hot path: ``w = t.appender("contact_id", "stage", …)`` once, then
  ``row = w(cid, "ivr", …)`` per row, values in the order of ``names`` (category columns: labels, coded here; the
  other declared columns get missing values; compiled once per shape of row: one call, one append per column);
- ``set(row, **values)`` changes cells of a row still open (a stage that ends later); ``setter(*names)`` is its form
  for the hot path, ``s(row, v1, …)``; ``column(name)`` is a column's own storage for in-place writes in a hot loop
  (``col[row] = v``; a category column holds codes: ``coder(name)`` turns a label into its code);
- ``extend(n, **columns)`` many rows at once from sequences of values (category columns: labels);
  ``extend_arrays(n, **arrays)`` many rows at once from numpy arrays already in the declared dtype (category columns:
  integer codes from ``code``/``coder``), kept without per-value conversion;
- ``put(name, values, start)`` replaces a column's values from row ``start`` on.

Each column is a plain list (or a numpy array adopted by ``extend_arrays``); a category column keeps integer codes
(−1 is missing), so a label is coded once when it is appended and the column becomes a ``pandas.Categorical`` once, in
``frame()``. Every column is converted to its declared dtype exactly once, there. Make writers (``appender``,
``column``) after every feature has declared its columns (the model declares all of them before the first feature
attaches, so ``attach`` may make them).

The kernel declares the ``contacts`` table and its own columns; features declare theirs through the feature list
(``sim.extensions.Feature.columns``: table name -> tuple of ``Column``), and the model declares them all before the
run, so a table's schema does not depend on which rows the run produced. Tables of several replications are joined
with ``concat`` (``sim.core.frames``: category columns of scenario names are united; closed vocabularies keep
their set).

Dtypes: ``int64``, ``float64`` (NaN missing), ``bool``, ``boolean`` and ``Int64`` (pandas' nullable flag and
integer: NA where a value does not exist), ``category`` (``categories`` is the closed set; None: names from the
scenario — channels, queues, agent groups — the labels seen, sorted) and ``object`` (free text).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.core.frames import category_dtype, frame_of
from sim.core.writers import Codes, writer

DTYPES = ("int64", "float64", "bool", "boolean", "Int64", "category", "object")


@dataclass(frozen=True)
class Column:
    """One column of a table: ``unit`` is ``s`` (seconds), ``s since t=0`` (a clock time), ``count``, ``share``, … or
    empty; ``categories`` the closed set of a category column (None: the scenario's names)."""

    name: str
    dtype: str
    unit: str = ""
    doc: str = ""
    categories: tuple[str, ...] | None = None
    key: bool = False  # part of the table's key (with the other key columns, in declaration order)
    sparse: bool = False  # missing where an event did not happen (never answered, not caused): may be empty for a channel
    default: Any = None  # a row's value where no writer gives one (not for category columns; None: the missing value)

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name}: dtype {self.dtype!r} is not one of {', '.join(DTYPES)}")
        if self.default is not None and self.dtype == "category":
            raise ValueError(f"column {self.name}: a category column has no default (its missing code is -1)")

    def dtype_of(self) -> Any:
        """The pandas dtype the column has in a table (for category columns of scenario names: "category")."""
        if self.dtype == "category":
            return category_dtype(self.categories) if self.categories is not None else "category"
        return self.dtype


def _array(values: Any, dtype: Any) -> np.ndarray:
    """``values`` as a one-dimensional array of ``dtype``; a list is converted value by value (no pass to discover its
    shape first), as ``np.asarray`` converts each value."""
    if isinstance(values, list):
        try:
            return np.fromiter(values, dtype, len(values))
        except (TypeError, ValueError, OverflowError):
            pass  # (the same error from np.asarray below)
    return np.asarray(values, dtype=dtype).reshape(-1)


class Table:
    """One table of a replication: declared columns, one list per column."""

    def __init__(self, name: str, key: Sequence[str], columns: Iterable[Column] = ()):
        self.name, self.key = name, tuple(key)
        self.finish: Any = None  # Table -> its columns as kept (``arrays``' form; e.g. stages after the horizon dropped)
        self.columns: dict[str, Column] = {}
        self.data: dict[str, Any] = {}  # column -> list (or a numpy array adopted by extend_arrays)
        self._codes: dict[str, dict[Any, int]] = {}
        self._labels: dict[str, list] = {}
        self.n = 0
        self._stamp = 0  # changes when a column's storage is replaced (writers made before then rebuild themselves)
        self.declare(*columns)

    def declare(self, *columns: Column) -> None:
        """Add columns (a column declared again must be declared the same; rows so far get missing values)."""
        for c in columns:
            old = self.columns.get(c.name)
            if old is not None:
                if old.dtype != c.dtype or old.categories != c.categories:
                    raise ValueError(f"table {self.name}: column {c.name} declared twice, differently")
                continue
            self.columns[c.name] = c
            if c.key and c.name not in self.key:
                self.key = (*self.key, c.name)
            self.data[c.name] = [self._missing(c)] * self.n
            self._stamp += 1
            if c.dtype == "category":
                labels = list(c.categories or ())
                self._labels[c.name] = labels
                self._codes[c.name] = Codes(self, c, labels)

    @staticmethod
    def _missing(c: Column) -> Any:
        if c.default is not None:
            return c.default
        return -1 if c.dtype == "category" else (np.nan if c.dtype == "float64" else None)

    def code(self, name: str, label: Any) -> int:
        """The integer code of ``label`` in category column ``name`` (None: −1, missing)."""
        return self._codes[name][label]

    def _declared(self, names: Iterable[str]) -> None:
        unknown = set(names) - set(self.columns)
        if unknown:
            raise KeyError(f"table {self.name}: undeclared columns {sorted(unknown)}")

    def labels(self, name: str) -> list:
        """Category column ``name``'s labels in the order of their codes (code ``k`` is ``labels(name)[k]``)."""
        return list(self._labels[name])

    def coder(self, name: str) -> Callable[[Any], int]:
        """``label -> code`` for category column ``name`` (None: −1), for hot loops that write ``column(name)``."""
        return self._codes[name].__getitem__

    def column(self, name: str) -> list:
        """Column ``name``'s own list, for writes in place (``col[row] = v``; category columns: codes)."""
        data = self.data[name]
        if not isinstance(data, list):
            data = self.data[name] = list(data.tolist())
            self._stamp += 1
        return data

    def appender(self, *names: str) -> Callable[..., int]:
        """A row writer: ``w(v1, v2, …)`` appends one row with the values of ``names`` in that order (category
        columns: labels, coded here; None is missing in every dtype) and missing values in every other declared
        column; it returns the row number."""
        self._declared(names)
        return writer(self, names, append=True)

    def setter(self, *names: str) -> Callable[..., None]:
        """A cell writer for rows still open: ``s(row, v1, v2, …)`` sets the cells of ``names`` in row ``row`` (category
        columns: labels, coded here) — ``set`` without a keyword dictionary per call, for the hot path."""
        self._declared(names)
        return writer(self, names, append=False)

    def extend_arrays(self, n: int, **arrays: Any) -> None:
        """``n`` rows at once from numpy arrays in the declared dtypes (category columns: integer codes from ``code`` or
        ``coder``, −1 missing; ``boolean``/``Int64``: pandas arrays or object arrays with None); columns not given
        are missing. An empty table keeps the arrays as they are."""
        self._declared(arrays)
        for name, c in self.columns.items():
            v = arrays.get(name)
            if v is None:
                m = self._missing(c)  # (an int64 column without a default: None, written later by its feature)
                v = np.full(n, m, dtype=object if m is None or c.dtype not in ("category", "float64", "int64")
                            else (np.int64 if c.dtype == "category" else c.dtype))
            if len(v) != n:
                raise ValueError(f"table {self.name}: column {name} has {len(v)} values for {n} rows")
            old = self.data[name]
            if self.n == 0 and len(old) == 0:
                self.data[name] = v
            else:
                self.data[name] = np.concatenate([self._convert_raw(c, old), np.asarray(v)])
        self._stamp += 1
        self.n += n

    def _convert_raw(self, c: Column, values: Any) -> np.ndarray:
        # an int64 or bool cell still None (a feature writes it later, in its records) keeps the column as objects
        if c.dtype in ("category", "float64", "int64"):
            try:
                return _array(values, np.int64 if c.dtype == "category" else c.dtype)
            except (TypeError, ValueError, OverflowError):
                if c.dtype != "int64" or None not in values:
                    raise
        elif c.dtype == "bool" and None not in values:
            return _array(values, bool)
        out = np.empty(len(values), dtype=object)
        out[:] = [None if x is pd.NA else x for x in values]
        return out

    def append(self, **row: Any) -> int:
        """One row (a declared column not given is missing); returns its row number."""
        self._declared(row)
        for name, c in self.columns.items():
            v = row.get(name, None)
            self.column(name).append(self.code(name, v) if c.dtype == "category" else
                                   (self._missing(c) if v is None else v))
        self.n += 1
        return self.n - 1

    def set(self, row: int, **values: Any) -> None:
        """Change cells of row ``row`` (a stage that ended, a value known later)."""
        data, coded = self.data, self._codes
        for name, v in values.items():
            col = data[name]
            if col.__class__ is not list:
                col = self.column(name)
            codes = coded.get(name)
            col[row] = v if codes is None else codes[v]

    def put(self, name: str, values: Sequence, start: int = 0) -> None:
        """Replace the values of column ``name`` from row ``start`` on (category columns: labels)."""
        c = self.columns[name]
        vals = list(values.astype(object) if isinstance(values, pd.Categorical) else values)
        if c.dtype == "category":
            vals = [self.code(name, None if x is None or x is pd.NA or x != x else x) for x in vals]
        elif c.dtype in ("boolean", "Int64"):
            vals = [None if x is None or x is pd.NA else x for x in vals]
        if start + len(vals) > self.n:
            raise ValueError(f"table {self.name}: {len(vals)} values for column {name} from row {start} of {self.n}")
        self.column(name)[start:start + len(vals)] = vals

    def extend(self, n: int, **columns: Any) -> None:
        """``n`` rows at once: each given column a sequence of ``n`` values (category columns: labels); the others
        missing."""
        self._declared(columns)
        for name, c in self.columns.items():
            v = columns.get(name)
            if v is None:
                self.column(name).extend([self._missing(c)] * n)
                continue
            if len(v) != n:
                raise ValueError(f"table {self.name}: column {name} has {len(v)} values for {n} rows")
            if c.dtype == "category":
                if isinstance(v, pd.Categorical):
                    v = v.astype(object).tolist()
                v = [self.code(name, None if x is None or x is pd.NA or x != x else x) for x in v]
            elif isinstance(v, np.ndarray):
                v = v.tolist()
            elif isinstance(v, pd.api.extensions.ExtensionArray):
                v = [None if x is pd.NA else x for x in v.tolist()]
            self.column(name).extend(v)
        self.n += n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, name: str) -> Any:
        """Column ``name`` in its declared dtype (numpy array, pandas nullable array or Categorical)."""
        return self._convert(self.columns[name], self.data[name])

    def __contains__(self, name: object) -> bool:
        return name in self.columns

    def _convert(self, c: Column, values: Any) -> Any:
        if c.dtype == "category":
            labels = self._labels[c.name]
            codes = _array(values, np.int64)
            if c.categories is None:  # scenario names: sorted labels, codes remapped once
                order = sorted(range(len(labels)), key=lambda i: str(labels[i]))
                if order != list(range(len(labels))):
                    remap = np.empty(len(labels) + 1, dtype=np.int64)
                    remap[-1] = -1
                    remap[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
                    codes = remap[codes]
                return pd.Categorical.from_codes(codes, dtype=category_dtype([labels[i] for i in order]))
            return pd.Categorical.from_codes(codes, dtype=c.dtype_of())
        if c.dtype in ("boolean", "Int64"):
            if isinstance(values, pd.api.extensions.ExtensionArray) and values.dtype == c.dtype:
                return values.copy()
            if isinstance(values, np.ndarray) and values.dtype != object:
                return pd.array(values, dtype=c.dtype)
            if c.dtype == "boolean" and isinstance(values, list):
                flags = np.array(values).reshape(-1)
                if flags.dtype == bool:  # every cell a flag, none missing
                    return pd.arrays.BooleanArray(flags, np.zeros(len(flags), bool))
            return pd.array(list(values), dtype=c.dtype)
        if c.dtype == "object":
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out
        return _array(values, c.dtype)

    def _stored(self, c: Column, values: Any) -> np.ndarray:
        """A column's stored values as a numpy array (text and nullable columns: objects, as stored)."""
        if c.dtype in ("category", "float64", "int64", "bool"):
            return self._convert_raw(c, values)
        if isinstance(values, np.ndarray):
            return values
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out

    def raw(self, name: str) -> np.ndarray:
        """Column ``name`` as one numpy array of its stored values (category columns: codes; an int64 or bool column
        with a cell still None: objects), which becomes the column's storage: a column read after the run is
        converted once, here, and not again by ``arrays``."""
        data = self.data[name]
        if not isinstance(data, np.ndarray):
            data = self.data[name] = self._convert_raw(self.columns[name], data)
            self._stamp += 1
        return data

    def arrays(self, columns: Sequence[str] | None = None, rows: np.ndarray | None = None) -> dict[str, Any]:
        """The columns (default: all, in declaration order) converted once to their declared dtypes: what ``frame``
        holds, for a caller that selects rows or adds columns before it makes a table. ``rows``: only those rows (an
        integer array of positions), in that order, taken before the conversion to pandas' arrays."""
        names = self.columns if columns is None else columns
        if rows is None:
            out = {k: self[k] for k in names}
        else:
            out = {k: self._convert(self.columns[k], self._stored(self.columns[k], self.data[k])[rows]) for k in names}
        for k, v in out.items():
            if isinstance(v, np.ndarray) and v.dtype == object:  # text as a DataFrame infers it (pandas' text dtype)
                a = pd.Series(v, copy=False).array
                out[k] = a if a.dtype != object else v
        return out

    def frame(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The table as a DataFrame, each column converted once to its declared dtype."""
        return frame_of(self.arrays(columns), self.n)

    def kept(self) -> tuple[dict[str, Any], int]:
        """The columns as the replication keeps them (``finish(self)`` when the table has one, else ``arrays()``) and
        their number of rows."""
        if self.finish is None:
            return self.arrays(), self.n
        cols = self.finish(self)
        return cols, len(next(iter(cols.values()), ()))


class RecordBook(Mapping):
    """The tables of one replication (``book["contacts"]``), plus what is not a table (``book.extras``: staff logs,
    agent work spans, …): ``book[name]`` finds either."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {}
        self.extras: dict[str, Any] = {}

    def table(self, name: str, key: Sequence[str] = (), columns: Iterable[Column] = ()) -> Table:
        """Table ``name`` (created with ``key`` on first use) with ``columns`` declared."""
        t = self.tables.get(name)
        if t is None:
            t = self.tables[name] = Table(name, key)
        t.declare(*columns)
        return t

    def drop(self, name: str, columns: Iterable[str]) -> None:
        """Take columns out of table ``name`` (a feature the scenario does not use); a table left with no column
        goes."""
        t = self.tables[name]
        for c in columns:
            t.columns.pop(c, None)
            t.data.pop(c, None)
        if not t.columns:
            del self.tables[name]

    def __getitem__(self, name: str) -> Any:
        return self.tables[name] if name in self.tables else self.extras[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self.extras[name] = value

    def __iter__(self) -> Iterator[str]:
        return iter([*self.tables, *self.extras])

    def __len__(self) -> int:
        return len(self.tables) + len(self.extras)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table as a DataFrame (each column converted once; a table's ``finish`` applied)."""
        out = {}
        for name, t in self.tables.items():
            out[name] = frame_of(*t.kept())
        return out
