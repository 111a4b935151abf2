"""Generalisation hierarchies in ARX's CSV format, and builders for the common French cases.

An ARX hierarchy file has one row per original value and one column per level, `;`-separated,
no header: level 0 is the original value, the last level is usually ``*`` (fully suppressed).
Example (ARX's ``adult_hierarchy_age.csv``): ``39;35-39;30-39;20-39;*``.

Builders return the same structure from the values present in a column, so the search can run on
columns that come without a hierarchy file (dates, postal codes, ages, amounts...).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from anonymizer.detect.entities import HIERARCHY_BUILDER
from anonymizer.errors import InputError, UsageError
from anonymizer.i18n import _, ngettext
from anonymizer.masking import mask_value
from anonymizer.resources import rules_path
from anonymizer.values.dates import parse_date
from anonymizer.values.numbers import parse_number
from anonymizer.values.places import ENTITY_KINDS, departement_of, place_code
from anonymizer.values.text import as_text as _text

STAR = "*"


@dataclass
class Hierarchy:
    """A full-domain generalisation hierarchy: ``rows[i][l]`` is value ``i`` generalised to level ``l``."""

    rows: list[list[str]]
    name: str | None = None
    levels: list[dict[str, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.rows:
            raise InputError(_("hierarchy {name} has no row").format(name=self.name or "").replace("  ", " "))
        width = max(len(r) for r in self.rows)
        # ARX pads short rows with their last value; do the same so ragged files still load.
        self.rows = [list(r) + [r[-1]] * (width - len(r)) for r in self.rows]
        self.levels = [{} for _ in range(width)]
        for r in self.rows:
            for lvl in range(width):
                self.levels[lvl].setdefault(r[0], r[lvl])

    @property
    def height(self) -> int:
        """Highest level (ARX's 'height' minus one): 0 means the hierarchy cannot generalise."""
        return len(self.levels) - 1

    @property
    def values(self) -> list[str]:
        return [r[0] for r in self.rows]

    @classmethod
    def from_arx_csv(cls, path: str | Path, *, delimiter: str | None = None, encoding: str = "utf-8-sig") -> Hierarchy:
        """Read an ARX hierarchy file (no header, one row per original value): the one reader of
        the format (``generalize`` method ``hierarchy`` and ``--hierarchies`` both use it).

        ``;``-separated as ARX writes it; ``delimiter=None`` also reads a ``,``-separated file
        (its first row has a ``,`` and no ``;``). A UTF-8 byte-order mark is skipped."""
        path = Path(path)
        try:
            with open(path, encoding=encoding, newline="") as fh:
                text = fh.read()
        except OSError as exc:
            raise InputError(_('cannot read hierarchy file {name}: {strerror}').format(name=path.name, strerror=exc.strerror)) from None
        except UnicodeDecodeError:
            raise InputError(_('hierarchy file {name} is not {encoding} text').format(name=path.name, encoding=encoding)) from None
        if delimiter is None:
            first = next((line for line in text.split("\n") if line.strip()), "")
            delimiter = "," if "," in first and ";" not in first else ";"
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [[c.strip("\r") for c in row] for row in reader if row]
        return cls(rows, name=path.stem)

    def to_arx_csv(self, path: str | Path) -> Path:
        """Write the hierarchy in ARX's format (atomically)."""
        from anonymizer.io.atomic import atomic_output

        with atomic_output(path, newline="") as fh:
            w = csv.writer(fh, delimiter=";", lineterminator="\n")
            w.writerows(self.rows)
        return Path(path)

    def generalize(self, values: Iterable[str] | pd.Series, level: int) -> list[str] | pd.Series:
        """Generalise ``values`` to ``level``; a value missing from the hierarchy is an InputError."""
        if not 0 <= level <= self.height:
            raise UsageError(_('level {level} outside 0..{height} for hierarchy {name}').format(level=level, height=self.height,
                                                                                      name=self.name or ''))
        table = self.levels[level]
        if isinstance(values, pd.Series):
            text = _text(values)
            uniq = pd.unique(text)
            self._check_known(uniq)
            return text.map({u: table[u] for u in uniq}).astype(object)
        vals = [str(v) for v in values]
        self._check_known(vals)
        return [table[v] for v in vals]

    def _check_known(self, values: Iterable[str]) -> None:
        known = self.levels[0]
        missing = [v for v in values if v not in known]
        if missing:
            raise InputError(
                ngettext('{n} value(s) are not in hierarchy {name}, e.g. {example!r}',
                         '{n} value(s) are not in hierarchy {name}, e.g. {example!r}',
                         len(missing)).format(n=len(missing), name=self.name or '', example=mask_value(missing[0]))
            )

    def shares(self, level: int) -> dict[str, float]:
        """ARX domain share of each level-``level`` value: leaves below it / leaves in the hierarchy."""
        return self.share_series(level).to_dict()

    def share_series(self, level: int) -> pd.Series:
        return self.frame[level].value_counts(sort=False) / len(self.rows)

    @property
    def frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (one column per level), built once."""
        if getattr(self, "_frame", None) is None or len(self._frame) != len(self.rows):
            self._frame = pd.DataFrame(self.rows, dtype=object)
        return self._frame

    def row_index(self, values) -> np.ndarray:
        """Row of each original value (first occurrence), -1 when absent."""
        col0 = self.frame[0]
        firsts = col0[~col0.duplicated()]
        idx = pd.Index(firsts.to_numpy()).get_indexer(np.asarray(values, dtype=object))
        return np.where(idx >= 0, firsts.index.to_numpy()[np.maximum(idx, 0)], -1)


def load_hierarchies(directory: str | Path) -> dict[str, Hierarchy]:
    """Every ``<anything>_hierarchy_<column>.csv`` in ``directory`` declares ``column`` a quasi-identifier."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(_('hierarchy folder not found: {directory}').format(directory=directory))
    out: dict[str, Hierarchy] = {}
    for path in sorted(directory.glob("*_hierarchy_*.csv")):
        column = path.stem.split("_hierarchy_", 1)[1]
        if column in out:
            raise InputError(_('two hierarchy files for column {column!r} in {directory}').format(column=column, directory=directory))
        h = Hierarchy.from_arx_csv(path)
        h.name = column
        out[column] = h
    if not out:
        raise InputError(_("no '*_hierarchy_<column>.csv' file in {directory}").format(directory=directory))
    return out


# ---------------------------------------------------------------------------------------------
# builders


def _unique_text(values: Iterable[object] | pd.Series) -> list[str]:
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return [str(v) for v in pd.unique(_text(series))]


def _parse_number(text: str) -> float | None:
    p = parse_number(text)
    return None if p is None else p.value


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def intervals(values: Iterable[object] | pd.Series, widths: Sequence[float] = (5, 10, 20), *, top: bool = True) -> Hierarchy:
    """Numeric bands of growing width, aligned on 0 (ARX style ``35-39`` for integers), then ``*``.

    Widths should be multiples of one another so each band sits inside one band of the next
    level (the search then rolls levels up from one another). Unparseable values go to ``*``
    from level 1; the empty value (missing) stays empty so missing data is not mistaken for a band.
    """
    widths = list(widths)
    if any(w <= 0 for w in widths) or widths != sorted(widths):
        raise UsageError(_("interval widths must be positive and increasing"))
    rows = []
    for v in _unique_text(values):
        x = _parse_number(v)
        row = [v]
        for w in widths:
            if v == "":
                row.append("")
            elif x is None:
                row.append(STAR)
            else:
                lo = math.floor(x / w) * w
                integral = float(x).is_integer() and float(w).is_integer()
                row.append(f"{_fmt(lo)}-{_fmt(lo + w - 1)}" if integral else f"[{_fmt(lo)}, {_fmt(lo + w)}[")
        if top:
            row.append(STAR)
        rows.append(row)
    return Hierarchy(rows, name="intervals")


def parse_date_parts(text: str) -> tuple[int, int | None] | None:
    """(year, month or None) of a date text in any form of :mod:`anonymizer.values.dates`, or None."""
    p = parse_date(text)
    if p is None:
        return None
    return p.year, (None if p.precision == "year" else p.month)


def dates(values: Iterable[object] | pd.Series) -> Hierarchy:
    """Day -> month (``MM/YYYY``) -> year -> decade (``1980-1989``) -> ``*``."""
    rows = []
    for v in _unique_text(values):
        p = parse_date_parts(v) if v else None
        if v == "":
            rows.append(["", "", "", "", STAR])
        elif p is None:
            rows.append([v, STAR, STAR, STAR, STAR])
        else:
            y, m = p
            dec = y // 10 * 10
            month = f"{m:02d}/{y}" if m is not None else str(y)
            rows.append([v, month, str(y), f"{dec}-{dec + 9}", STAR])
    return Hierarchy(rows, name="dates")


def _departement_table() -> dict[str, str]:
    path = rules_path("hierarchies", "fr_hierarchy_DEPARTEMENT.csv")
    return {r[0]: r[1] for r in Hierarchy.from_arx_csv(path).rows}


def prefixes(values: Iterable[object] | pd.Series, kind: str | None = None) -> Hierarchy:
    """Post code / COG commune code -> 3-character prefix (``333**``) -> département -> région -> ``*``.

    The prefix level keeps some geography inside one département (extracts are often one CAF's);
    the département is :func:`anonymizer.values.places.departement_of`'s for ``kind``
    (``postcode``, ``commune`` or None: either); the région table ships as data
    (rules/hierarchies/fr_hierarchy_DEPARTEMENT.csv).
    """
    regions = _departement_table()
    rows = []
    for v in _unique_text(values):
        c = place_code(v, kind) if v else None
        d = departement_of(c, kind) if c is not None and len(c) == 5 else None
        if v == "":
            rows.append(["", "", "", "", STAR])
        elif d is None:
            rows.append([v, STAR, STAR, STAR, STAR])
        else:
            rows.append([v, c[:3] + "**", d, regions.get(d, "Autre"), STAR])
    return Hierarchy(rows, name="prefixes")


def masking(values: Iterable[object] | pd.Series) -> Hierarchy:
    """Right-to-left masking, one more character per level, then ``*`` (ARX's ZIP hierarchies)."""
    vals = _unique_text(values)
    width = max((len(v) for v in vals), default=1)
    rows = []
    for v in vals:
        row = [v]
        for i in range(1, width):
            keep = max(len(v) - i, 0)
            row.append(v[:keep] + STAR * (len(v) - keep) if keep else STAR)
        row.append(STAR)
        rows.append(row)
    return Hierarchy(rows, name="masking")


def flat(values: Iterable[object] | pd.Series) -> Hierarchy:
    """Value -> ``*``: for categories that have no natural grouping."""
    return Hierarchy([[v, STAR] for v in _unique_text(values)], name="flat")


_NATIONALITY_GROUP = {"FR": "France", "FRANCAISE": "France", "FRANÇAISE": "France", "99100": "France",
                      "UE": "Etranger", "HUE": "Etranger"}


def nationality(values: Iterable[object] | pd.Series) -> Hierarchy:
    """Nationality (category FR/UE/HUE or INSEE country code 99xxx) -> France / Etranger -> ``*``."""
    rows = []
    for v in _unique_text(values):
        group = "" if v == "" else _NATIONALITY_GROUP.get(v.strip().upper(), "Etranger")
        rows.append([v, group, STAR])
    return Hierarchy(rows, name="nationality")


def _amount_widths(series: pd.Series) -> list[float]:
    nums = [x for x in (_parse_number(v) for v in _unique_text(series)) if x is not None]
    if not nums:
        return [10, 100]
    scale = max(float(np.median(np.abs(nums))), 1.0)
    base = 10 ** max(math.floor(math.log10(scale)) - 1, 0)
    return [base, base * 10, base * 100]


#: Builder name (the entity table's ``hierarchy``) -> builder over a column's values.
BUILDERS: dict[str, Callable[[pd.Series], Hierarchy]] = {
    "dates": dates,
    "prefixes": prefixes,
    "age": lambda s: intervals(s, (5, 10, 20)),
    "count": lambda s: intervals(s, (2, 4)),
    "amount": lambda s: intervals(s, _amount_widths(s)),
    "nationality": nationality,
    "flat": flat,  # SEX, CATEGORY, CIVILITY...: no natural grouping
}


def default_hierarchy(series: pd.Series, entity: str | None) -> Hierarchy:
    """A hierarchy for a column of the given entity, built from its values by the builder the
    entity table names (``flat`` for an entity outside the table)."""
    entity = (entity or "").upper()
    builder = HIERARCHY_BUILDER.get(entity, "flat")
    # post codes and commune codes read their département differently (values.places)
    h = prefixes(series, ENTITY_KINDS[entity]) if builder == "prefixes" else BUILDERS[builder](series)
    h.name = str(series.name) if series.name is not None else entity.lower()
    return h
