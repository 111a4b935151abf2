"""``fake``: replace each value by a realistic, format-preserving, keyed fake.

Consistency: the fake is a pure function of (key, entity, normalised original, and for a few
entities the row's already-transformed context — sex, birth month, fake NIR, fake IBAN), so
the same person gets the same fake in every column, file and run with the same key. It is
computed once per distinct (value, context) and mapped back. The fake never equals the
original (re-drawn deterministically when it would). Values an entity generator cannot
parse (e.g. an Excel-mangled NIR ``1,85058E+14``) get a same-shape fake (digits -> digits,
letters -> letters), never the original.

Context columns are found through ``context.entities`` (see ``TransformContext.find_column``)
or named explicitly with params ``sex_column``, ``birth_date_column``, ``nir_column``,
``iban_column``, ``first_name_column``, ``last_name_column``. The pipeline must transform SEX/CIVILITY and BIRTH_DATE before NIR, NIR
before NIR_KEY and IBAN before BIC: ``order_columns`` gives such an order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import ClassVar

import numpy as np
import pandas as pd

from anonymizer.detect.entities import ENTITIES, ENTITY_RANK, FAKE_GENERATOR
from anonymizer.settings import ActionParams
from anonymizer.transform import fake_ids, fast, names
from anonymizer.transform.base import (
    Deriver,
    TransformContext,
    distinct_units,
    from_text,
    hmac_sha256,
    norm_identifier,
    require_key,
    shape_fake,
    to_text,
)
from anonymizer.transform.dates import year_month

Generator = Callable[..., "str | None"]
_ALNUM = re.compile(r"[^\W_]")

#: generator name (the entity table's ``fake``) -> (generator(value, deriver, *context), context
#: kind or None); ``shape`` has no generator: a same-shape fake (and ``redact`` fakes the span).
GENERATOR_FUNCTIONS: dict[str, tuple[Generator | None, str | None]] = {
    "fake_person": (names.fake_person, "sex"),
    "fake_first_name": (names.fake_first_name, "sex"),
    "fake_last_name": (names.fake_last_name, None),
    "fake_nir": (fake_ids.fake_nir, "nir"),
    "fake_nir_key": (fake_ids.fake_nir_key, "nir_key"),
    "fake_iban": (fake_ids.fake_iban, None),
    "fake_bic": (fake_ids.fake_bic, "bic"),
    "fake_phone": (fake_ids.fake_phone, None),
    "fake_email": (names.fake_email, "names"),
    "fake_caf_number": (fake_ids.fake_caf_number, None),
    "fake_caf_matricule": (fake_ids.fake_caf_matricule, None),
    "fake_siren": (fake_ids.fake_siren, None),
    "fake_siret": (fake_ids.fake_siret, None),
    "fake_tax_id": (fake_ids.fake_tax_id, None),
    "fake_street_number": (names.fake_street_number, None),
    "fake_street_name": (names.fake_street_name, None),
    "fake_street_type": (names.fake_street_type, None),
    "fake_street_suffix": (names.fake_street_suffix, None),
    "fake_address": (names.fake_address, None),
    "fake_complement": (names.fake_complement, None),
    "fake_organization": (names.fake_organization, "sex_none"),
    "fake_city": (lambda v, d: names.fake_city(v, d), None),
    "fake_date": (fake_ids.fake_date, None),
    "fake_place_code": (fake_ids.fake_place_code, None),
    "shape": (None, None),
}

#: entity -> (generator, context kind), for every entity the table gives a generator.
GENERATORS: dict[str, tuple[Generator | None, str | None]] = {
    entity: GENERATOR_FUNCTIONS[name] for entity, name in FAKE_GENERATOR.items()
}

FAKE_ENTITIES = frozenset(GENERATORS)

_SEX = {
    "1": "M", "m": "M", "h": "M", "homme": "M", "masculin": "M", "mr": "M", "m.": "M", "monsieur": "M",
    "male": "M", "3": "M", "7": "M",
    "2": "F", "f": "F", "femme": "F", "feminin": "F", "féminin": "F", "mme": "F", "mlle": "F", "madame": "F",
    "mademoiselle": "F", "female": "F", "4": "F", "8": "F",
}


def norm_sex(value: str) -> str:
    """``M`` / ``F`` / ``""`` from SEXE (1/2, H/F, M/F, words) or CIVILITE (M, MME, MLLE...)."""
    return _SEX.get(value.strip().casefold().rstrip("."), "") if value else ""


_BAND = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")


def _norm_birth(value: str) -> str:
    """A released birth date as a NIR needs it: ``YYYY-MM``, ``YYYY``, ``YYYY..YYYY`` (a band such
    as ``1980-1989``), or '' (``*`` or unreadable: keyed)."""
    band = _BAND.match(value) if value else None
    if band:
        lo, hi = int(band.group(1)), int(band.group(2))
        return f"{lo:04d}..{hi:04d}" if lo <= hi else ""
    ym = year_month(value) if value else None
    if ym is None:
        return ""
    return f"{ym[0]:04d}" + (f"-{ym[1]:02d}" if ym[1] else "")


def _norm_place(value: str) -> str:
    """A released birthplace as a NIR needs it (``fast.nir_bodies``' place spec): a commune code
    ``C:33236``, a département ``D:33``, a country abroad ``X:99350``, ``F`` France, ``E`` abroad,
    '' unknown."""
    v = value.strip().upper()
    if not v or v == "*":
        return ""
    if v in ("FRANCE", "99100"):
        return "F"
    if v in ("ETRANGER", "ÉTRANGER"):
        return "E"
    if len(v) == 5 and v.startswith("99"):
        return "X:" + v
    if len(v) == 5 and (v.isdigit() or v[:2] in ("2A", "2B")):
        return "C:" + v
    if len(v) in (2, 3) and (v.isdigit() or v in ("2A", "2B")):
        return "D:" + v
    return ""


def _birthplace(commune: str, country: str) -> str:
    """The NIR place from the released birth commune and country: a foreign country wins."""
    c = _norm_place(country)
    if c.startswith("X:") or c == "E":
        return c
    return _norm_place(commune) or c


_BIRTH_WORDS = re.compile(r"NAIS|NAISS|BIRTH|_NE_|^NE_", re.IGNORECASE)


def _birth_column(context: TransformContext, entities: set[str], n: int, index) -> pd.Series | None:
    """A birthplace column of the row context for this NIR: its name says birth (``COMNAIS``,
    ``PAYSNAIS``) and, when the NIR's name has a suffix (``NIRCJ``: the spouse's), it shares it."""
    rc = context.row_context
    if rc is None:
        return None
    me = str(context.column).upper()
    suffix = me.split("NIR", 1)[1] if "NIR" in me else ""
    cands = [c for c in rc.columns if context.entities.get(c) in entities and _BIRTH_WORDS.search(str(c))
             and (str(c).upper().endswith(suffix) if suffix else not any(
                 str(c).upper().endswith(x) for x in ("CJ", "_CONJOINT")))]
    if not cands:
        return None
    s = to_text(rc[cands[0]])
    if len(s) != n:
        return None
    s.index = index
    return s


def _per_distinct(s: pd.Series, fn: Callable[[str], str]) -> pd.Series:
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    mapped = pd.Series([fn(u) for u in uniques], dtype=object)
    return pd.Series(mapped.to_numpy()[codes], index=s.index, dtype=object)


def _per_distinct_pair(a: pd.Series, b: pd.Series, fn: Callable[[str, str], str]) -> pd.Series:
    """``a.combine(b, fn)`` for two row-aligned text columns, ``fn`` run once per distinct pair
    (a birth commune and country recur: ``combine`` called it on every row)."""
    ca, ua = pd.factorize(a, use_na_sentinel=False)
    cb, ub = pd.factorize(b, use_na_sentinel=False)
    nb = max(len(ub), 1)
    codes, pairs = pd.factorize(ca.astype(np.int64) * nb + cb, use_na_sentinel=False)
    la, lb = list(ua), list(ub)
    mapped = np.array([fn(la[p // nb], lb[p % nb]) for p in pairs.tolist()], dtype=object)
    return pd.Series(mapped[codes], index=a.index, dtype=object)


def _context_series(kind: str | None, params: dict, context: TransformContext, n: int, index) -> list[pd.Series]:
    """Row-aligned normalised context strings for a generator (empty when unknown)."""
    rc = context.row_context

    def col(entities: set[str], override_param: str) -> pd.Series | None:
        c = context.find_column(entities, override=params.get(override_param))
        if c is None or rc is None:
            return None
        s = to_text(rc[c])
        if len(s) != n:
            return None
        s.index = index
        return s

    empty = pd.Series([""] * n, index=index, dtype=object)
    if kind == "sex":  # the released sex; hidden or unreadable: the names are drawn, not guessed
        s = col({"SEX", "CIVILITY"}, "sex_column")
        return [empty if s is None else _per_distinct(s, lambda v: norm_sex(v) or names.HIDDEN)]
    if kind == "nir":
        sx = col({"SEX", "CIVILITY"}, "sex_column")
        bd = col({"BIRTH_DATE"}, "birth_date_column")
        bc = _birth_column(context, {"COMMUNE_CODE"}, n, index)
        bk = _birth_column(context, {"COUNTRY_CODE"}, n, index)
        place = _per_distinct_pair(empty if bc is None else bc, empty if bk is None else bk, _birthplace)
        return [empty if sx is None else _per_distinct(sx, norm_sex),
                empty if bd is None else _per_distinct(bd, _norm_birth), place]
    if kind == "nir_key":
        s = col({"NIR"}, "nir_column")
        return [empty if s is None else s]
    if kind == "names":
        f = col({"FIRST_NAME"}, "first_name_column")
        la = col({"LAST_NAME"}, "last_name_column")
        return [empty if f is None else f, empty if la is None else la]
    if kind == "bic":
        s = col({"IBAN"}, "iban_column")
        return [empty if s is None else s]
    return []


#: the context kinds :func:`_context_series` reads the row context for (the others read nothing)
_ROW_CONTEXT_KINDS = frozenset({"sex", "nir", "nir_key", "names", "bic"})


def reads_row_context(entity: str | None, params: dict) -> bool:
    """Whether ``fake`` of this entity (``params['entity']`` first, as ``fake`` reads it) looks at
    ``context.row_context`` at all: a re-draw of the others need not gather the rows' context."""
    name = str(params.get("entity") or entity or "RECORD_ID").upper()
    return GENERATORS.get(name, (None, None))[1] in _ROW_CONTEXT_KINDS


