"""The attack on a sanitize run: which facts of a plan the attacker knows, and the gate's verdict.

Facts are the plan's attacker-known columns (``Plan.attacker_known``) and the quasi-identifiers
some identifiers embed: a NIR writes its holder's sex, birth year and month and birthplace
(``NIR_PARTS``), so a fake NIR built from the original birth month re-identifies as surely as
the birth month itself. Both sides come from the same function of a frame (:func:`embedded`),
applied to the original rows in pass 1 and to the written rows in pass 3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from anonymizer.attack.facts import Coded, Fact, code_frame, marks_members, text_day_months
from anonymizer.attack.linkage import LinkageReport, linkage_attack
from anonymizer.io import as_text
from anonymizer.values.arrays import packed_codes

#: entity -> attack kind of its values
KIND = {"BIRTH_DATE": "date", "DATE": "date", "AGE": "number", "COUNT": "number", "POSTAL_CODE": "code",
        "COMMUNE_CODE": "code", "IRIS": "code", "DEPARTEMENT": "code", "COUNTRY_CODE": "code"}

#: What a NIR's characters say about its holder: sex (1), birth year (2-3), month (4-5), place (6-10).
NIR_PARTS = {"sex": (0, 1), "birth year": (1, 3), "birth year and month": (1, 5), "birthplace": (5, 10)}
_NIR = re.compile(r"^[1-478][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?$")


#: the sex digit of a NIA (7/8) or a provisional number (3/4) is still the sex
_SEX_DIGIT = {"1": "1", "2": "2", "3": "1", "4": "2", "7": "1", "8": "2"}


def _nir_text(values: pd.Series) -> pd.Series:
    """The cells without spaces, dots and hyphens, upper case. The replace is asked only of the
    cells that hold some other character than an ASCII letter or digit (none of which is a
    space, a dot or a hyphen for either regex engine): on NIRs written as 13 or 15 characters
    it found nothing to remove and was most of the cost."""
    text = as_text(values)
    plain = text.str.isascii() & (text.str.isalnum() | (text.str.len() == 0))
    if not plain.all():
        rest = ~plain.to_numpy(dtype=bool)
        text = text.copy()
        text[rest] = text[rest].str.replace(r"[\s.\-]", "", regex=True)
    return text.str.upper()


def _nir_parts(values: pd.Series) -> dict[str, pd.Series]:
    """Each part of ``NIR_PARTS`` of the cells that are NIRs ('' for the others): the text
    normalised and matched once per column, not once per part (was 4 regex replaces and matches
    per NIR column and batch, ~4 CPU s of a 1M-row pass 1)."""
    raw = _nir_text(values)
    ok = raw.str.match(_NIR.pattern)
    out = {}
    for name, (lo, hi) in NIR_PARTS.items():
        part = raw.str.slice(lo, hi)
        if lo == 0:
            part = part.map(_SEX_DIGIT).fillna("")
        out[name] = part.where(ok, "")
    return out


def embedded(frame: pd.DataFrame, plan: Any) -> pd.DataFrame:
    """The quasi-identifiers written inside the frame's identifier columns (NIR parts), as text
    columns named ``<column> → <part>`` ('' when the cell is not a NIR)."""
    out = {}
    for s in plan.steps:
        if s.entity == "NIR" and s.action != "drop" and s.column in frame:
            for part, values in _nir_parts(frame[s.column]).items():
                out[f"{s.column} → {part}"] = values
    return pd.DataFrame(out, index=frame.index)


def day_months(frame: pd.DataFrame, text_columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row positions, month*100+day) of every date written in the rows' free text."""
    rows, codes = [], []
    for c in text_columns:
        if c not in frame:
            continue
        values = as_text(frame[c])
        fac, uniques = pd.factorize(values)
        per = [sorted(text_day_months(u)) if u else [] for u in uniques]
        for i, f in enumerate(fac):
            if f >= 0 and per[f]:
                rows.extend([i] * len(per[f]))
                codes.extend(per[f])
    return np.asarray(rows, dtype=np.int64), np.asarray(codes, dtype=np.int64)


