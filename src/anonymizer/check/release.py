"""What ``anon sanitize``'s fakes look like, so a released table is recognised for what it is.

Some fakes carry a mark no real value has (``anonymizer.transform``):

* phones: the ARCEP numbers reserved for fiction (``vocab.FICTION_LANDLINE`` / ``FICTION_MOBILE``:
  01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49, 06 39 98 + four digits);
* e-mails: reserved domains (``example.fr`` by default; RFC 2606 / 6761 ``example.com|org|net``,
  ``.example``, ``.test``, ``.invalid``, ``.localhost``);
* pseudonyms: ``prefix`` + base32 (or hex) tokens of the declared length;
* suppressed columns: empty.

Others are only *consistent* with a fake: names drawn from sanitize's pools (Faker ``fr_FR``),
IBANs at one of the banks in ``vocab.BANKS``. NIRs, beneficiary numbers and tax numbers are
valid-looking by design and cannot be told from real ones.

A table without a manifest (or whose manifest no longer matches its bytes) *looks like an
anon release* when at least one identifier column holds only marked fakes and no identifier
column holds values sanitize never writes. A manifest that vouches for a file is checked
against the same marks: a column it says was faked, pseudonymised or suppressed must not hold
values that contradict it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

RESERVED_EMAIL_DOMAIN = re.compile(
    r"(?:[a-z0-9-]+\.)*(?:example\.(?:fr|com|org|net)|[a-z0-9-]+\.(?:example|test|invalid|localhost))", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")
# a phone number inside text: not a piece of a longer run of digits (an IBAN, a NIR)
_TEXT_PHONE = re.compile(r"(?<![\w+])(?:\+33[\s.\-]?(?:\(0\)[\s.\-]?)?|0)[1-9](?:[\s.\-]?\d{2}){4}(?![\w])")
_WORDS = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
NAME_ENTITIES = ("LAST_NAME", "FIRST_NAME", "PERSON")
NAME_POOL_SHARE = 0.98       # fakes are drawn from the pools; a kept particle or civility is allowed for
MAX_VALUES = 20_000          # distinct values looked at per column

RESERVED, CONSISTENT, REAL, UNKNOWN = "reserved", "consistent", "real", "unknown"


@dataclass
class Evidence:
    """What one column's values say: ``reserved`` (only marked fakes), ``consistent`` (could be fakes),
    ``real`` (values sanitize never writes) or ``unknown``; ``detail`` counts, never shows, values."""

    column: str
    entity: str
    verdict: str
    detail: str = ""


@dataclass
class Recognition:
    columns: list[Evidence] = field(default_factory=list)

    def of(self, verdict: str) -> list[Evidence]:
        return [e for e in self.columns if e.verdict == verdict]

    @property
    def looks_released(self) -> bool:
        return bool(self.of(RESERVED)) and not self.of(REAL)

    def describe(self) -> str:
        marks = "; ".join(f"'{e.column}': {e.detail}" for e in self.of(RESERVED))
        return f"its fakes carry sanitize's marks ({marks})"


def _fiction_prefixes() -> tuple[str, ...]:
    from anonymizer.transform import vocab

    return tuple(vocab.FICTION_LANDLINE) + tuple(vocab.FICTION_MOBILE)


def _distinct(values: pd.Series) -> list[str]:
    from anonymizer.io import as_text

    text = as_text(values).astype(str).str.strip()
    uniq = pd.unique(text[text != ""])
    return [str(u) for u in uniq[:MAX_VALUES]]


def _phones(values: list[str]) -> Evidence | tuple[str, str]:
    from anonymizer.detect.validators import phone_national

    fiction = _fiction_prefixes()
    nsn = [n for n in (phone_national(v) for v in values) if n]
    if not nsn:
        return UNKNOWN, ""
    outside = sum(not n.startswith(fiction) for n in nsn)
    if outside:
        return REAL, f"{outside} of {len(nsn)} distinct phone numbers outside the fiction ranges"
    return RESERVED, f"all {len(nsn)} distinct phone numbers in the ARCEP fiction ranges"


def _emails(values: list[str], text: bool = False) -> tuple[str, str]:
    domains = [m.group(1) for v in values for m in (_EMAIL.finditer(v) if text else [_EMAIL.fullmatch(v)]) if m]
    if not domains:
        return UNKNOWN, ""
    outside = sum(not RESERVED_EMAIL_DOMAIN.fullmatch(d) for d in domains)
    if outside:
        return REAL, f"{outside} of {len(domains)} distinct e-mail addresses at non-reserved domains"
    return RESERVED, f"all {len(domains)} distinct e-mail addresses at reserved domains (example.fr ...)"


def _names(values: list[str]) -> tuple[str, str]:
    from anonymizer.transform import vocab
    from anonymizer.transform.base import norm_word
    from anonymizer.transform.names import pools

    p = pools()
    # a pool entry may be several words (LE GOFF, DA SILVA): the values are read word by word
    pool = {norm_word(part) for key in ("M", "F", "LAST") for w in p[key] for part in re.split(r"[\s\-]+", w) if part}
    keep = {norm_word(w) for w in vocab.CIVILITIES | vocab.PARTICLES} | {w.rstrip(".") for w in vocab.CIVILITIES}
    words = [norm_word(part) for v in values for w in _WORDS.findall(v) for part in w.split("-") if part]
    words = [w for w in words if w and w not in keep]
    if not words:
        return UNKNOWN, ""
    share = sum(w in pool for w in words) / len(words)
    if share >= NAME_POOL_SHARE:
        return CONSISTENT, f"every name in sanitize's name pools ({len(words)} words)"
    return REAL, f"{share:.0%} of name words in sanitize's name pools"


def _ibans(values: list[str]) -> tuple[str, str]:
    from anonymizer.transform import vocab

    banks = {code for code, _ in vocab.BANKS}
    fr = [re.sub(r"[\s.\-]", "", v).upper() for v in values]
    fr = [v for v in fr if v[:2] in ("FR", "MC") and len(v) == 27]
    if not fr:
        return UNKNOWN, ""
    other = sum(v[4:9] not in banks for v in fr)
    if other:
        return REAL, f"{other} of {len(fr)} French IBANs at banks sanitize never draws"
    return CONSISTENT, f"all {len(fr)} French IBANs at banks sanitize draws from"


def fake_evidence(column: str, entity: str | None, values: pd.Series, *, text: bool = False) -> Evidence:
    """What the column's values say about being sanitize's fakes of ``entity`` (``text``: free text,
    where phones and e-mails are searched inside the cells)."""
    vals = _distinct(values)
    entity = entity or ""
    if text:
        from anonymizer.detect.validators import phone_national

        found = [m.group(0) for v in vals for m in _TEXT_PHONE.finditer(v)]
        verdict, detail = _phones(found) if any(phone_national(f) for f in found) else (UNKNOWN, "")
        if verdict != REAL:
            v2, d2 = _emails(vals, text=True)
            if v2 != UNKNOWN:
                verdict, detail = (v2, d2) if v2 == REAL or verdict == UNKNOWN else (verdict, f"{detail}; {d2}")
        return Evidence(column, entity, verdict, detail)
    if entity == "PHONE":
        verdict, detail = _phones(vals)
    elif entity == "EMAIL":
        verdict, detail = _emails(vals)
    elif entity in NAME_ENTITIES:
        verdict, detail = _names(vals)
    elif entity == "IBAN":
        verdict, detail = _ibans(vals)
    else:
        verdict, detail = UNKNOWN, ""
    return Evidence(column, entity, verdict, detail)


def recognise(df: pd.DataFrame, identifier_findings: list[Any]) -> Recognition:
    """Evidence for each identifier column the scan found (``ColumnFinding``s with ``column``/``entity``)."""
    rec = Recognition()
    for f in identifier_findings:
        if f.column in df.columns:
            rec.columns.append(fake_evidence(f.column, f.entity, df[f.column]))
    return rec


# --------------------------------------------------------------------------- declared transformations

REPLACING = ("fake", "pseudonymize", "suppress", "redact")


def _pseudonym_problem(values: list[str], params: dict[str, Any]) -> str | None:
    prefix = str(params.get("prefix", ""))
    length = params.get("length", 16)
    alphabet = "[0-9a-f]" if params.get("alphabet") == "hex" else "[A-Z2-7]"
    if not isinstance(length, int):
        return None
    rx = re.compile(re.escape(prefix) + alphabet + "{" + str(length) + "}")
    bad = sum(not rx.fullmatch(v) for v in values)
    return f"{bad} of {len(values)} distinct values are not pseudonyms of the declared form" if bad else None


def declared_problems(df: pd.DataFrame, decisions: dict[str, dict[str, Any]],
                      scan_entities: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(column, problem) for each column the manifest says was replaced whose values say otherwise:
    real phones or e-mails in a faked column, names outside the pools, non-empty cells in a
    suppressed one, values that are not tokens in a pseudonymised one, real phones / e-mails in a
    redacted text."""
    out: list[tuple[str, str]] = []
    for col, d in decisions.items():
        action = d.get("action")
        if col not in df.columns or action not in REPLACING:
            continue
        values = _distinct(df[col])
        if not values:
            continue
        if action == "suppress":
            kept = [v for v in values if v != "*"]  # "*": the privacy step's mark of a suppressed value
            if kept:
                out.append((col, f"declared suppressed but {len(kept)} distinct non-empty values remain"))
            continue
        if action == "pseudonymize":
            problem = _pseudonym_problem(values, d.get("params") if isinstance(d.get("params"), dict) else {})
            if problem:
                out.append((col, f"declared pseudonymised but {problem}"))
            continue
        entities = {e for e in (d.get("entity"), (scan_entities or {}).get(col)) if isinstance(e, str)}
        if action == "redact" or d.get("role") == "free_text":
            ev = fake_evidence(col, None, df[col], text=True)
            if ev.verdict == REAL:
                out.append((col, f"declared redacted but holds {ev.detail}"))
            continue
        for entity in sorted(entities):
            ev = fake_evidence(col, entity, df[col])
            if ev.verdict == REAL:
                out.append((col, f"declared faked ({entity}) but {ev.detail}"))
                break
    return out