class FakeParams(ActionParams):
    """``fake`` parameters (module doc, ``fake``); checked when the policy loads."""

    action: ClassVar[str] = "fake"
    entity: str | None = None
    domain: str = "example.fr"
    sex_column: str | None = None
    birth_date_column: str | None = None
    nir_column: str | None = None
    iban_column: str | None = None
    first_name_column: str | None = None
    last_name_column: str | None = None


# ---------------------------------------------------------------- identifiers inside word cells

#: Entities whose cells are words (names, addresses, employers and landlords; not the SIREN,
#: SIRET or house number, which are digits by nature). An identifier glued to the words of such
#: a cell (``Durand 185017510012362``, ``Nicolas 0600000000``) is found and faked as its own kind;
#: the generator of the column only changes words and would release it (issue #16 item 4).
WORD_ENTITIES = frozenset(n for n, e in ENTITIES.items()
                          if e.family in ("name", "address", "company") and not e.compact and n != "STREET_NUMBER")
#: spans free-text detection finds that are the words themselves: left to the column's generator
_WORD_KINDS = frozenset(n for n, e in ENTITIES.items() if e.family in ("name", "address", "place"))
#: a cell worth a look: an @, six digits in a row, or nine digits with single separators between
_EMBEDDED = re.compile(r"@|[0-9]{6}|[0-9](?:[\s.\-/]?[0-9]){8}")
_DIGIT_RUN = re.compile(r"[0-9]{6,}")
_PHONE_RUN = re.compile(r"(?<![0-9+])(?:\+\s?33\s?(?:\(0\)\s?)?|0033\s?|0)[1-9](?:[\s.\-]?[0-9]{2}){4}(?![0-9])")