def classes_of(plan: Any, released: pd.DataFrame, swapped: dict[str, pd.Series],
               coded: dict[str, Coded] | None = None) -> np.ndarray:
    """Per released row, its class as the attacker sees it: the tuple of the released values of
    the recoded columns that were not swapped, numbered in order of first appearance.

    Each column's texts coded by first appearance (``coded``: the frame's, :func:`code_frame`, when
    the gate has them) are packed into one number per row, renumbered by first appearance: the
    classes of the tuples of texts, without a MultiIndex's tuple per row (1.8 s of a 100,000-row
    gate)."""
    primary = [s.column for s in plan.recoded() if s.column not in swapped and s.column in released]
    if not primary:
        return np.zeros(len(released), dtype=np.int64)
    coded = coded or {}
    codes = (coded[c].codes if c in coded else pd.factorize(as_text(released[c]).to_numpy())[0] for c in primary)
    return np.asarray(pd.factorize(packed_codes(codes, len(released)))[0], dtype=np.int64)


def attack_facts(plan: Any, original: pd.DataFrame, released: pd.DataFrame,
                 columns: list[str] | None = None, swapped: dict[str, pd.Series] | None = None,
                 coded: tuple[dict[str, Coded], dict[str, Coded]] | None = None,
                 reuse: dict[str, Fact] | None = None) -> list[Fact]:
    """Facts over ``columns`` (default: every attacker-known column) and the embedded parts, from
    row-aligned original and released frames (text or categorical). ``swapped``: the columns
    swapped within classes, with each record's own value at the released precision. ``coded``:
    the two frames' columns already coded (:func:`code_frame`), when several attacks read them.
    ``reuse``: facts of another attack on the same frames, by name, taken as they are (what they
    computed once, the swapped values coded and their classes, serves both attacks)."""
    by_col = plan.by_column
    wanted = columns if columns is not None else [s.column for s in plan.attacker_known()]
    swapped = swapped or {}
    reuse = reuse or {}
    classes = None
    if swapped and not all(c in reuse for c in swapped if c in wanted and c in released):
        classes = classes_of(plan, released, swapped, coded[1] if coded else None)
    plain = [c for c in wanted if not (c in swapped and c in released) and c in original and c in released]
    derived = [c for c in original.columns if " → " in c and c in released]
    # every column of each side coded in one pass (a wide table: thousands of columns of a few rows)
    coded_o, coded_r = coded or (code_frame(original, plain + derived), code_frame(released, plain + derived))

    def fact(c: str, kind: str, **kw) -> Fact:
        got = reuse.get(c)
        if got is not None and got.kind == kind and all(getattr(got, k) == v for k, v in kw.items()):
            return got  # the same fact (a NIR part's link depends on the columns attacked)
        if c in coded_o and c in coded_r:
            return Fact.of_coded(c, kind, coded_o[c], coded_r[c], **kw)
        return Fact(c, kind, as_text(original[c]), as_text(released[c]), **kw)

    facts = []
    for c in wanted:
        if c in swapped and c in released:
            if c in reuse:
                facts.append(reuse[c])
                continue
            swap = Fact(c, "category", swapped[c].reset_index(drop=True), np.empty(0, dtype=object), group=c,
                        classes=classes)
            if c in coded_r:  # the released column coded with the others: its texts, and those codes
                swap.released = coded_r[c].texts()
                swap._coded["released"] = coded_r[c]
            else:
                swap.released = as_text(released[c])
            facts.append(swap)
        elif c in original and c in released:
            s = by_col.get(c)
            facts.append(fact(c, KIND.get(s.entity or "", "category") if s else "category", group=c))
    links = _links(plan, set(wanted))
    for c in derived:
        facts.append(fact(c, "code" if c.endswith("birthplace") else "category", group=c.split(" → ")[0],
                          derived=True, link=links.get(c)))
    return facts


