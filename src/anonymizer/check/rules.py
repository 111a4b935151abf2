"""The pass/fail rules applied to one table, and the findings they produce.

A table passes when the scan finds no direct identifier and no PII in free text, and, when it
is about people, its risk stays under the thresholds on the *key* quasi-identifiers (the ones an
attacker plausibly knows; Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, §3.2):

* ``k-anonymity`` (Sweeney 2002): every combination of key values is shared by ≥ k records;
* ``record-risk``: the prosecutor risk 1 / class size (El Emam & Dankar 2008) stays ≤ the maximum;
* ``small-cells``: in a frequency table (one row per combination, a count column), no count
  between 1 and the threshold − 1 (statistical confidentiality practice, e.g. Insee's
  "secret statistique"; 11 by default, as in the ``training`` profile).

A table is *about people* when it has a direct identifier or a person-describing quasi-identifier
(birth date, sex, age, civility, nationality): geography alone (a table of communes) is not.
Excerpts (fewer than ``risk_min_rows`` rows: ``df.head()``, a block in a course) are samples whose
k says nothing about the population; they fail on exact birth dates instead (``exact-birth-date``).
Printed notebook output that is no table is searched for validated identifiers (``printed-pii``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from anonymizer.check.config import CheckConfig
from anonymizer.detect.entities import NAME_ENTITIES, PRINTED_ENTITIES
from anonymizer.masking import mask_value
from anonymizer.values.dates import parse_date
from anonymizer.values.formulas import formula_mask, is_text
from anonymizer.values.text import as_text

RULES: dict[str, dict[str, str]] = {
    "direct-identifier": {
        "name": "DirectIdentifier",
        "short": "A column holds a direct identifier (name, NIR, phone, e-mail, IBAN, address, beneficiary number...).",
        "level": "error",
    },
    "weak-identifier": {
        "name": "WeakIdentifier",
        "short": "A table about people holds a per-person record id, an employer/landlord name or a company number.",
        "level": "warning",
    },
    "free-text-pii": {
        "name": "FreeTextPII",
        "short": "A free-text column mentions people: names, phone numbers, e-mails, NIR, IBAN, addresses.",
        "level": "error",
    },
    "printed-pii": {
        "name": "PrintedPII",
        "short": "A notebook's printed output (not a table) shows a NIR, IBAN, tax number, e-mail or phone number.",
        "level": "error",
    },
    "k-anonymity": {
        "name": "KAnonymity",
        "short": "Some combination of key quasi-identifiers is shared by fewer than k records.",
        "level": "error",
    },
    "record-risk": {
        "name": "RecordRisk",
        "short": "The highest record re-identification risk (1 / class size, prosecutor model) exceeds the maximum.",
        "level": "error",
    },
    "small-cells": {
        "name": "SmallCells",
        "short": "A frequency table publishes counts below the small-cell threshold.",
        "level": "error",
    },
    "exact-birth-date": {
        "name": "ExactBirthDate",
        "short": "A small excerpt about people shows exact (day-precision) birth dates.",
        "level": "error",
    },
    "manifest-invalid": {
        "name": "ManifestInvalid",
        "short": "The file's anon sanitize manifest does not vouch for a safe release (not released, verification "
                 "failed, profile, k, fields missing).",
        "level": "error",
    },
    "manifest-mismatch": {
        "name": "ManifestMismatch",
        "short": "The manifest beside the file does not describe it (digest, columns, row count) or its content "
                 "contradicts it (real values in a column it says was faked).",
        "level": "error",
    },
    "release-without-manifest": {
        "name": "ReleaseWithoutManifest",
        "short": "The table looks like an anon sanitize release (its fakes carry sanitize's marks) but no manifest "
                 "vouches for it: restore the manifest or re-run anon sanitize.",
        "level": "error",
    },
    "formula-cells": {
        "name": "FormulaCells",
        "short": "Cells start with =, +, -, @, tab or CR (not plain numbers): a spreadsheet opening the file would "
                 "run them as formulas (CSV injection).",
        "level": "warning",
    },
    "unreadable": {
        "name": "Unreadable",
        "short": "The file could not be read (decoded, parsed, opened), so it was not checked.",
        "level": "error",
    },
    "budget-exceeded": {
        "name": "BudgetExceeded",
        "short": "The file exceeded its time or size budget, so it was not fully checked.",
        "level": "error",
    },
    "skipped": {
        "name": "Skipped",
        "short": "Not read: a binary file, a link out of the repository or a loop, a FIFO, socket or device.",
        "level": "note",
    },
}
UNCHECKED_RULES = ("unreadable", "budget-exceeded")

COUNT_NAME = re.compile(
    r"^(n|nb|nbr|nombre|count|cnt|freq|frequence|fréquence|effectifs?|eff|total|size|"
    r"(nb|nbr|nombre|n|effectif|eff|count|total)[ _.-].*|.*[ _.-](count|effectifs?|eff|nb|n|total))$"
    r"|.*(allocataires|b[ée]n[ée]ficiaires|personnes|individus|foyers|m[ée]nages|habitants|effectifs?).*",
    re.IGNORECASE,
)
ID_NAME = re.compile(r"^(id|num|no|numero|numéro|code|cle|clé|ref|matricule)([ _.-].*)?$|.*[ _.-](id|num|code)$",
                     re.IGNORECASE)


@dataclass
class Finding:
    """One reason a file fails (or a warning). Never holds a raw value: ``examples`` are masked."""

    rule: str
    message: str
    level: str = "error"
    column: str | None = None
    location: str | None = None      # sheet, notebook cell/output, Markdown lines
    line: int | None = None          # 1-based line in the file, when known
    examples: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _scan(df: pd.DataFrame, config: CheckConfig, total_rows: int | None = None,
          row_numbers: frozenset[str] = frozenset()) -> Any:
    from anonymizer.detect import scan_table

    return scan_table(df, ner=config.ner, sample_rows=config.sample_rows, total_rows=total_rows,
                      row_numbers=row_numbers)


def _masked(examples: list[Any], n: int = 3) -> list[str]:
    """Scan examples are masked already; mask again so nothing raw can slip through a changed scanner."""
    return [mask_value(e) for e in list(examples or [])[:n] if str(e)]


def _integer_counts(series: pd.Series) -> pd.Series | None:
    """The column as non-negative integers when every non-empty value is one (spaces as thousand separators)."""
    text = series.astype(str).str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    text = text[text != ""]
    if not len(text) or not text.str.fullmatch(r"\d+").all():
        return None
    return pd.to_numeric(text)


def _count_column(df: pd.DataFrame, findings: list[Any], keys: list[str], exempt: set[str]) -> str | None:
    """A column of counts: named like one (``nb_*``, ``effectif``, ``allocataires``...) or scanned as COUNT,
    integer-valued, neither a key nor an id (``num_dossier``)."""
    scanned = {f.column for f in findings if f.entity == "COUNT"}
    for col in df.columns:
        name = str(col).strip()
        if col in exempt or col in keys or ID_NAME.match(name):
            continue
        if (COUNT_NAME.match(name) or col in scanned) and _integer_counts(df[col]) is not None:
            return col
    return None


def _free_text_hits(f: Any, config: CheckConfig) -> dict[str, float]:
    """PII entities above their share: PERSON (from the NER model, which also tags brands and places now
    and then) needs ``person_min_share`` of the sampled cells; validated patterns need more than
    ``text_pii_min_share``."""
    return {e: s for e, s in (f.text_entities or {}).items()
            if e in config.text_pii and s is not None and s > config.text_pii_min_share
            and (e != "PERSON" or s >= config.person_min_share)}


def _exact_dates(series: pd.Series) -> float:
    """Share of non-empty values that are day-precision dates (a full birth date, not a month or a
    year), in any form :mod:`anonymizer.values.dates` reads (judged once per distinct value)."""
    text = as_text(series).str.strip()
    text = text[text != ""]
    if not len(text):
        return 0.0
    codes, uniques = pd.factorize(text)
    exact = np.array([(p := parse_date(u)) is not None and p.precision == "day" for u in uniques], dtype=bool)
    return float(exact[codes].mean())


def evaluate_table(
    df: pd.DataFrame,
    config: CheckConfig,
    *,
    exempt_columns: set[str] | frozenset[str] = frozenset(),
    location: str | None = None,
    line: int | None = None,
    scanner: Callable[[pd.DataFrame, CheckConfig], Any] | None = None,
    total_rows: int | None = None,
    row_numbers: frozenset[str] = frozenset(),
    load_columns: Callable[[list[str]], pd.DataFrame] | None = None,
    replaced: frozenset[str] = frozenset(),
    manifest_state: str | None = "absent",
    manifest_name: str | None = None,
) -> list[Finding]:
    """Findings for one table (no finding of level ``error`` = the table passes).

    The scan runs first without named-entity recognition (pattern and list recognizers find
    identifier columns, phones, e-mails, NIRs, IBANs in text); spaCy's NER then reads only the
    free-text columns, and only when nothing else failed the table, so leaks fail fast and the
    model is loaded only for files that might pass.

    A table too large to load comes as a row sample of ``total_rows`` rows with
    ``load_columns``: the scan reads the sample, the risk rules the key columns of every row;
    ``row_numbers`` names its columns that hold the line number on every row.

    ``replaced``: columns a manifest that vouches for the file says were faked, pseudonymised,
    suppressed or redacted; their identifier findings are expected (their values are checked
    against sanitize's marks by the caller) — every other rule still applies, k and small cells
    included. ``manifest_state`` (``absent`` | ``mismatch`` | ``invalid``; None when a manifest
    vouches) phrases what is said when the table looks like an anon release.
    """
    exempt = set(exempt_columns)
    if df.empty or len(df.columns) == 0:
        return []
    df = df[[c for c in df.columns if c not in exempt]]
    if len(df.columns) == 0:
        return []
    scan = scanner or partial(_scan, total_rows=total_rows, row_numbers=row_numbers)
    report = scan(df, replace(config, ner=False))
    findings = [f for f in report.findings if f.column not in exempt]
    out: list[Finding] = []

    def add(rule: str, message: str, column: str | None = None, examples: list[Any] | None = None) -> None:
        level = RULES[rule]["level"]
        if rule == "weak-identifier" and config.fail_on_weak_identifiers:
            level = "error"
        out.append(Finding(rule, message, level, column, location, line, _masked(examples or [])))

    def free_text(f: Any, hits: dict[str, float]) -> None:
        what = ", ".join(f"{e} in {s:.0%} of sampled cells" for e, s in sorted(hits.items(), key=lambda x: -x[1]))
        add("free-text-pii", f"free-text column '{f.column}' mentions people: {what}", f.column, f.examples)

    strong = [f for f in findings if f.role == "identifier" and f.entity in config.direct_identifiers
              and f.confidence >= config.min_confidence]
    person_qi = [f for f in findings if f.entity in config.person_qi and f.role in ("quasi_identifier", "sensitive")
                 and f.confidence >= config.min_confidence]
    about_people = bool(strong or person_qi)
    strong = [f for f in strong if f.column not in replaced]
    # a column *named* like a person's name whose values match no name list (banks, shops, cities
    # under "name" / "nom"): a warning, not a leak
    named_only = [f for f in strong if f.entity in NAME_ENTITIES and not any("%" in e for e in f.evidence)]
    strong = [f for f in strong if f not in named_only]
    texts = [(f, h) for f in findings if f.role == "free_text" and f.column not in replaced
             if (h := _free_text_hits(f, config))]
    if manifest_state is not None and strong:
        released = _as_release(df, strong, texts, manifest_state, manifest_name)
        if released is not None:
            add("release-without-manifest", released)
            strong, named_only, texts = [], [], []
    for f in strong:
        add("direct-identifier", f"column '{f.column}' holds {f.entity} values ({f.confidence:.0%} confidence: "
            f"{'; '.join(f.evidence[:2])})", f.column, f.examples)
    for f in named_only:
        add("weak-identifier", f"column '{f.column}' is named like {f.entity} but none of its sampled values look "
            "like a person's name (check it holds no names)", f.column, f.examples)
    if about_people:
        for f in findings:
            if (f.role == "identifier" and f.entity in config.weak_identifiers and f.column not in replaced
                    and f.confidence >= config.min_confidence):
                add("weak-identifier", f"column '{f.column}' holds {f.entity} values in a table about people "
                    f"({f.confidence:.0%} confidence: {'; '.join(f.evidence[:2])})", f.column, f.examples)
    for f, hits in texts:
        free_text(f, hits)
    for col in df.columns:  # CSV injection: reported, whatever else the table holds
        n = int(formula_mask(df[col]).sum()) if is_text(df[col]) else 0
        if n:
            add("formula-cells", f"column '{col}' has {n:,} cell(s) a spreadsheet would run as formulas (starting "
                "with =, +, -, @, tab or CR); anon sanitize neutralises them in CSV output", str(col))
    _risk_rules(df, findings, config, exempt, about_people, add, load_columns)

    # second pass: names in free text need the NER model; only worth it when the table could still pass
    if config.ner and not any(o.level == "error" for o in out):
        flagged = {o.column for o in out}
        names = [f.column for f in findings if f.role == "free_text" and f.column not in flagged | replaced]
        if names:
            for f in scan(df[names], config).findings:
                if f.role == "free_text" and f.column not in exempt and (hits := _free_text_hits(f, config)):
                    free_text(f, hits)
    return out


def _as_release(df: pd.DataFrame, strong: list[Any], texts: list[tuple[Any, dict[str, float]]], state: str,
                manifest_name: str | None) -> str | None:
    """The message for a table whose identifier columns look like sanitize's fakes (None when they do not):
    at least one column carries sanitize's marks (fiction phones, reserved e-mail domains), none holds
    values sanitize never writes, and its free text holds no real phone or e-mail."""
    from anonymizer.check.release import REAL, RESERVED, fake_evidence, recognise

    rec = recognise(df, strong)
    if not rec.looks_released:
        return None
    if any(fake_evidence(f.column, None, df[f.column], text=True).verdict == REAL for f, _ in texts):
        return None
    others = [e.column for e in rec.columns if e.verdict != RESERVED] + [f.column for f, _ in texts]
    listed = ", ".join(repr(c) for c in others[:8]) + (f" and {len(others) - 8} more" if len(others) > 8 else "")
    unsure = f"; without it the check cannot tell {listed} from real identities" if others else ""
    mname = f"'{manifest_name}'" if manifest_name else "the manifest"
    if state == "mismatch":
        return (f"looks like an anon release whose manifest no longer matches it (re-saved or edited after sanitize?): "
                f"{rec.describe()}. Put back the file exactly as anon sanitize wrote it, or re-run anon sanitize "
                f"on the original to release it again{unsure}")
    if state == "invalid":
        return (f"looks like an anon release, but {mname} does not vouch for it (see manifest-invalid): "
                f"{rec.describe()}. Re-run anon sanitize so that it releases the file{unsure}")
    return (f"looks like an anon release without its manifest: {rec.describe()}. Restore {mname} that anon "
            f"sanitize wrote beside it, or re-run anon sanitize on the original to release it again{unsure}")


def key_columns_for_check(findings: list[Any], columns: list[str], config: CheckConfig) -> list[str]:
    """The key quasi-identifiers k, record risk and small cells are computed over: one column per key
    entity (``config.key_entities``) among those the scan found in the table itself — never a
    manifest's list — the most complete one (``anonymizer.policy.proposal.choose_key_variables``).

    The one place that says what an attacker is assumed to know: make it follow sanitize's
    attacker-known sets here and every risk rule follows."""
    from anonymizer.policy.proposal import choose_key_variables

    qi_findings = [f for f in findings if f.confidence >= config.min_confidence]
    return [c for c in choose_key_variables(qi_findings, list(config.key_entities)) if c in columns]


def _risk_rules(df: pd.DataFrame, findings: list[Any], config: CheckConfig, exempt: set[str], about_people: bool,
                add: Callable[..., None], load_columns: Callable[[list[str]], pd.DataFrame] | None = None) -> None:
    """k, record risk and small cells on the key quasi-identifiers (of every row: a sampled
    table's keys, and its count column if any, are read whole through ``load_columns``)."""
    keys = key_columns_for_check(findings, list(df.columns), config)
    if not keys:
        return
    if load_columns is not None:
        count_col = _count_column(df, findings, keys, exempt)
        df = load_columns(keys + ([count_col] if count_col else []))
    births = {f.column for f in findings if f.entity == "BIRTH_DATE"}
    exact_birth = [c for c in keys if c in births and _exact_dates(df[c]) >= 0.5]
    count_col = _count_column(df, findings, keys, exempt)
    unique_rows = not df[keys].duplicated().any()
    grid = 1
    for c in keys:
        grid *= max(1, int(df[c].nunique()))
    # a frequency table: one row per combination of the keys (with a count column, or covering at least
    # half of the keys' grid); microdata with exact birth dates is never one
    if unique_rows and not exact_birth and (count_col is not None or len(df) >= 0.5 * grid) and len(df) > 1:
        if count_col is not None:
            counts = _integer_counts(df[count_col])
            small = counts[(counts > 0) & (counts < config.small_cell)]
            if len(small):
                add("small-cells", f"frequency table by {', '.join(keys)}: {len(small)} of {len(counts)} "
                    f"cells of '{count_col}' count fewer than {config.small_cell} people", count_col)
        return
    if not about_people:
        return
    if len(df) < config.risk_min_rows:
        # an excerpt (df.head(), a block in a course): k over 5 rows says nothing about the population
        # they come from; what singles people out there is an exact birth date (Sweeney 2000: date of
        # birth + sex + ZIP code identify 87 % of the US population)
        for col in exact_birth:
            add("exact-birth-date", f"an excerpt of {len(df)} rows shows exact birth dates in '{col}' with "
                f"{', '.join(c for c in keys if c != col) or 'no other key'}: show months or age bands instead", col)
        return
    from anonymizer.risk import risk_report

    rep = risk_report(df, keys, k=config.k, small_cell=config.small_cell, threshold=config.max_record_risk,
                      suda_max_size=1)
    k = rep["k_anonymity"]
    if not k["satisfied"] and rep["dataset"]["records_kept"] > 0:
        add("k-anonymity", f"k = {k['k_achieved']} on key quasi-identifiers {', '.join(keys)} (required k >= "
            f"{config.k}): {k['records_below_k']} of {rep['dataset']['records_kept']} records in "
            f"{k['classes_below_k']} groups smaller than {config.k}")
    highest = rep["prosecutor"]["highest"]
    if highest > config.max_record_risk:
        add("record-risk", f"highest record risk {highest:.2f} > {config.max_record_risk:g} on "
            f"{', '.join(keys)}: {rep['prosecutor']['records_above_threshold']} records above it "
            f"({rep['prosecutor']['sample_uniques']} unique)")


PRINTED_MIN_SCORE = 0.85  # validated patterns (NIR key, IBAN mod 97, ...) score 1.0


def evaluate_text(lines: list[str], config: CheckConfig, *, location: str | None = None,
                  line: int | None = None) -> list[Finding]:
    """Printed output that is not a table: validated identifiers only (no NER: course text is full of names
    of tools and authors), found by the scan's recognizers (``anonymizer.detect.find_spans``)."""
    from anonymizer.detect import find_spans

    wanted = [e for e in PRINTED_ENTITIES if e in config.text_pii or e in config.direct_identifiers]
    found: dict[str, list[str]] = {}
    for text, spans in zip(lines, find_spans(list(lines), ner=False), strict=True):
        for r in spans:
            if r.entity_type in wanted and r.score >= PRINTED_MIN_SCORE:
                found.setdefault(r.entity_type, []).append(text[r.start:r.end])
    if not found:
        return []
    what = ", ".join(f"{len(v)} {e}" for e, v in sorted(found.items()))
    examples = [v for vals in found.values() for v in vals]
    return [Finding("printed-pii", f"printed output shows {what}", RULES["printed-pii"]["level"], None, location,
                    line, _masked(examples))]