def embedded_identifiers(values) -> dict[str, list[tuple[int, int, str]]]:
    """Per value holding an identifier-like part, the ``(start, end, entity)`` spans to fake as
    their own kind: the free-text recognizers' identifiers (no NER: the words are the column's
    business), then any other French phone number, then any other run of six digits or more
    (``RECORD_ID``: digits of the same length). Values without an @ or such digits are skipped
    before any detection, so a name column costs one regular-expression test per distinct value."""
    flagged = [v for v in dict.fromkeys(values) if isinstance(v, str) and _EMBEDDED.search(v)]
    if not flagged:
        return {}
    from anonymizer.detect import find_spans  # lazy: loads the recognizers, only for such cells

    out: dict[str, list[tuple[int, int, str]]] = {}
    for v, found in zip(flagged, find_spans(flagged, ner=False), strict=True):
        spans = [(r.start, r.end, r.entity_type) for r in found if r.entity_type not in _WORD_KINDS]
        for rx, kind in ((_PHONE_RUN, "PHONE"), (_DIGIT_RUN, "RECORD_ID")):
            for m in rx.finditer(v):
                if not any(a < m.end() and m.start() < b for a, b, _k in spans):
                    spans.append((m.start(), m.end(), kind))
        if spans:
            out[v] = sorted(spans)
    return out


