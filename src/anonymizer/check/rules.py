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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from anonymizer.check.config import CheckConfig
from anonymizer.masking import mask_value

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
    "manifest-invalid": {
        "name": "ManifestInvalid",
        "short": "The file's anon sanitize manifest does not vouch for it (digest, release, profile or policy).",
        "level": "warning",
    },
    "unreadable": {
        "name": "Unreadable",
        "short": "The file could not be read, so it could not be checked.",
        "level": "error",
    },
}

COUNT_NAME = re.compile(
    r"^(n|nb|nbr|nombre|count|cnt|freq|frequence|fréquence|effectifs?|eff|total|size|"
    r"(nb|nbr|nombre|n|effectif|eff|count)[ _.-].*|.*[ _.-](count|effectif|eff|nb|n))$",
    re.IGNORECASE,
)


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


def _scan(df: pd.DataFrame, config: CheckConfig) -> Any:
    from anonymizer.detect import scan_table

    return scan_table(df, ner=config.ner, sample_rows=config.sample_rows)


def _masked(examples: list[Any], n: int = 3) -> list[str]:
    """Scan examples are masked already; mask again so nothing raw can slip through a changed scanner."""
    return [mask_value(e) for e in list(examples or [])[:n] if str(e)]


def _count_column(df: pd.DataFrame, exempt: set[str]) -> str | None:
    for col in df.columns:
        if col in exempt or not COUNT_NAME.match(str(col).strip()):
            continue
        values = df[col]
        text = values.astype(str).str.replace(r"[\s\u00a0\u202f]", "", regex=True)
        text = text[text != ""]
        if len(text) and text.str.fullmatch(r"\d+").all():
            return col
    return None


def evaluate_table(
    df: pd.DataFrame,
    config: CheckConfig,
    *,
    exempt_columns: set[str] | frozenset[str] = frozenset(),
    location: str | None = None,
    line: int | None = None,
    scanner: Callable[[pd.DataFrame, CheckConfig], Any] | None = None,
) -> list[Finding]:
    """Findings for one table (empty list = the table passes)."""
    exempt = set(exempt_columns)
    if df.empty or len(df.columns) == 0:
        return []
    report = (scanner or _scan)(df, config)
    findings = [f for f in report.findings if f.column not in exempt]
    out: list[Finding] = []

    def add(rule: str, message: str, column: str | None = None, examples: list[Any] | None = None) -> None:
        level = RULES[rule]["level"]
        if rule == "weak-identifier" and config.fail_on_weak_identifiers:
            level = "error"
        out.append(Finding(rule, message, level, column, location, line, _masked(examples or [])))

    strong = [f for f in findings if f.role == "identifier" and f.entity in config.direct_identifiers
              and f.confidence >= config.min_confidence]
    person_qi = [f for f in findings if f.entity in config.person_qi and f.role in ("quasi_identifier", "sensitive")
                 and f.confidence >= config.min_confidence]
    about_people = bool(strong or person_qi)
    for f in strong:
        add("direct-identifier", f"column '{f.column}' holds {f.entity} values ({f.confidence:.0%} confidence: "
            f"{'; '.join(f.evidence[:2])})", f.column, f.examples)
    if about_people:
        for f in findings:
            if (f.role == "identifier" and f.entity in config.weak_identifiers
                    and f.confidence >= config.min_confidence):
                add("weak-identifier", f"column '{f.column}' holds {f.entity} values in a table about people "
                    f"({f.confidence:.0%} confidence: {'; '.join(f.evidence[:2])})", f.column, f.examples)
    for f in findings:
        if f.role != "free_text":
            continue
        hits = {e: s for e, s in (f.text_entities or {}).items()
                if e in config.text_pii and s is not None and s > config.text_pii_min_share}
        if hits:
            what = ", ".join(f"{e} in {s:.0%} of sampled cells" for e, s in sorted(hits.items(), key=lambda x: -x[1]))
            add("free-text-pii", f"free-text column '{f.column}' mentions people: {what}", f.column, f.examples)

    # risk on the key quasi-identifiers
    from anonymizer.policy.proposal import choose_key_variables

    qi_findings = [f for f in findings if f.confidence >= config.min_confidence]
    keys = [c for c in choose_key_variables(qi_findings, list(config.key_entities)) if c in df.columns]
    count_col = _count_column(df, exempt) if keys else None
    if count_col is not None and count_col not in keys and not df[keys].duplicated().any():
        counts = pd.to_numeric(df[count_col].astype(str).str.replace(r"[\s\u00a0\u202f]", "", regex=True),
                               errors="coerce")
        small = counts[(counts > 0) & (counts < config.small_cell)]
        if len(small):
            add("small-cells", f"frequency table by {', '.join(keys)}: {len(small)} of {int(counts.notna().sum())} "
                f"cells of '{count_col}' count fewer than {config.small_cell} people", count_col)
        return out
    if about_people and keys:
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
    return out