_PART_ENTITIES = {"sex": ("SEX", "CIVILITY"), "birth year": ("BIRTH_DATE",), "birth year and month": ("BIRTH_DATE",),
                  "birthplace": ("COMMUNE_CODE", "COUNTRY_CODE")}


def _links(plan: Any, known: set[str]) -> dict[str, str]:
    """For each NIR part, the released column of the same subject that says the same fact (its
    precision decides how much the part may tell)."""
    out = {}
    for s in plan.steps:
        if s.entity != "NIR":
            continue
        subject = s.subject or "person"
        for part, entities in _PART_ENTITIES.items():
            cands = [t.column for t in plan.steps if t.column in known and t.entity in entities
                     and (t.subject or "person") == subject]
            if part == "birthplace":
                cands = [c for c in cands if re.search(r"NAIS|BIRTH", c, re.IGNORECASE)] or cands[:0]
            if cands:
                out[f"{s.column} → {part}"] = cands[0]
    return out


@dataclass
class GateResult:
    """The attack figures a release is judged on, and the verdict."""

    attacker: LinkageReport
    key: LinkageReport | None
    on_input: LinkageReport | None
    max_success: float
    max_unique: float
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed,
                "thresholds": {"max_mean_success": round(self.max_success, 6),
                               "max_unique_reidentified_share": self.max_unique},
                "attacker_known": self.attacker.to_dict(),
                "key_variables": self.key.to_dict() if self.key is not None else None,
                "same_attack_on_the_input": self.on_input.to_dict() if self.on_input is not None else None,
                "problems": list(self.problems)}


def release_gate(plan: Any, original: pd.DataFrame, released: pd.DataFrame, *,
                 text_marks: tuple[np.ndarray, np.ndarray] | None = None, on_input: bool = True,
                 swapped: dict[str, pd.Series] | None = None) -> GateResult:
    """Attack the release over every attacker-known fact (and over the key variables alone, and
    the input itself for comparison); fail when the mean success exceeds the plan's
    ``gate_success`` (1/k) or the unique re-identifications its ``max_unique_reidentification``."""
    targets = plan.privacy
    persons = targets.attack_persons
    common = [c for c in original.columns if c in released]
    coded_o, coded_r = code_frame(original, common), code_frame(released, common)  # once for the three attacks
    facts = attack_facts(plan, original, released, swapped=swapped, coded=(coded_o, coded_r))
    members = marks_members(text_marks, len(released)) if text_marks is not None else None
    attacker = linkage_attack(facts, members=members, max_persons=persons)
    key_cols = [c for c in targets.quasi_identifiers if c in original]
    key = (linkage_attack(attack_facts(plan, original, released, key_cols, swapped=swapped,
                                       coded=(coded_o, coded_r), reuse={f.name: f for f in facts}),
                          max_persons=persons)
           if key_cols else None)
    n_facts = len(facts)
    del facts, coded_r, members  # the input attack reads the original alone: the release's codes go first
    raw = None
    if on_input:  # the input released as it is: each side is the original
        raw = linkage_attack(attack_facts(plan, original, original, coded=(coded_o, coded_o)), max_persons=persons)
    max_success = targets.gate_success or 1.0
    max_unique = targets.max_unique_reidentification
    problems = []
    if attacker.mean_success > max_success:
        why = "1/k" if targets.max_linkage_success is None else "max_linkage_success"
        problems.append(f"linkage attack on {n_facts} attacker-known facts: mean success "
                        f"{attacker.mean_success:.1%} above the {max_success:.1%} allowed ({why})")
    if attacker.unique_share > max_unique:
        problems.append(f"linkage attack: {attacker.unique_correct:,} of {attacker.persons_attacked:,} people "
                        f"({attacker.unique_share:.2%}) re-identified uniquely, above the {max_unique:.0%} allowed")
    return GateResult(attacker, key, raw, max_success, max_unique, problems)