def identifier_like(values: pd.Series) -> np.ndarray:
    """Which cells hold an @ or a run of digits :func:`embedded_identifiers` would look at: one
    regular-expression test per distinct value (a name column repeats its names)."""
    text = to_text(values)
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    search = _EMBEDDED.search
    flags = np.fromiter((search(u) is not None for u in uniques.tolist()), dtype=bool, count=len(uniques))
    return flags[codes]


def _fake_segment(segment: str, entity: str, d: Deriver, ctx: list[str], params: dict) -> str:
    """The words between embedded identifiers, faked by the column's generator (spaces kept)."""
    core = segment.strip()
    if not _ALNUM.search(core):
        return segment
    lead = segment[: len(segment) - len(segment.lstrip())]
    trail = segment[len(segment.rstrip()):]
    return lead + fake_value(core, entity=entity, deriver=d, ctx=ctx, params=params) + trail


def fake_with_identifiers(value: str, spans: list[tuple[int, int, str]], *, entity: str, deriver: Deriver,
                          ctx: list[str] | None = None, params: dict | None = None) -> str:
    """``value`` with each span faked as its kind (a NIR as a fake NIR, a phone in the fiction
    ranges, other digits as keyed digits of the same length) and the words around them faked
    as ``entity``, so neither the identifier nor the name is released."""
    out, pos = [], 0
    for start, end, kind in spans:
        out.append(_fake_segment(value[pos:start], entity, deriver, list(ctx or []), params or {}))
        out.append(fake_value(value[start:end], entity=kind, deriver=deriver))
        pos = end
    out.append(_fake_segment(value[pos:], entity, deriver, list(ctx or []), params or {}))
    return "".join(out)


@lru_cache(maxsize=1)
def _default_domain() -> str:
    return str(FakeParams.field_default("domain"))


_CALL_SPECIAL = frozenset({"NIR", "EMAIL"})


def _call(entity: str, gen: Generator | None, value: str, d: Deriver, ctx: list[str], params: dict) -> str | None:
    if gen is None:
        return None
    if entity == "NIR":
        sex, birth, place = (list(ctx) + ["", "", ""])[:3]
        return gen(value, d, sex, _birth_spec(birth), place)
    if entity == "EMAIL":
        first, last = (list(ctx) + ["", ""])[:2]
        return gen(value, d, first, last, domain=str(params.get("domain", _default_domain())))
    return gen(value, d, *ctx)


def fake_value(value: str, *, entity: str, deriver: Deriver, ctx: Sequence[str] | None = None,
               params: dict | None = None) -> str:
    """The fake of one value (used by ``fake`` per distinct value and by ``redact`` per span)."""
    if not _ALNUM.search(value):
        return ""
    gen, _kind = GENERATORS.get(entity, (None, None))
    if gen is not None and entity not in _CALL_SPECIAL:  # ``_call``'s common case, without its copies
        out = gen(value, deriver, *ctx) if ctx else gen(value, deriver)
    else:
        out = _call(entity, gen, value, deriver, list(ctx or []), params or {})
    if out is not None and entity == "NIR_KEY" and ctx and ctx[0]:
        # the key of the row's fake NIR: agreement with that NIR wins over "never the original"
        # (a 2-digit key equal to the original one, 1 time in 97, says nothing about the person)
        return out
    orig = norm_identifier(value)
    attempt = 0
    while out is None or norm_identifier(out) == orig:
        out = shape_fake(value, deriver.stream("SHAPE/" + entity, value, attempt))
        attempt += 1
        if attempt > 64:  # a value of one repeated character class can still differ: force it
            out = "X" + value if value[:1] != "X" else "Y" + value
            break
    return out


