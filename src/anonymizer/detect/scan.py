"""Column findings from combined evidence: name rule, value checks, uniqueness, shape, text.

Presidio's column mode (presidio-structured) maps a column to whatever entity *one* cell
matched and ignores the name (presidio.md §4). Here each column gets:

1. the name rule (``rules/columns/*.yaml``, user rules first);
2. the share of sampled non-empty values that pass each value check (regex on the unique
   values of the sample, then check digits only on the candidates); a check-digit identity
   (NIR, IBAN, SIRET, SPI...) or a phone / e-mail shape covering most values overrules the
   name, so ``col_17`` full of NIRs is a NIR and ``commentaire`` full of phones is a PHONE;
3. split NIRs (13-character column + 2-digit key column) reassembled and checked; Excel
   scientific-notation NIRs counted as NIR-shaped;
4. cardinality: a column unique per row is an identifier even with no rule;
5. shape: dates, amounts, codes, name lists (for upper-case surnames NER misses), sentences;
6. free text: NER + recognizers on a sample (:func:`anonymizer.detect.text.find_spans`);
7. whatever the classification, whether the values look like an identifier (fixed-length
   digit strings, most of them held by one row only: ``identifier_like``), the entity's
   ``family`` and whose value the column holds (``subject``: person, spouse, children).

Every example shown is masked with :func:`anonymizer.masking.mask_value`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from anonymizer.detect import validators as v
from anonymizer.detect.entities import ENTITY_ROLE, STRONG, STRONG_SAYS, entity
from anonymizer.detect.rules import (
    DEFAULT_SUBJECT,
    ColumnRule,
    column_subject,
    load_rules,
    load_subject_rules,
    match_rule,
)
from anonymizer.detect.street import ADDRESS_PATTERN, STREET_TYPES
from anonymizer.masking import mask_value
from anonymizer.resources import rules_path
from anonymizer.values.formulas import formula_mask
from anonymizer.values.numbers import AMOUNT_RE2
from anonymizer.values.places import CORSICA_OVERSEAS_PATTERN
from anonymizer.values.text import as_text

SCHEMA_VERSION = 1

FULL_UNIQUENESS_MAX_ROWS = 300_000
TEXT_SAMPLE = 150
CHECK_CAP = 1000
NER_NAME_SAMPLE = 100

# Identifier-like (docs/scan.md): at least ID_LIKE_FIXED_SHARE of the non-empty sampled values
# are digit strings (spaces ignored) of one length of at least ID_LIKE_MIN_DIGITS digits, at
# least ID_LIKE_SINGLETON_SHARE of the non-empty values are held by one row only, there are at
# least ID_LIKE_MIN_VALUES of them, and they do not read as dates. Six digits leave out postal,
# commune and department codes and years (a 50-row table can hold 50 distinct postcodes);
# "one row only" rather than "distinct" counts a file number a household's rows share.
ID_LIKE_MIN_DIGITS = 6
ID_LIKE_FIXED_SHARE = 0.9
ID_LIKE_SINGLETON_SHARE = 0.5
ID_LIKE_MIN_VALUES = 10

# RE2 syntax (pyarrow): no look-around, no \\u escapes
_NAME_TOKEN = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'\-]*")
_COMPLEMENT_RE2 = (r"(?:BAT|BATIMENT|RES|RESIDENCE|ESC|ESCALIER|APT|APPT|APPARTEMENT|ETAGE|LOT|LOTISSEMENT|"
                   r"LIEU[ -]DIT|LDT|HAMEAU|HAM|CHEZ|IMM|IMMEUBLE|TOUR|BP|CS|PORTE|ENTREE|DOMAINE)\b.*")
_ADDRESS_RE2 = "(?i)" + ADDRESS_PATTERN
_SEX_VALUES = {"M", "F", "H", "HOMME", "FEMME", "MASCULIN", "FEMININ", "FÉMININ", "MALE", "FEMALE"}
_CIVILITY = {"M", "MME", "MLLE", "MR", "MRS", "MS", "MONSIEUR", "MADAME", "MADEMOISELLE", "M.", "MME."}
_STREET_TYPES = {s.upper() for s in STREET_TYPES}


@dataclass
class ColumnFinding:
    column: str
    role: str
    entity: str | None
    confidence: float
    evidence: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    text_entities: dict[str, float] = field(default_factory=dict)
    identifier_like: bool = False      # fixed-length digits, most held by one row (ID_LIKE_*)
    family: str | None = None          # detect.entities.FAMILIES: the rule's, else the entity's
    subject: str = DEFAULT_SUBJECT     # person, spouse or children (detect.rules.SUBJECTS)


@dataclass
class ScanReport:
    source: str
    rows: int
    columns: int
    sampled_rows: int
    findings: list[ColumnFinding]

    def to_dict(self) -> dict:
        """Stable JSON shape, documented in ``rules/schemas/scan.schema.json``."""
        from anonymizer import __version__

        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.role] = counts.get(f.role, 0) + 1
        formulas = self.formula_cells()
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "anon", "version": __version__},
            "source": self.source,
            "rows": self.rows,
            "columns": self.columns,
            "sampled_rows": self.sampled_rows,
            "summary": {"roles": counts, **({"formula_cells": formulas} if formulas else {})},
            "findings": [asdict(f) for f in self.findings],
        }

    def formula_cells(self) -> int:
        """Sampled cells a spreadsheet would run as formulas, over every column (CSV injection)."""
        return sum(int(f.stats.get("formula_cells", 0)) for f in self.findings)

    def finding(self, column: str) -> ColumnFinding:
        for f in self.findings:
            if f.column == column:
                return f
        raise KeyError(column)


# ------------------------------------------------------------------ helpers
def _as_text(series: pd.Series) -> pd.Series:
    """Text view of a column ("" for missing): :func:`anonymizer.values.as_text`."""
    return as_text(series)


@lru_cache(maxsize=1)
def _name_lists() -> tuple[frozenset[str], frozenset[str]]:
    def read(name: str) -> frozenset[str]:
        path = rules_path("columns", "names", name)
        lines = path.read_text(encoding="utf-8").splitlines()
        return frozenset(x.strip() for x in lines if x.strip() and not x.startswith("#"))

    return read("first_names.txt"), read("last_names.txt")


@lru_cache(maxsize=1)
def _sensitive_values() -> frozenset[str]:
    import yaml

    data = yaml.safe_load(rules_path("columns", "sensitive_values.yaml").read_text(encoding="utf-8")) or {}
    return frozenset(str(x).upper() for group in data.get("values", {}).values() for x in group)


def _fold(text: str) -> str:
    import unicodedata

    t = unicodedata.normalize("NFKD", text)
    return "".join(c for c in t if not unicodedata.combining(c)).upper()


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


#: columns with at most this many distinct sampled values share one string column (a _Pool): a
#: table of 10,000 short columns then pays for each regex once, not once per column
POOL_MAX_DISTINCT = 256


class _Pool:
    """Distinct values of one or many columns in one pyarrow string column.

    Every string operation runs once over the whole pool (RE2, vectorised) and is cached; a
    column reads its slice. The operations are elementwise, so a column's results are the
    same whether it has a pool of its own or shares one (issue #18: wide tables).
    """

    def __init__(self, values: np.ndarray) -> None:
        self.uniq = pd.Series(values, dtype="str")
        self._cache: dict[tuple, object] = {}

    def _memo(self, key: tuple, make: Callable[[], object]) -> object:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def on(self, variant: str) -> pd.Series:
        """The values (``raw``), without separators and upper-cased (``compact``), or upper-cased (``upper``)."""
        if variant == "raw":
            return self.uniq
        if variant == "compact":
            return self._memo(("s", variant), lambda: self.uniq.str.replace(r"[\s.\-]", "", regex=True).str.upper())
        if variant == "upper":
            return self._memo(("s", variant), lambda: self.uniq.str.upper())
        if variant == "nospace":
            return self._memo(("s", variant), lambda: self.uniq.str.replace(r"\s", "", regex=True))
        raise ValueError(variant)

    def objects(self, variant: str = "raw") -> np.ndarray:
        return self._memo(("o", variant), lambda: self.on(variant).to_numpy(dtype=object))

    def fullmatch(self, pattern: str, variant: str = "raw") -> np.ndarray:
        return self._memo(("f", pattern, variant), lambda: self.on(variant).str.fullmatch(pattern)
                          .fillna(False).to_numpy(dtype=bool))

    def contains(self, pattern: str, regex: bool = True) -> np.ndarray:
        return self._memo(("c", pattern, regex), lambda: self.uniq.str.contains(pattern, regex=regex)
                          .fillna(False).to_numpy(dtype=bool))

    def length(self, variant: str = "raw") -> np.ndarray:
        return self._memo(("l", variant), lambda: self.on(variant).str.len().to_numpy(dtype=np.int64))

    def words(self) -> np.ndarray:
        return self._memo(("w",), lambda: self.uniq.str.count(r"[^ ]+").to_numpy(dtype=float))

    def upper_stripped(self) -> np.ndarray:
        return self._memo(("us",), lambda: self.uniq.str.upper().str.strip().to_numpy(dtype=object))


def _distinct(stripped: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct non-empty values in order of first occurrence and their counts (what
    ``value_counts(sort=False)`` gives), for small samples where pandas' per-call cost dominates."""
    seen: dict[str, int] = {}
    for x in stripped:
        if x != "":
            seen[x] = seen.get(x, 0) + 1
    return np.array(list(seen), dtype=object), np.fromiter(seen.values(), dtype=np.int64, count=len(seen))


class _Values:
    """The non-empty sampled values of one column, as unique values with counts.

    Regexes run on the unique values as a pyarrow string column (RE2, vectorised), through a
    :class:`_Pool` that may hold other columns' values too; Python validators run only on the
    candidates a regex let through.
    """

    def __init__(self, text: pd.Series | None = None, *, counts: np.ndarray | None = None,
                 pool: _Pool | None = None, start: int = 0) -> None:
        if pool is None:  # a column on its own
            stripped = text.astype("str").str.strip()
            nonempty = stripped[stripped != ""]
            vc = nonempty.value_counts(sort=False)
            pool, counts = _Pool(np.asarray(vc.index, dtype=object)), vc.to_numpy(dtype=np.int64)
        self.pool, self.counts = pool, counts
        self.n = int(counts.sum())
        self._sl = slice(start, start + len(counts))
        self.distinct = len(counts)
        self.lengths = self.length()
        self.has_digit = self.contains(r"[0-9]")
        self.numeric = self.match(r"[0-9 .,/+()E-]+")

    @property
    def uniq(self) -> pd.Series:
        return self.pool.uniq.iloc[self._sl].reset_index(drop=True)

    def objects(self, on: str = "raw") -> np.ndarray:
        return self.pool.objects(on)[self._sl]

    def length(self, on: str = "raw") -> np.ndarray:
        return self.pool.length(on)[self._sl]

    def contains(self, pattern: str, regex: bool = True) -> np.ndarray:
        return self.pool.contains(pattern, regex)[self._sl]

    def words(self) -> np.ndarray:
        return self.pool.words()[self._sl]

    def upper_stripped(self) -> np.ndarray:
        return self.pool.upper_stripped()[self._sl]

    def rate(self, mask: Iterable[bool] | np.ndarray) -> float:
        if self.n == 0:
            return 0.0
        m = np.asarray(mask, dtype=bool)
        return float(self.counts[m].sum()) / self.n

    def check(self, prefilter: np.ndarray, fn: Callable[[str], bool], on: str = "raw") -> float:
        """Share of values that pass ``fn``, calling it only where ``prefilter`` holds.

        At most ``CHECK_CAP`` distinct candidates are validated (an evenly spaced subset);
        their weighted pass rate is extrapolated to all candidates.
        """
        if self.n == 0:
            return 0.0
        cand = np.flatnonzero(prefilter)
        if not len(cand):
            return 0.0
        checked = cand if len(cand) <= CHECK_CAP else cand[np.linspace(0, len(cand) - 1, CHECK_CAP).astype(int)]
        vals = self.objects(on)
        ok = np.fromiter((fn(vals[i]) for i in checked), dtype=bool, count=len(checked))
        w = self.counts[checked]
        share_ok = float(w[ok].sum()) / float(w.sum())
        return share_ok * float(self.counts[cand].sum()) / self.n

    def match(self, pattern: str, on: str = "raw", *, ignore_case: bool = False) -> np.ndarray:
        return self.pool.fullmatch(("(?i)" if ignore_case else "") + pattern, on)[self._sl]


def _stack(texts: list[pd.Series]) -> tuple[pd.Series, np.ndarray]:
    """All the columns' cells one after the other in one string column, and where each column starts."""
    bounds = np.concatenate([[0], np.cumsum([len(t) for t in texts], dtype=np.int64)]).astype(np.int64)
    cells = np.concatenate([t.to_numpy(dtype=object) for t in texts]) if texts else np.zeros(0, dtype=object)
    return pd.Series(cells, dtype="str"), bounds


def _values_of(allv: pd.Series, bounds: np.ndarray) -> list[_Values]:
    """The :class:`_Values` of many columns (:func:`_stack`): columns with few distinct values share one pool."""
    texts = range(len(bounds) - 1)
    stripped = allv.str.strip().to_numpy(dtype=object)
    small: list[tuple[int, np.ndarray, np.ndarray]] = []
    out: list[_Values | None] = [None] * len(texts)
    for j in texts:
        uniq, counts = _distinct(stripped[bounds[j]:bounds[j + 1]])
        if len(uniq) <= POOL_MAX_DISTINCT:
            small.append((j, uniq, counts))
        else:
            out[j] = _Values(counts=counts, pool=_Pool(uniq))
    if small:
        pool = _Pool(np.concatenate([u for _, u, _ in small]) if small else np.zeros(0, dtype=object))
        start = 0
        for j, uniq, counts in small:
            out[j] = _Values(counts=counts, pool=pool, start=start)
            start += len(uniq)
    return out  # type: ignore[return-value]


def _formula_counts(allv: pd.Series, bounds: np.ndarray) -> list[int]:
    """Cells a spreadsheet would run, per column (:func:`_stack`): one vectorised pass over all the columns."""
    mask = formula_mask(allv)
    return [int(mask[bounds[j]:bounds[j + 1]].sum()) for j in range(len(bounds) - 1)]


def _value_checks(vals: _Values) -> dict[str, float]:
    """Pass rates of every value check over the sampled non-empty values.

    Checks are gated by shape (length, digits) so a column of short codes or words pays for
    a handful of vectorised regexes only.
    """
    r: dict[str, float] = {}
    if vals.n == 0:
        return r
    digit_share = vals.rate(vals.has_digit)
    long_digits = digit_share > 0.3 and int(vals.lengths.max()) >= 9
    if long_digits:
        c = "compact"
        clen = vals.length(c)
        if (clen == 15).any():
            r["NIR"] = vals.check(vals.match(r"[1-478][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{8}", on=c), v.is_nir, on=c)
        if (clen == 13).any():
            r["NIR_13"] = vals.check(vals.match(r"[1-478][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{6}", on=c), v.nir_plausible, on=c)
            r["FR_TAX_ID"] = vals.check(vals.match(r"[0-3][0-9]{12}", on=c), v.is_fr_tax_id, on=c)
        if (clen >= 15).any():
            iban_pre = vals.match(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", on=c)
            r["IBAN"] = vals.check(iban_pre, lambda x: v.is_iban(x, rib=False), on=c)
            if r["IBAN"]:
                r["IBAN_RIB"] = vals.check(iban_pre, v.is_iban, on=c)
        if (clen == 14).any():
            r["SIRET"] = vals.check(vals.match(r"[0-9]{14}", on=c), v.is_siret, on=c)
        if (clen == 9).any():
            r["SIREN"] = vals.check(vals.match(r"[0-9]{9}", on=c), v.is_siren, on=c)
        phone_pre = vals.match(r"[0-9 .()/+-]{9,22}")
        r["PHONE"] = vals.check(phone_pre, v.is_fr_phone)
        if r["PHONE"] > 0.5:
            idx = np.flatnonzero(phone_pre)[:500]
            arr = vals.objects()
            shape = [i for i in idx if v.is_fr_phone(arr[i])]
            r["PHONE_VALID"] = sum(v.is_valid_phone_number(arr[i]) for i in shape) / max(1, len(shape))
    if ((vals.lengths >= 8) & (vals.lengths <= 22) & vals.has_digit).any():
        r["NIR_SCI"] = vals.check(vals.contains("E+", regex=False), v.is_nir_scientific)
    if "@" in "".join(vals.objects()[:200].tolist()):
        r["EMAIL"] = vals.rate(vals.match(v.EMAIL.pattern))
    if digit_share > 0.3:
        date_pre = vals.has_digit & (vals.lengths >= 6) & (vals.lengths <= 40)
        r["DATE"] = vals.check(date_pre, lambda x: v.parse_date(x) is not None)
        r["YEAR_MONTH"] = vals.check(vals.match(r"(?:19|20)[0-9]{4}"), v.is_year_month)
        if (vals.lengths == 5).any():
            r["POSTAL_CODE"] = vals.rate(vals.match(v.POSTAL.pattern))
            up = "upper"
            r["COMMUNE_CODE"] = vals.rate(vals.match(v.COG.pattern, on=up))
            r["CORSICA_OVERSEAS"] = vals.rate(vals.match(CORSICA_OVERSEAS_PATTERN, on=up))
            r["COUNTRY_CODE"] = vals.rate(vals.match(v.COUNTRY_CODE.pattern))
        r["INT"] = vals.rate(vals.match(r"-?[0-9]+"))
        r["DECIMAL"] = vals.rate(vals.match(r"-?[0-9]+[.,][0-9]+"))
        r["AMOUNT"] = vals.rate(vals.match(AMOUNT_RE2))
    numeric_share = vals.rate(vals.numeric)
    r["NUMERIC"] = numeric_share
    if numeric_share < 0.7:
        if ((vals.lengths == 8) | (vals.lengths == 11)).any():
            r["BIC"] = vals.check(vals.match(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?"), v.is_bic)
        if vals.distinct <= 200:
            upper = vals.upper_stripped()
            r["SEX"] = vals.rate([x in _SEX_VALUES for x in upper])
            r["CIVILITY"] = vals.rate([x in _CIVILITY for x in upper])
            r["STREET_TYPE"] = vals.rate([x in _STREET_TYPES for x in upper])
        words = vals.words()
        r["ADDRESS_COMPLEMENT"] = vals.rate(vals.match(_COMPLEMENT_RE2, ignore_case=True))
        r["SENTENCE"] = vals.rate(words >= 5)
        r["MEAN_WORDS"] = float(np.average(words, weights=vals.counts))
        if digit_share > 0.2:
            r["CODE"] = vals.rate(vals.match(r"[A-Z]{1,4}[0-9]{5,12}|[0-9]{2,6}[A-Z]{1,4}[0-9]{0,8}"))
            r["ADDRESS"] = vals.rate(vals.contains(_ADDRESS_RE2))
        _name_checks(vals, words, r)
    return r


def _name_checks(vals: _Values, words: np.ndarray, r: dict[str, float]) -> None:
    """Name lists: every alphabetic token of a short value is a known first name / surname."""
    first, last = _name_lists()
    short = (words >= 1) & (words <= 4) & ~vals.has_digit
    name_shaped = short & vals.match(r"[A-Za-zÀ-ÿ' -]{2,60}")
    r["NAME_SHAPED"] = vals.rate(name_shaped)
    if r["NAME_SHAPED"] < 0.5:
        return
    arr = vals.objects()
    in_first = np.zeros(len(arr), dtype=bool)
    in_last = np.zeros(len(arr), dtype=bool)
    in_pair = np.zeros(len(arr), dtype=bool)
    for i in np.flatnonzero(name_shaped):
        toks = [_fold(t) for t in _NAME_TOKEN.findall(arr[i])]
        if not toks:
            continue
        in_first[i] = all(t in first or t.split("-")[0] in first for t in toks)
        in_last[i] = all(t in last for t in toks)
        in_pair[i] = len(toks) >= 2 and (
            (toks[0] in first and toks[-1] in last) or (toks[0] in last and toks[-1] in first)
        )
    r["FIRST_NAME"] = vals.rate(in_first)
    r["LAST_NAME"] = vals.rate(in_last)
    r["PERSON"] = vals.rate(in_pair)


def _shape(vals: _Values) -> dict:
    if vals.n == 0:
        return {}
    lengths = vals.lengths.astype(float)
    w = vals.counts
    return {
        "min_len": int(lengths.min()),
        "max_len": int(lengths.max()),
        "mean_len": round(float(np.average(lengths, weights=w)), 1),
        "digit_share": round(vals.rate(vals.match(r"[\d\s.,\-+/]+")), 3),
        "alpha_share": round(vals.rate(vals.match(r"[^\d]+")), 3),
    }


def _examples(vals: _Values, k: int = 3) -> list[str]:
    out: list[str] = []
    for val in vals.objects()[:50]:
        m = mask_value(val)
        if m and m not in out:
            out.append(m)
        if len(out) == k:
            break
    return out


def _is_row_number(full: pd.Series) -> bool:
    """Values are exactly 1..n or 0..n-1 (a line number): unique per row but identifies nobody."""
    n = len(full)
    if n < 2:
        return False
    nums = pd.to_numeric(full, errors="coerce")
    if nums.isna().any():
        return False
    arr = np.sort(nums.to_numpy(dtype=float))
    return bool(np.array_equal(arr, np.arange(1, n + 1)) or np.array_equal(arr, np.arange(0, n)))


def _fixed_digits(vals: _Values) -> tuple[int, float]:
    """(length, share): the most common length among the values that are digit strings
    (spaces ignored), and the share of non-empty values that are digit strings of that length."""
    if vals.n == 0 or vals.rate(vals.has_digit) < ID_LIKE_FIXED_SHARE:
        return 0, 0.0
    digits = vals.match(r"[0-9]+", on="nospace")
    if not digits.any():
        return 0, 0.0
    lengths = vals.length("nospace")
    by_len = np.bincount(lengths[digits], weights=vals.counts[digits])
    length = int(by_len.argmax())
    return length, float(by_len[length]) / vals.n


def identifier_like(stats: dict) -> bool:
    """Whether a column's statistics say its values look like an identifier (thresholds above)."""
    fixed = stats.get("fixed_digits") or {}
    rates = stats.get("pass_rates") or {}
    return bool(
        stats.get("non_empty", 0) >= ID_LIKE_MIN_VALUES
        and fixed.get("length", 0) >= ID_LIKE_MIN_DIGITS
        and fixed.get("share", 0.0) >= ID_LIKE_FIXED_SHARE
        and stats.get("singleton_share", 0.0) >= ID_LIKE_SINGLETON_SHARE
        and rates.get("DATE", 0.0) < 0.5 and rates.get("YEAR_MONTH", 0.0) < 0.5
    )


# ------------------------------------------------------------------ decision
def _decide(
    column: str, rule: ColumnRule | None, r: dict[str, float], vals: _Values, uniq_ratio: float, n_sample: int
) -> tuple[str, str | None, float, list[str]]:
    ev: list[str] = []
    n = vals.n
    if rule:
        ev.append(f"{rule.describe(column)} -> {rule.role}" + (f" {rule.entity}" if rule.entity else ""))
    if n == 0:
        if rule:
            return rule.role, rule.entity, rule.confidence * 0.8, ev + ["no non-empty value in the sample"]
        return "insensitive", None, 0.6, ["no non-empty value in the sample"]

    def said(check: str, what: str) -> str:
        return f"{_pct(r[check])} of {n:,} sampled values {what}"

    # 1. check digits / unmistakable shapes outrank the name
    nir_like = r.get("NIR", 0) + r.get("NIR_SCI", 0)
    for ent, thr in STRONG.items():
        rate = nir_like if ent == "NIR" else r.get(ent, 0)
        if rate >= thr:
            ev.append(said(ent, STRONG_SAYS[ent]) if ent != "NIR" or not r.get("NIR_SCI") else
                      f"{_pct(r['NIR'])} of {n:,} sampled values pass the NIR key, "
                      f"{_pct(r['NIR_SCI'])} are NIRs in Excel scientific notation")
            if ent == "IBAN" and "IBAN_RIB" in r:
                ev.append(said("IBAN_RIB", "also pass the French RIB key (or are not French)"))
            if ent == "PHONE" and "PHONE_VALID" in r:
                ev.append(f"{_pct(r['PHONE_VALID'])} of them in ranges phonenumbers knows as allocated "
                          "(fiction/overseas ranges count as phones too)")
            role = ENTITY_ROLE[ent]
            conf = min(0.99, 0.55 + 0.45 * rate)
            if rule and rule.entity == ent:
                conf = min(0.99, conf + 0.1)
            elif rule:
                ev.append(f"the values overrule the column name ({rule.entity or rule.role})")
            return role, ent, round(conf, 2), ev

    # 2. the name rule, with what the values say about it
    if rule:
        role, ent, conf = rule.role, rule.entity, rule.confidence
        support = {
            "BIRTH_DATE": "DATE", "DATE": "DATE", "POSTAL_CODE": "POSTAL_CODE", "COMMUNE_CODE": "COMMUNE_CODE",
            "FIRST_NAME": "FIRST_NAME", "LAST_NAME": "LAST_NAME", "PERSON": "PERSON", "AMOUNT": "AMOUNT",
            "SEX": None, "ADDRESS": "ADDRESS", "BIC": "BIC", "STREET_TYPE": "STREET_TYPE",
        }.get(ent or "")
        if ent == "NIR" and r.get("NIR_13", 0) >= 0.8:
            ev.append(f"{_pct(r['NIR_13'])} of {n:,} sampled values are plausible 13-character NIRs (key stored apart?)")
            conf = min(0.99, conf + 0.04)
        elif ent in ("DATE", "BIRTH_DATE") and r.get("YEAR_MONTH", 0) >= 0.8:
            ev.append(said("YEAR_MONTH", "are AAAAMM months"))
        elif support and r.get(support, 0) > 0:
            ev.append(said(support, f"look like {support.lower().replace('_', ' ')}s"))
            if r[support] >= 0.8:
                conf = min(0.99, conf + 0.05)
        if role != "free_text" and r.get("SENTENCE", 0) >= 0.5 and ENTITY_ROLE.get(ent or "", "") != "identifier":
            ev.append(said("SENTENCE", "are sentences (5+ words)") + ": treated as free text")
            return "free_text", "FREE_TEXT", 0.7, ev
        return role, ent, round(conf, 2), ev

    # 3. no rule: the values alone
    ev.append("no name rule matched")
    if vals.distinct <= 1 and n >= 2:
        return "insensitive", None, 0.7, ev + ["a single distinct value (constant column): it tells nothing about anyone"]
    if r.get("NIR_13", 0) >= 0.9:
        return "identifier", "NIR", 0.8, ev + [said("NIR_13", "are plausible 13-character NIRs without key")]
    if r.get("ADDRESS", 0) >= 0.6:
        return "identifier", "ADDRESS", 0.8, ev + [said("ADDRESS", "are street addresses (number + type de voie)")]
    if r.get("ADDRESS_COMPLEMENT", 0) >= 0.6:
        return "identifier", "ADDRESS_COMPLEMENT", 0.7, ev + [
            said("ADDRESS_COMPLEMENT", "are address complements (BAT, RES, ESC, APT, lieu-dit...)")]
    if r.get("SENTENCE", 0) >= 0.3 and r.get("MEAN_WORDS", 0) >= 4:
        return "free_text", "FREE_TEXT", 0.8, ev + [said("SENTENCE", "are sentences (5+ words)")]
    if r.get("PERSON", 0) >= 0.5:
        return "identifier", "PERSON", 0.8, ev + [said("PERSON", "are 'first name + surname' from the name lists")]
    if r.get("DATE", 0) >= 0.9:
        return "quasi_identifier", "DATE", 0.75, ev + [said("DATE", "are calendar dates")]
    if r.get("YEAR_MONTH", 0) >= 0.95 and vals.distinct > 1:
        return "quasi_identifier", "DATE", 0.6, ev + [said("YEAR_MONTH", "are AAAAMM months")]
    if r.get("BIC", 0) >= 0.95:
        return "quasi_identifier", "BIC", 0.7, ev + [said("BIC", "are BIC codes")]
    if r.get("CIVILITY", 0) >= 0.95 and {"MME", "MADAME", "MLLE"} & set(vals.objects("upper")):
        return "quasi_identifier", "CIVILITY", 0.7, ev + [said("CIVILITY", "are civilities (M, MME...)")]
    if r.get("SEX", 0) >= 0.95 and vals.distinct <= 4:
        return "quasi_identifier", "SEX", 0.7, ev + [said("SEX", "are sex codes (M/F/H)")]
    if r.get("STREET_TYPE", 0) >= 0.9 and vals.distinct >= 3:
        return "identifier", "STREET_TYPE", 0.6, ev + [said("STREET_TYPE", "are types de voie (RUE, AV, BD...)")]
    if r.get("CORSICA_OVERSEAS", 0) > 0 and r.get("COMMUNE_CODE", 0) >= 0.9:
        return "quasi_identifier", "COMMUNE_CODE", 0.7, ev + [said("COMMUNE_CODE", "are INSEE commune codes (2A/2B seen)")]
    if r.get("COUNTRY_CODE", 0) >= 0.9:
        return "quasi_identifier", "COUNTRY_CODE", 0.6, ev + [said("COUNTRY_CODE", "are INSEE country codes (99xxx)")]
    if r.get("POSTAL_CODE", 0) >= 0.9 and vals.distinct > 1:
        return "quasi_identifier", "POSTAL_CODE", 0.6, ev + [said("POSTAL_CODE", "are 5-digit postal/commune codes")]
    distinct = int(vals.distinct)
    hits = sorted(set(vals.upper_stripped()) & _sensitive_values()) if distinct <= 50 else []
    if hits:
        return "sensitive", "CATEGORY", 0.6, ev + [
            f"{len(hits)} of {distinct} distinct values are words of health, disability, protection or fraud "
            "(rules/columns/sensitive_values.yaml)"]
    if r.get("CODE", 0) >= 0.95 and distinct >= 100:
        return "identifier", "RECORD_ID", 0.6, ev + [
            said("CODE", "are letter+digit codes") + f", {distinct:,} distinct: an internal identifier"]
    if distinct < 20:
        pass
    elif r.get("LAST_NAME", 0) >= 0.5 and r.get("NAME_SHAPED", 0) >= 0.8:
        return "identifier", "LAST_NAME", 0.7, ev + [said("LAST_NAME", "are in the surname lists")]
    elif r.get("FIRST_NAME", 0) >= 0.5 and r.get("NAME_SHAPED", 0) >= 0.8:
        return "identifier", "FIRST_NAME", 0.7, ev + [said("FIRST_NAME", "are in the first-name lists")]
    numeric_amount = r.get("DECIMAL", 0) >= 0.3 and r.get("AMOUNT", 0) >= 0.95
    if uniq_ratio >= 0.95 and n >= 20 and not numeric_amount:
        return "identifier", "RECORD_ID", 0.7, ev + [f"{_pct(uniq_ratio)} of non-empty values are distinct: one value per row identifies the row"]
    if numeric_amount:
        return "sensitive", "AMOUNT", 0.5, ev + [said("AMOUNT", "are decimal numbers (amounts?)")]
    return "quasi_identifier", "CATEGORY", 0.3, ev + [
        f"{distinct:,} distinct values and no rule: kept as a quasi-identifier until a person reviews it"
    ]


# ------------------------------------------------------------------ main entry
def scan_table(
    df: pd.DataFrame,
    *,
    rules_dirs: Iterable[str] = (),
    sample_rows: int = 5000,
    ner: bool = True,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    source: str = "",
    total_rows: int | None = None,
    families: bool = True,
    row_numbers: Iterable[str] = (),
    text_entities: bool = True,
) -> ScanReport:
    """Classify every column of ``df``; a pure function of the table (and the rules).

    ``progress`` is called once per column with the column name (the CLI drives a progress
    bar with it). Values are sampled (``sample_rows`` rows, seeded) for value checks;
    uniqueness is measured on the whole column up to 300,000 rows. ``total_rows`` says that
    ``df`` is already a row sample of a larger table (see :func:`sample_batches`): the
    report then gives that size and measures uniqueness on the sample. ``families=False`` skips
    the families found from the data (:func:`families_from_dependencies`, the costliest step): for
    callers that read only roles and entities, such as sanitize's re-scan of its output.
    ``text_entities=False`` leaves out the entities found inside free-text cells (they change no
    role nor entity; the re-scan of sanitize's output does without them and without the import of
    Presidio and spaCy they need, 1 CPU s in a process that has not loaded them).
    ``row_numbers`` names the columns of a sampled table that hold the line number on every row of
    the whole table (:attr:`Sample.row_numbers`): a sample alone cannot show it.
    """
    rules = load_rules(tuple(str(d) for d in rules_dirs))
    subjects = load_subject_rules(tuple(str(d) for d in rules_dirs))
    row_numbers = frozenset(row_numbers)
    rows = len(df) if total_rows is None else int(total_rows)
    if total_rows is not None and total_rows > len(df):
        sample_rows = min(sample_rows, len(df))
    if len(df) > sample_rows:
        rng = np.random.default_rng(seed)
        pos = np.sort(rng.choice(len(df), size=sample_rows, replace=False))
        sample = df.iloc[pos]
    else:
        sample = df
    findings: list[ColumnFinding] = []
    texts: dict[str, pd.Series] = {}
    values: dict[str, _Values] = {}
    rates: dict[str, dict[str, float]] = {}
    won: dict[str, ColumnRule | None] = {}
    sample_texts = [_as_text(column) for _name, column in sample.items()]  # half iloc[:, j]'s cost a column
    stacked, bounds = _stack(sample_texts)
    all_values = _values_of(stacked, bounds)
    formulas_of = _formula_counts(stacked, bounds)
    for j, col in enumerate(df.columns):
        name = str(col)
        text = sample_texts[j]
        texts[name] = text
        vals = all_values[j]
        values[name] = vals
        if rows <= FULL_UNIQUENESS_MAX_ROWS and rows == len(df) and sample is df:
            # the sample is the whole table: its distinct values are the column's
            non_empty, distinct, scope = vals.n, vals.distinct, "whole column"
            singletons = int((vals.counts == 1).sum())
            # only all-distinct values with digits can be line numbers (see _is_row_number)
            full_ne = pd.Series(vals.objects(), dtype="str") \
                if vals.distinct == vals.n == rows and vals.has_digit.all() else None
        elif rows <= FULL_UNIQUENESS_MAX_ROWS and rows == len(df):
            full = _as_text(df.iloc[:, j]).str.strip()
            full_ne = full[full != ""]
            non_empty = int(len(full_ne))
            per_value = full_ne.value_counts(sort=False)
            distinct, singletons = int(len(per_value)), int((per_value.to_numpy() == 1).sum())
            scope = "whole column"
        else:
            full_ne = None
            non_empty, distinct, scope = vals.n, int(vals.distinct), "sample"
            singletons = int((vals.counts == 1).sum())
        uniq_ratio = distinct / non_empty if non_empty else 0.0
        r = _value_checks(vals)
        rates[name] = r
        rule = match_rule(name, rules)
        won[name] = rule
        # unique per row, but a line number identifies nobody (never identifier-like): seen on the whole
        # column here, or (a sample) by the streaming read over every row of the table
        line_numbers = None
        if rule is None or rule.role == "insensitive":
            if full_ne is not None and uniq_ratio == 1.0 and non_empty == rows and _is_row_number(full_ne):
                line_numbers = "values are the line numbers 1..n"
            elif full_ne is None and name in row_numbers:
                line_numbers = "values are the line numbers 1..n on every row of the table"
        if line_numbers:
            role, ent, conf, ev = "insensitive", None, 0.7, (
                ([f"{rule.describe(name)} -> insensitive"] if rule else []) + [line_numbers])
        else:
            role, ent, conf, ev = _decide(name, rule, r, vals, uniq_ratio, len(sample))
        stats = {
            "n": rows,
            "sampled": int(len(sample)),
            "non_empty": non_empty,
            "distinct": distinct,
            "unique_ratio": round(uniq_ratio, 4),
            "uniqueness_scope": scope,
            "pass_rates": {k: round(x, 4) for k, x in r.items() if x and k != "MEAN_WORDS"},
            "shape": _shape(vals),
            "singleton_share": round(singletons / non_empty, 4) if non_empty else 0.0,
        }
        formulas = formulas_of[j]
        if formulas:  # CSV injection: a spreadsheet would run these cells (values.formulas)
            stats["formula_cells"] = formulas
        length, share = _fixed_digits(vals)
        if length:
            stats["fixed_digits"] = {"length": length, "share": round(share, 4)}
        id_like = identifier_like(stats) and not line_numbers
        if id_like:
            ev.append(f"identifier-like: {_pct(share)} of sampled values are {length}-digit numbers and "
                      f"{_pct(stats['singleton_share'])} of values are held by one row only ({scope})")
        if role in ("quasi_identifier", "insensitive", "sensitive") and uniq_ratio >= 0.95 and non_empty >= 20 \
                and ent not in ("AMOUNT", "SCORE", "DATE", "BIRTH_DATE", None) and role != "insensitive":
            ev.append(f"{_pct(uniq_ratio)} of values are distinct ({scope}): singles out rows")
        findings.append(
            ColumnFinding(name, role, ent, float(conf), ev, stats, _examples(vals), {}, id_like)
        )
        if progress:
            progress(name)
    _reassemble_split_nir(findings, texts, rates)
    if text_entities:
        _free_text(findings, texts, ner)
    if ner:
        _ner_names(findings, values)
    for f in findings:  # last: the steps above may have changed the entity
        f.family, f.subject = _family(f, won[f.column]), column_subject(f.column, won[f.column], subjects)
    if families:
        families_from_dependencies(sample, findings)
    return ScanReport(source=source, rows=rows, columns=len(df.columns), sampled_rows=int(len(sample)), findings=findings)


#: families a column found by its values only may join (the named ladders of privacy.ladders)
FD_FAMILIES = ("birth", "place", "nationality", "household")
FD_MIN_SHARE = 0.99   # rows (both values present) on which A's value gives B's
FD_MIN_ROWS = 50


def families_from_dependencies(sample: pd.DataFrame, findings: list[ColumnFinding]) -> None:
    """Columns that re-encode another column's fact join its family, found from the data: when a
    quasi-identifier A of a named family determines a quasi-identifier B of no named family
    (each value of A seen on three rows or more comes with one value of B, on at least 99 % of
    those sampled rows, B taking two values or more), B is a coarser or equal form of A's fact — a nationality's
    code, a commune's label, an age band — and must be released at A's level (issue #16 item 2:
    rules cannot name every header)."""
    qi = [f for f in findings if f.role == "quasi_identifier" and f.column in sample.columns]
    named = [f for f in qi if f.family in FD_FAMILIES]
    loose = [f for f in qi if f.family not in FD_FAMILIES and f.family not in ("sex",)]
    if not named or not loose:
        return
    text = {f.column: sample[f.column].astype("string").fillna("").str.strip() for f in named + loose}
    for b in loose:
        bv = text[b.column]
        if bv[bv != ""].nunique() < 2:
            continue
        for a in named:
            av = text[a.column]
            both = (av != "") & (bv != "")
            if int(both.sum()) < FD_MIN_ROWS:
                continue
            pairs = pd.DataFrame({"a": av[both], "b": bv[both]})
            # only values of A seen on several rows can show a dependency (a nearly unique A, an
            # exact birth date, "determines" anything)
            pairs = pairs[pairs.groupby("a", sort=False)["a"].transform("size") >= 3]
            if len(pairs) < FD_MIN_ROWS or pairs["b"].nunique() < 2:
                continue
            top = pairs.groupby(["a", "b"], sort=False).size().groupby(level=0).max().sum()
            if top / len(pairs) >= FD_MIN_SHARE:
                b.family, b.subject = a.family, a.subject
                b.evidence.append(f"family {a.family}: its values follow {a.column!r}'s "
                                  f"({top / len(pairs):.0%} of {len(pairs):,} sampled rows)")
                break


def _family(f: ColumnFinding, rule: ColumnRule | None) -> str | None:
    """The rule's family when the rule's classification stood, else the entity table's."""
    if rule is not None and rule.family and (rule.role, rule.entity) == (f.role, f.entity):
        return rule.family
    known = entity(f.entity)
    return known.family if known else None


class Sample(NamedTuple):
    """A row sample of a table read in batches (:func:`sample_batches`)."""

    df: pd.DataFrame
    total: int
    #: columns whose every row, in the whole table, holds its line number (1..n or 0..n-1)
    row_numbers: frozenset[str]


class _RowNumbers:
    """Which columns hold their row's line number on every row, checked as the batches stream by.

    A sample cannot tell a line-number column (unique per row, identifies nobody) from an
    identifier; the whole column can, and this check costs a string comparison per row of the few
    columns whose first value is 0 or 1 (most drop out on their first rows)."""

    def __init__(self) -> None:
        self.start: dict[str, int] | None = None  # column -> 0 or 1, while every row so far matched
        self.offset = 0

    def update(self, batch: pd.DataFrame) -> None:
        if self.start is None:
            self.start = {}
            if len(batch):
                for j, col in enumerate(batch.columns):
                    first = str(batch.iat[0, j]).strip()
                    if first in ("0", "1") and str(col) not in self.start:
                        self.start[str(col)] = int(first)
        names = [str(c) for c in batch.columns]
        for name, start in list(self.start.items()):
            if names.count(name) != 1:
                del self.start[name]
                continue
            column = batch.iloc[:, names.index(name)]
            first = self.offset + start
            if not (self._matches(column.iloc[:64], first) and self._matches(column, first)):
                del self.start[name]  # the 64 first rows are read alone: a flag column drops out there
        self.offset += len(batch)

    @staticmethod
    def _matches(column: pd.Series, first: int) -> bool:
        """Whether the column's values are first, first + 1, ... (as text, spaces stripped)."""
        got = column.astype(str).str.strip().to_numpy(dtype=object)
        return np.array_equal(got, np.arange(first, first + len(got)).astype(str).astype(object))

    def columns(self) -> frozenset[str]:
        return frozenset(self.start or ()) if self.offset >= 2 else frozenset()


def sample_batches(batches: Iterable[pd.DataFrame], sample_rows: int, seed: int = 0) -> Sample:
    """A uniform row sample of a table read in batches, its total row count and its line-number columns.

    Bottom-k sampling: every row draws a uniform key, the ``sample_rows`` smallest keys are
    kept (a uniform sample without replacement, whatever the batch sizes), so a
    1,000,000-row file is scanned with bounded memory in one pass.
    """
    rng = np.random.default_rng(seed)
    kept: pd.DataFrame | None = None
    kept_keys = np.zeros(0)
    total = 0
    row_numbers = _RowNumbers()
    for batch in batches:
        total += len(batch)
        row_numbers.update(batch)
        keys = rng.random(len(batch))
        if kept is None:
            kept, kept_keys = batch.reset_index(drop=True), keys
        else:
            kept = pd.concat([kept, batch], ignore_index=True)
            kept_keys = np.concatenate([kept_keys, keys])
        if len(kept) > sample_rows:
            idx = np.sort(np.argpartition(kept_keys, sample_rows)[:sample_rows])
            kept, kept_keys = kept.iloc[idx].reset_index(drop=True), kept_keys[idx]
    if kept is None:
        return Sample(pd.DataFrame(), 0, frozenset())
    return Sample(kept, total, row_numbers.columns())


def _reassemble_split_nir(findings: list[ColumnFinding], texts: dict[str, pd.Series], rates: dict) -> None:
    """A 13-character NIR column + a 2-digit key column: check the key row by row."""
    bodies = [f for f in findings if rates[f.column].get("NIR_13", 0) >= 0.8]
    if not bodies:
        return
    keys = [f for f in findings if f.stats.get("shape", {}).get("max_len", 0) <= 2
            and rates[f.column].get("INT", 0) >= 0.95]
    for b in bodies:
        body = texts[b.column].str.replace(r"[\s.]", "", regex=True).str.upper()
        for k in keys:
            key = texts[k.column].str.strip()
            both = (body.str.len() == 13) & (key != "")
            if both.sum() < 5:
                continue
            ok = [v.nir_plausible(x) and v.nir_key(x) == int(y) for x, y in zip(body[both], key[both], strict=True)
                  if y.isdigit()]
            rate = float(np.mean(ok)) if ok else 0.0
            if rate >= 0.9:
                msg = f"{_pct(rate)} of {len(ok):,} sampled rows: '{b.column}' + '{k.column}' form a NIR with a valid key"
                b.role, b.entity, b.confidence = "identifier", "NIR", 0.99
                b.evidence.append(msg)
                k.role, k.entity, k.confidence = "identifier", "NIR_KEY", 0.97
                k.evidence.append(msg)
                break


def _free_text(findings: list[ColumnFinding], texts: dict[str, pd.Series], ner: bool) -> None:
    """Entity types found in free-text columns and the share of sampled cells containing each."""
    for f in findings:
        if f.role != "free_text":
            continue
        t = texts[f.column]
        # the first 2,000 characters of each sampled cell: enough to say which entities occur
        cells = [c[:2000] for c in t[t.str.strip() != ""].head(TEXT_SAMPLE).tolist()]
        if not cells:
            continue
        from anonymizer.detect.text import find_spans  # here: a table without free text never loads Presidio

        spans = find_spans(cells, ner=ner)
        counts: dict[str, int] = {}
        for res in spans:
            for ent in {x.entity_type for x in res}:
                counts[ent] = counts.get(ent, 0) + 1
        # ties by name: the entities come out of a set, whose order changes with the hash seed
        ranked = sorted(counts.items(), key=lambda x: (-x[1], x[0]))
        f.text_entities = {e: round(c / len(cells), 4) for e, c in ranked}
        mode = "NER + recognizers" if ner else "recognizers only (--no-ner)"
        if counts:
            found = ", ".join(f"{e} {_pct(c / len(cells))}" for e, c in ranked)
            f.evidence.append(f"{mode} on {len(cells):,} sampled cells found: {found}")
        else:
            f.evidence.append(f"{mode} on {len(cells):,} sampled cells found no entity")


def _ner_names(findings: list[ColumnFinding], values: dict[str, _Values]) -> None:
    """NER only where it can matter: short alphabetic columns no rule or list has classified."""
    for f in findings:
        vals = values[f.column]
        if f.entity != "CATEGORY" or f.confidence > 0.3 or vals.n == 0:
            continue
        pr = f.stats["pass_rates"]
        if pr.get("NAME_SHAPED", 0) < 0.8 or f.stats["distinct"] < 20:
            continue
        cells = [x.title() for x in vals.objects()[:NER_NAME_SAMPLE].tolist()]
        from anonymizer.detect.text import find_spans  # here: spaCy loads only for such a column

        spans = find_spans(cells, ner=True)
        rate = sum(any(s.entity_type == "PERSON" for s in res) for res in spans) / len(cells)
        if rate >= 0.5:
            f.role, f.entity, f.confidence = "identifier", "PERSON", round(0.5 + 0.4 * rate, 2)
            f.evidence.append(f"spaCy NER tags {_pct(rate)} of {len(cells)} distinct values as PERSON")