def fake(series: pd.Series, *, key: bytes, params: dict, context: TransformContext) -> pd.Series:
    """Keyed, format-preserving fakes for the column's entity (``params['entity']`` or
    ``context.entity``; unknown entities get same-shape fakes). Params: ``domain`` for
    e-mails (``example.fr``), ``sex_column`` / ``birth_date_column`` / ``nir_column`` /
    ``iban_column`` to name context columns."""
    key = require_key(key, "fake")
    entity = str(params.get("entity") or context.entity or "RECORD_ID").upper()
    # ``compound`` is set at run time by the late re-draws of a colliding name (collisions.py);
    # a policy cannot set it (FakeParams has no such field)
    d = Deriver(key, compound=bool(params.get("compound")))
    text = to_text(series)
    _gen, kind = GENERATORS.get(entity, (None, None))
    extras = _context_series(kind, params, context, len(text), text.index)
    if entity in _BATCH:
        out = _map_batch(text, extras, entity, d, params)
    else:
        out = _map_units(text, extras, entity, d, params)
    return from_text(series, out)


#: (entity, key, compound, params) -> {(value, *context): fake}: the fakes of the distinct units
#: of earlier batches and re-draws of the run. A fake is a pure function of these, and a column
#: of names, streets or employers repeats most of its units from one batch to the next (100,000
#: rows in four batches: 30-75 % of a name column's units were in an earlier batch; more with
#: more batches). Bounded: cleared when it holds ``_UNITS_MAX`` fakes (about 40 MB at most).
_UNITS: dict[tuple, dict[tuple, str]] = {}
_UNITS_MAX = 1 << 17
_UNITS_SIZE = [0]


def clear_caches() -> None:
    """Forget the fakes of earlier batches (per run: ``anonymizer.transform.clear_caches``)."""
    _UNITS.clear()
    _UNITS_SIZE[0] = 0


def _memo_of(entity: str, d: Deriver, params: dict) -> dict[tuple, str] | None:
    """The memo of the fakes under (entity, key, compound, params), None when a parameter
    cannot be part of a dictionary key."""
    try:
        sig = (entity, d.key, d.compound, tuple(sorted(params.items())))
        hash(sig)
    except TypeError:
        return None
    memo = _UNITS.get(sig)
    if memo is None:
        memo = _UNITS[sig] = {}
    return memo


def _map_units(text: pd.Series, extras: list[pd.Series], entity: str, d: Deriver, params: dict) -> list[str]:
    """``map_distinct`` of the one-value fake over the distinct ``(value, *context)`` units, each
    unit faked once per run (:data:`_UNITS`): a unit an earlier batch or re-draw faked under the
    same key, entity and parameters is looked up. A mostly distinct column (more units than half
    its rows: e-mails) is neither looked up nor stored: it would seldom be found again."""
    codes, units = distinct_units(text, extras or None)
    memo = _memo_of(entity, d, params) if 2 * len(units) <= len(text) else None
    if memo is None:
        fakes = _fake_units(units, entity, d, params)
    else:
        get = memo.get
        fakes = [get(u) for u in units]
        todo = [i for i, f in enumerate(fakes) if f is None]
        if todo:
            fresh = _fake_units([units[i] for i in todo], entity, d, params)
            if _UNITS_SIZE[0] + len(todo) > _UNITS_MAX:
                clear_caches()
                memo = _memo_of(entity, d, params)
            for i, f in zip(todo, fresh, strict=True):
                fakes[i] = memo[units[i]] = f
            _UNITS_SIZE[0] += len(todo)
    results = np.array(fakes + [""], dtype=object)
    return results[codes].tolist()


def _fake_units(units: list[tuple], entity: str, d: Deriver, params: dict) -> list[str]:
    """The fake of each ``(value, *context)`` unit: an identifier glued to a word cell's words is
    faked as its own kind (:func:`embedded_identifiers`), the rest by the entity's generator."""
    embedded = embedded_identifiers([u[0] for u in units]) if entity in WORD_ENTITIES else {}

    def one(value: str, *ctx: str) -> str:
        spans = embedded.get(value)
        if spans:
            return fake_with_identifiers(value, spans, entity=entity, deriver=d, ctx=list(ctx), params=params)
        return fake_value(value, entity=entity, deriver=d, ctx=ctx, params=params)

    return [one(*u) for u in units]


def fake_many(values: list[str], entity: str, d: Deriver) -> list[str]:
    """``fake_value`` of each value with no row context (free-text spans), vectorised where
    the entity has a batch generator."""
    if entity in _BATCH:
        return _BATCH[entity](values, [[] for _ in values], d, {})
    return [fake_value(v, entity=entity, deriver=d) for v in values]


# ---------------------------------------------------------------- vectorised path


def _map_batch(text: pd.Series, extras: list[pd.Series], entity: str, d: Deriver, params: dict) -> list[str]:
    """``map_distinct`` for the vectorised entities: one batch call over the distinct units."""
    codes, units = distinct_units(text, extras or None)
    values = [u[0] for u in units]
    ctxs = [list(u[1:]) for u in units]
    results = np.array(_BATCH[entity](values, ctxs, d, params) + [""], dtype=object)
    return results[codes].tolist()


def _finish(values: list[str], ctxs: list[list[str]], ok: list[int], fakes: list[str], redo: list[bool],
            entity: str, d: Deriver, params: dict) -> list[str]:
    """Scatter batch fakes back; values the batch could not parse, or whose fake equals the
    original (``redo``: re-draws), go through the one-value path, which gives the same answer."""
    out: list[str | None] = [None] * len(values)
    tmpl_idx, tmpl_chars = [], []
    for j, i in enumerate(ok):
        if redo[j]:
            continue
        tmpl_idx.append(i)
        tmpl_chars.append(fakes[j])
    filled = fast.fill_templates([values[i] for i in tmpl_idx], tmpl_chars)
    for i, f in zip(tmpl_idx, filled, strict=True):
        out[i] = f
    return [o if o is not None else fake_value(values[i], entity=entity, deriver=d, ctx=ctxs[i], params=params)
            for i, o in enumerate(out)]


_NIR13 = re.compile(r"[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?")


def _batch_caf(values, ctxs, d, params):
    norms_all = [norm_identifier(v) for v in values]
    ok = [i for i, n in enumerate(norms_all) if len(n) == 7 and n.isdigit()]
    norms = [norms_all[i] for i in ok]
    fakes = fast.caf_numbers(fast.words(d.subkey("CAF_NUMBER"), norms)).tolist() if ok else []
    redo = [f == n for f, n in zip(fakes, norms, strict=True)]
    return _finish(values, ctxs, ok, fakes, redo, "CAF_NUMBER", d, params)


@lru_cache(maxsize=65536)
def _birth_spec(birth: str) -> tuple[int, int, int | None] | None:
    """(first year, last year, month or None) of a ``_norm_birth`` text, None when unknown."""
    if not birth:
        return None
    if ".." in birth:
        lo, hi = birth.split("..")
        return int(lo), int(hi), None
    y = int(birth[:4])
    return y, y, (int(birth[5:7]) if len(birth) > 4 else None)


def _batch_nir(values, ctxs, d, params):
    raws = fast.alnum_upper(values)
    ok = [i for i, r in enumerate(raws) if _NIR13.fullmatch(r)]
    norms = [raws[i][:13] for i in ok]
    cx = [(list(ctxs[i]) + ["", "", ""])[:3] for i in ok]
    bodies = fast.nir_bodies(fast.words(d.subkey("NIR"), norms), [c[0] for c in cx],
                             [_birth_spec(c[1]) for c in cx], [c[2] for c in cx]).tolist() if ok else []
    fakes = [b + (fast.nir_keys([b])[0] if len(raws[i]) == 15 else "") for b, i in zip(bodies, ok, strict=True)]
    redo = [b == n for b, n in zip(bodies, norms, strict=True)]  # as the one-value path: bodies compared
    return _finish(values, ctxs, ok, fakes, redo, "NIR", d, params)


_TO_ZERO = str.maketrans("123456789", "000000000")


def _batch_phone(values, ctxs, d, params):
    """``fake_phone`` over a batch: values grouped by shape (ASCII digits -> ``0``: a ``0`` of the
    shape is a digit of the value), each group's last 9 digits read and replaced with one
    codepoint-array assignment; one HMAC per distinct 9-digit number."""
    groups: dict[str, list[int]] = {}
    for i, v in enumerate(values):
        groups.setdefault(v.translate(_TO_ZERO), []).append(i)
    out: list[str | None] = [None] * len(values)
    todo = []  # (indices, width, last 9 digit positions, codepoints or None)
    for shape, idx in groups.items():
        pos = [k for k, c in enumerate(shape) if c == "0"]
        if not 9 <= len(pos) <= 15:
            continue
        last = pos[-9:]
        width = len(shape)
        if len(idx) < 16 or "\x00" in shape:  # few values (or a NUL numpy would drop): one by one
            todo.append((idx, width, last, None))
            continue
        cp = np.array([values[i] for i in idx], dtype=f"<U{width}").view(np.uint32).reshape(len(idx), width)
        todo.append((idx, width, last, cp))
    sigs: list[str] = []
    for idx, _w, last, cp in todo:
        if cp is None:
            sigs.extend("".join(values[i][k] for k in last) for i in idx)
        else:
            sigs.extend(np.ascontiguousarray(cp[:, last]).view("<U9").reshape(-1).tolist())
    if not sigs:
        return [fake_value(v, entity="PHONE", deriver=d, ctx=c, params=params) for v, c in zip(values, ctxs, strict=True)]
    uniq = {sg: j for j, sg in enumerate(dict.fromkeys(sigs))}  # one HMAC per distinct number
    u_sigs = list(uniq)
    mobile = np.array([sg[0] in "67" for sg in u_sigs], dtype=bool)
    u_new = fast.phone_numbers(fast.words(d.subkey("PHONE"), u_sigs), mobile)
    new = u_new[[uniq[sg] for sg in sigs]]
    at = 0
    for idx, width, last, cp in todo:
        m = len(idx)
        fresh, old = new[at:at + m], sigs[at:at + m]
        at += m
        if cp is None:
            for i, f, sg in zip(idx, fresh.tolist(), old, strict=True):
                if f != sg:
                    chars = list(values[i])
                    for k, c in zip(last, f, strict=True):
                        chars[k] = c
                    out[i] = "".join(chars)
            continue
        res = cp.copy()
        res[:, last] = np.ascontiguousarray(fresh.astype("<U9")).view(np.uint32).reshape(m, 9)
        done = res.view(f"<U{width}").reshape(m).tolist()
        for i, f, sg, r in zip(idx, fresh.tolist(), old, done, strict=True):
            if f != sg:
                out[i] = r
    return [o if o is not None else fake_value(values[i], entity="PHONE", deriver=d, ctx=ctxs[i], params=params)
            for i, o in enumerate(out)]


def _batch_iban(values, ctxs, d, params):
    raws = fast.alnum_upper(values)
    ok = [i for i, r in enumerate(raws) if len(r) == 27 and r[:2] == "FR" and r[2:4].isdigit()]
    norms = [raws[i] for i in ok]
    fakes = fast.fr_ibans(fast.words(d.subkey("IBAN"), norms), [n[4:9] for n in norms]).tolist() if ok else []
    redo = [f == n for f, n in zip(fakes, norms, strict=True)]
    return _finish(values, ctxs, ok, fakes, redo, "IBAN", d, params)


_MATRICULE = re.compile(r"[0-9A-Z]{3}\d{7}")
_DIGITS7 = re.compile(r"\d{7}")


def _checked(values: list[str], outs: list[str | None], norms: list[str | None], entity: str, d: Deriver,
             ctxs, params: dict) -> list[str]:
    """``fake_value``'s last step over a batch: a value with no batch fake (``None``), or whose fake
    normalises to the original (``norms[i]``: the original's ``norm_identifier``, or None when not
    yet computed), goes through the one-value path, which gives the same answer."""
    res = []
    for i, (v, o) in enumerate(zip(values, outs, strict=True)):
        if o is not None:
            n = norms[i]
            if norm_identifier(o) != (norm_identifier(v) if n is None else n):
                res.append(o)
                continue
        res.append(fake_value(v, entity=entity, deriver=d, ctx=ctxs[i], params=params))
    return res


def _batch_matricule(values, ctxs, d, params):
    """``fake_caf_matricule`` over a batch: one HMAC per value, the 7-digit fake drawn as
    ``fast.caf_numbers`` draws it for ``fake_caf_number`` (attempt 0; a fake equal to the original
    number re-draws in the one-value path)."""
    alnum = fake_ids._alnum
    ok, norms = [], []
    for i, v in enumerate(values):
        raw = alnum(v)
        if _MATRICULE.fullmatch(raw):
            num = raw[3:] if raw.isascii() else norm_identifier(raw[3:])
            if _DIGITS7.fullmatch(num):
                ok.append(i)
                norms.append((raw[:3], num))
    nums = [n for _c, n in norms]
    fakes = fast.caf_numbers(fast.words(d.subkey("CAF_NUMBER"), nums)).tolist() if ok else []
    keep = [j for j, (f, n) in enumerate(zip(fakes, nums, strict=True)) if f != n]
    filled = fast.fill_templates([values[ok[j]] for j in keep], [norms[j][0] + fakes[j] for j in keep])
    outs: list[str | None] = [None] * len(values)
    for j, f in zip(keep, filled, strict=True):
        outs[ok[j]] = f
    return _checked(values, outs, [None] * len(values), "CAF_MATRICULE", d, ctxs, params)


_TAX_ID = re.compile(r"[0-3]\d{12}")


def _batch_tax_id(values, ctxs, d, params):
    """``fake_tax_id`` over a batch: its first attempt's two stream draws (``between(1, 3)`` from
    digest bytes 0-5, ``digits(9)`` = ``below(10**9)`` from bytes 6-13, as ``Stream`` reads them)
    in numpy, the ``stdnum.fr.nif`` key (first 10 digits mod 511) too."""
    norms = [norm_identifier(v) for v in values]
    ok = [i for i, n in enumerate(norms) if _TAX_ID.fullmatch(n)]
    outs: list[str | None] = [None] * len(values)
    if ok:
        sk = d.subkey("FR_TAX_ID")
        dig = hmac_sha256
        row = {n: j for j, n in enumerate(dict.fromkeys(norms[i] for i in ok))}  # one HMAC per norm
        buf = np.frombuffer(b"".join([dig(sk, n.encode("utf-8")) for n in row]),
                            dtype=np.uint8).reshape(-1, 32).astype(np.uint64)
        buf = buf[[row[norms[i]] for i in ok]]
        b48 = np.zeros(len(ok), dtype=np.uint64)
        for k in range(6):
            b48 = (b48 << np.uint64(8)) | buf[:, k]
        b64 = np.zeros(len(ok), dtype=np.uint64)
        for k in range(6, 14):
            b64 = (b64 << np.uint64(8)) | buf[:, k]
        first = (b48 % np.uint64(3) + np.uint64(1)).astype(np.int64)
        rest = (b64 % np.uint64(10**9)).astype(np.int64)
        key = (first * 10**9 + rest) % 511
        bodies = np.char.add(first.astype(str), np.char.zfill(rest.astype(str), 9))
        cands = np.char.add(bodies, np.char.zfill(key.astype(str), 3)).tolist()
        keep = [j for j, i in enumerate(ok) if cands[j] != norms[i]]
        filled = fast.fill_templates([values[ok[j]] for j in keep], [cands[j] for j in keep])
        for j, f in zip(keep, filled, strict=True):
            outs[ok[j]] = f
    return _checked(values, outs, norms, "FR_TAX_ID", d, ctxs, params)


_BATCH = {"CAF_NUMBER": _batch_caf, "NIR": _batch_nir, "PHONE": _batch_phone, "IBAN": _batch_iban,
          "CAF_MATRICULE": _batch_matricule, "FR_TAX_ID": _batch_tax_id}


def order_columns(columns: list[str], entities: dict[str, str | None]) -> list[str]:
    """An order to transform columns in so row context is ready when needed: sex, civility and
    dates first, then the identifiers, then what derives from them (NIR_KEY after NIR, BIC
    after IBAN, e-mails after names): the entity table's execution rank, as the plan's. Stable."""
    return sorted(columns, key=lambda c: ENTITY_RANK.get(entities.get(c) or "", 1))
