"""Fake names, streets, addresses and organisations (Faker ``fr_FR`` pools, keyed draws).

Pools are built once from Faker's ``fr_FR`` person provider (88 male and 131 female first
names, 400 surnames in Faker 40): the draw is ``pool[HMAC-stream % len(pool)]``, so no
Faker RNG is involved and the same original + key gives the same fake. Case style follows
the original (``DUPONT`` -> ``MARTIN``, ``Dupont`` -> ``Martin``); accents are dropped when the
original is unaccented upper case. Every word-level fake differs from its original word, so a whole
fake never equals its original.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anonymizer.transform import vocab
from anonymizer.transform.base import Deriver, Stream, case_like, norm_word, prf, shape_fake, strip_accents

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
#: The sex of a row whose sex column was released hidden (``*``): first names are drawn.
HIDDEN = "X"


def _pool(values) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for v in values:
        seen.setdefault(str(v), None)
    return tuple(seen)


@lru_cache(maxsize=1)
def not_french() -> frozenset[str]:
    """The entries of Faker's ``fr_FR`` first-name lists that are not French given names
    (``rules/data/first_names_not_french.txt``: Susan, Margaret...)."""
    from anonymizer.resources import rules_path

    lines = rules_path("data", "first_names_not_french.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def pools() -> dict[str, tuple[str, ...]]:
    from anonymizer import lazy_init

    lazy_init.install("faker")  # its __init__ lists every locale's providers: only these two are read
    from faker.providers.address.fr_FR import Provider as Addr
    from faker.providers.person.fr_FR import Provider as Person

    male = _pool(n for n in Person.first_names_male if n not in not_french())
    female = _pool(n for n in Person.first_names_female if n not in not_french())
    return {
        "M": male,
        "F": female,
        "LAST": _pool(Person.last_names),
        "CITY_SUFFIX": _pool(Addr.city_suffixes),
    }


@lru_cache(maxsize=1)
def _first_names() -> tuple[str, ...]:
    """The male then the female pool (the e-mail and street-name draws' list)."""
    p = pools()
    return p["M"] + p["F"]


@lru_cache(maxsize=1)
def _first_name_sex() -> dict[str, str]:
    p = pools()
    out = {norm_word(n): "M" for n in p["M"]}
    for n in p["F"]:
        out[norm_word(n)] = "F" if norm_word(n) not in out else ""
    return out


def guess_sex(first_name: str) -> str:
    """``M`` / ``F`` when the first name is in exactly one Faker pool, else ``""``."""
    return _first_name_sex().get(norm_word(first_name), "")


@lru_cache(maxsize=1 << 16)
def is_first_name(word: str) -> bool:
    """Memoised: every token of every person and organisation cell asks (the pools are fixed)."""
    return norm_word(word) in _first_name_sex()


def _fake_word(word: str, d: Deriver, entity: str, sex: str = "") -> str:
    return _word_fake(d.subkey(entity), entity, word, sex)


@lru_cache(maxsize=1 << 17)
def _word_fake(sk: bytes, entity: str, word: str, sex: str) -> str:
    """The fake of one word as written (pool draw, then the original's case style).

    Memoised like ``_word_draw``, by (sub-key, word as written): a column of 10^5 names holds a
    few thousand distinct words, so the normalisation and the case styling run once per word."""
    n = norm_word(word)
    cand = _word_draw(sk, entity, n, sex)
    if cand is not None:
        return case_like(word, cand)
    return case_like(word, shape_fake(word, Stream(prf(sk, f"{n}\x0099"))))


@lru_cache(maxsize=1 << 17)
def _word_draw(sk: bytes, entity: str, n: str, sex: str) -> str | None:
    """The pool draw for one normalised word (``None``: 64 draws all equalled it).

    Memoised because the same first names and surnames recur in every name column, batch and
    comment: a bounded cache of (sub-key, word) -> fake, not a dictionary of the data.
    """
    p = pools()
    for attempt in range(64):
        s = Stream(prf(sk, n if attempt == 0 else f"{n}\x00{attempt}"))
        if entity == "FIRST_NAME":
            cand = s.choice(p[sex if sex in ("M", "F") else ("F" if s.below(2) else "M")])
        else:
            cand = s.choice(p["LAST"])
        if norm_word(cand) != n:
            return cand
    return None


def _compound_word(word: str, d: Deriver, entity: str, sex: str = "") -> str:
    """Two pool names joined by a hyphen (``Jean-Marc``, ``MARTIN-LEROY``): the usual draw, then
    a second name of the same list (the first's sex for first names), other than both."""
    n = norm_word(word)
    sk = d.subkey(entity)
    first = _word_draw(sk, entity, n, sex)
    if first is None:
        return _fake_word(word, d, entity, sex)
    p = pools()
    if entity == "FIRST_NAME":
        which = sex if sex in ("M", "F") else _first_name_sex().get(norm_word(first), "")
        pool = p[which] if which else p["M"] + p["F"]
    else:
        pool = p["LAST"]
    s = Stream(prf(sk, f"{n}\x00compound"))
    for _ in range(64):
        second = s.choice(pool)
        if norm_word(second) not in (n, norm_word(first)):
            return case_like(word, f"{first}-{second}")
    return case_like(word, first)


def _single(value: str) -> bool:
    """One name word, no hyphen: the value a compound re-draw may lengthen."""
    return len(_WORD.findall(value)) == 1 and "-" not in value


def fake_first_word(word: str, d: Deriver, sex: str = "") -> str:
    """One first name (hyphenated parts faked one by one), of ``sex`` when known, else of the
    sex the original name suggests, else drawn; ``HIDDEN`` (the row's released sex is ``*``):
    drawn, never guessed from the original, which would give the hidden sex away."""
    return _first_word_fake(d.subkey("FIRST_NAME"), word, sex)


@lru_cache(maxsize=1 << 17)
def _first_word_fake(sk: bytes, word: str, sex: str) -> str:
    """``fake_first_word`` under the FIRST_NAME sub-key, memoised per (sub-key, word, sex)."""
    if "-" in word:
        return "-".join(_first_word_fake(sk, p, sex) for p in word.split("-"))
    return _word_fake(sk, "FIRST_NAME", word, sex or guess_sex(word))


def fake_last_word(word: str, d: Deriver) -> str:
    return _word_fake(d.subkey("LAST_NAME"), "LAST_NAME", word, "")


def clear_caches() -> None:
    """Forget the word memos (per run: ``anonymizer.transform.clear_caches``)."""
    for memo in (_word_draw, _word_fake, _first_word_fake):
        memo.cache_clear()


def _sub_words(value: str, fn) -> str:
    return _WORD.sub(lambda m: fn(m.group(0)), value)


def fake_last_name(value: str, d: Deriver, sex: str = "") -> str | None:
    if value.isalpha() and not d.compound:  # one word (every letter is a _WORD character): no particle
        return fake_last_word(value, d)
    words = _WORD.findall(value)
    if not words:
        return None
    if d.compound and _single(value):
        return _sub_words(value, lambda w: _compound_word(w, d, "LAST_NAME"))
    keep_particles = len(words) > 1
    return _sub_words(
        value, lambda w: w if (keep_particles and norm_word(w) in vocab.PARTICLES) else fake_last_word(w, d)
    )


def fake_first_name(value: str, d: Deriver, sex: str = "") -> str | None:
    if value.isalpha() and not d.compound:  # one word (every letter is a _WORD character)
        return fake_first_word(value, d, sex)
    if not _WORD.search(value):
        return None
    if d.compound and _single(value):
        return _sub_words(value, lambda w: _compound_word(w, d, "FIRST_NAME", sex or guess_sex(w)))
    return _sub_words(value, lambda w: fake_first_word(w, d, sex))


_CIV_F = {"mme", "mme.", "mlle", "mlle.", "madame", "mademoiselle"}
_CIV_M = {"m", "m.", "mr", "mr.", "monsieur"}
_PERSON_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?", re.UNICODE)


def fake_person(value: str, d: Deriver, sex: str = "") -> str | None:
    """``Prénom NOM`` / ``NOM Prénom`` / ``M. Jean DUPONT``: civilities and particles kept,
    each first name faked as a FIRST_NAME (by sex), each surname as a LAST_NAME."""
    toks = list(_PERSON_TOKEN.finditer(value))
    if not toks:
        return None
    words = [t.group(0) for t in toks]
    low = [w.casefold() for w in words]
    if sex in ("", HIDDEN):  # a civility in the text is released with it: it may say the sex
        if any(w in _CIV_F for w in low):
            sex = "F"
        elif any(w in _CIV_M for w in low):
            sex = "M"
    kinds: list[str] = []
    name_idx = [i for i, w in enumerate(low) if w not in vocab.CIVILITIES and w not in vocab.PARTICLES]
    has_upper = any(words[i].isupper() and len(words[i]) > 1 for i in name_idx)
    for i, w in enumerate(words):
        lw = low[i]
        if lw in vocab.CIVILITIES or (lw in vocab.PARTICLES and len(name_idx) > 1):
            kinds.append("keep")
        elif all(is_first_name(p) for p in w.split("-") if p) and len(name_idx) != 1:
            kinds.append("first")
        elif w.isupper() and len(w) > 1:
            kinds.append("last")
        elif has_upper:
            kinds.append("first")
        else:
            # no name word at all (``de la``: particles alone): each word faked as a surname,
            # as ``DE LA`` is (a cell must not stop the run, nor be released)
            kinds.append("last" if not name_idx or i == name_idx[-1] else "first")
    if "last" not in kinds and name_idx and len(name_idx) > 1:
        kinds[name_idx[-1]] = "last"
    compound = -1  # a late re-draw: one name of the cell (a first name, else the surname) made compound
    if d.compound:
        single = [i for i, k in enumerate(kinds) if k != "keep" and "-" not in words[i] and not words[i].endswith(".")]
        firsts = [i for i in single if kinds[i] == "first"]
        compound = firsts[0] if firsts else (single[-1] if single else -1)
    out, pos = [], 0
    for i, (t, kind) in enumerate(zip(toks, kinds, strict=True)):
        out.append(value[pos : t.start()])
        w = t.group(0)
        dot = w.endswith(".")
        core = w[:-1] if dot else w
        if kind == "keep":
            out.append(w)
        elif i == compound:
            out.append(_compound_word(core, d, "FIRST_NAME" if kind == "first" else "LAST_NAME",
                                      (sex or guess_sex(core)) if kind == "first" else ""))
        elif kind == "first":
            out.append(fake_first_word(core, d, sex) + ("." if dot else ""))
        else:
            out.append("-".join(fake_last_word(p, d) if p else p for p in core.split("-")) + ("." if dot else ""))
        pos = t.end()
    out.append(value[pos:])
    return "".join(out)


_TYPE_WORD = re.compile(r"\s*([^\W\d_][\w.'’-]*)\s+")


def _split_type(value: str) -> tuple[str, str]:
    """Leading street-type words (``RUE``, ``AV``, ``chemin de``...) and the rest."""
    m = _TYPE_WORD.match(value)
    if m and m.group(1).casefold() in vocab.STREET_TYPE_WORDS:
        return value[: m.end()], value[m.end() :]
    return "", value


def fake_street_name(value: str, d: Deriver, sex: str = "") -> str | None:
    """A street name: the street type is kept (it identifies nobody), the name is drawn from
    nature words or "Prénom NOM" patterns."""
    if not _WORD.search(value):
        return None
    head, rest = _split_type(value)
    if not rest.strip():
        return None
    n = norm_word(rest)
    last = pools()["LAST"]
    sk = d.subkey("STREET_NAME")  # d.stream's draws, the sub-key looked up once
    for attempt in range(64):
        s = Stream(prf(sk, n if attempt == 0 else f"{n}\x00{attempt}"))
        k = s.below(3)
        if k == 0:
            cand = s.choice(vocab.STREET_WORDS)
        elif k == 1:
            cand = s.choice(_first_names()) + " " + s.choice(last)
        else:
            cand = s.choice(last)
        if norm_word(cand) != n:
            template = rest if any(map(str.isalpha, rest)) else value
            return head + _case_phrase(template, cand)
    return None


def _case_phrase(template: str, phrase: str) -> str:
    letters = list(filter(str.isalpha, template))
    upper = bool(letters) and all(map(str.isupper, letters))
    if upper and template.isascii():
        phrase = strip_accents(phrase)
    if upper:
        return phrase.upper()
    if letters and all(map(str.islower, letters)):
        return phrase.lower()
    small = {"de", "du", "des", "la", "le", "les"}
    words = phrase.lower().split(" ")
    return " ".join(w if w in small else w[:1].upper() + w[1:] for w in words)


def fake_street_number(value: str, d: Deriver, sex: str = "") -> str | None:
    if not any(c.isdigit() for c in value):
        return None
    n = value.strip().casefold()
    for attempt in range(64):
        s = d.stream("STREET_NUMBER", n, attempt)
        out = re.sub(r"\d+", lambda m, s=s: shape_fake(m.group(0), s), value)
        if out.casefold() != value.casefold():
            return out
    return None


def fake_street_type(value: str, d: Deriver, sex: str = "") -> str | None:
    n = value.strip().casefold()
    if not n:
        return None
    pool = vocab.STREET_TYPES_ABBR if value.strip().upper() in vocab.STREET_TYPES_ABBR else vocab.STREET_TYPES_FULL
    for attempt in range(64):
        cand = d.stream("STREET_TYPE", n, attempt).choice(pool)
        if cand.casefold() != n:
            return case_like(value, cand) if pool is vocab.STREET_TYPES_FULL else cand
    return None


def fake_street_suffix(value: str, d: Deriver, sex: str = "") -> str | None:
    n = value.strip().upper()
    if n in vocab.INDREP:
        for attempt in range(64):
            cand = d.stream("STREET_SUFFIX", n, attempt).choice(vocab.INDREP)
            if cand != n:
                return cand if value.strip().isupper() else cand.lower()
    return None


def fake_city(value: str, d: Deriver) -> str:
    p = pools()
    n = norm_word(value)
    for attempt in range(64):
        s = d.stream("COMMUNE_NAME", n, attempt)
        cand = s.choice(p["LAST"]) + (s.choice(p["CITY_SUFFIX"]) if s.below(2) else "")
        if norm_word(cand) != n:
            return _case_phrase(value, cand)
    return value


_ADDRESS = re.compile(
    r"^(?P<lead>\s*)(?P<num>\d{1,4})(?P<sp1>\s*)(?P<rep>(?:bis|ter|quater|[btqc])\b)?(?P<sp2>[\s,]*)"
    r"(?P<street>.*?)(?:(?P<sp3>[\s,]+)(?P<cp>\d{5})(?P<sp4>\s+)(?P<town>[^\d].*?))?(?P<trail>\s*)$",
    re.IGNORECASE,
)


def fake_address(value: str, d: Deriver, sex: str = "") -> str | None:
    """``12 B RUE DES LILAS 33000 BORDEAUX``: number re-drawn (same digit count), street name
    faked as a STREET_NAME (so it agrees with a split LIBVOIE column), post code kept to its
    département (first 2 digits, 3 overseas), town faked."""
    m = _ADDRESS.match(value)
    if not m or not m.group("street").strip():
        return fake_street_name(value, d)
    g = m.groupdict(default="")
    # the parts recur across a column's distinct addresses: each is faked once per deriver
    num = d.cached("STREET_NUMBER", g["num"], lambda v: fake_street_number(v, d)) or g["num"]
    street = d.cached("STREET_NAME", g["street"], lambda v: fake_street_name(v, d)) or g["street"]
    out = g["lead"] + num + g["sp1"] + g["rep"] + g["sp2"] + street
    if g["cp"]:
        cp = d.cached("POSTAL_CODE", g["cp"], lambda v: _fake_cp(v, d))
        out += g["sp3"] + cp + g["sp4"] + d.cached("COMMUNE_NAME", g["town"], lambda v: fake_city(v, d))
    return out + g["trail"]


def _fake_cp(cp: str, d: Deriver) -> str:
    s = d.stream("POSTAL_CODE", cp)
    dep = 3 if cp.startswith("97") else 2
    return cp[:dep] + s.digits(5 - dep)


def fake_complement(value: str, d: Deriver, sex: str = "") -> str | None:
    """``BAT C ESC 2 APT 14`` / ``RES LES PINS`` / ``CHEZ DUPONT``: vocabulary kept, numbers
    and single letters re-drawn, other words replaced (a surname after CHEZ)."""
    if not any(c.isalnum() for c in value):
        return None
    n = norm_word(value)
    for attempt in range(64):
        s = d.stream("ADDRESS_COMPLEMENT", n, attempt)
        prev = [""]

        def repl(m: re.Match, s=s, prev=prev) -> str:
            w = m.group(0)
            lw = norm_word(w)
            out = w
            if w.isdigit():
                out = shape_fake(w, s)
            elif lw in vocab.KEEP_WORDS:
                out = w
            elif len(w) == 1 and w.isalpha():
                out = shape_fake(w, s)
            elif prev[0] == "chez":
                out = fake_last_word(w, d)
            else:
                out = case_like(w, s.choice(vocab.NATURE_WORDS))
            prev[0] = lw
            return out

        cand = re.sub(r"[^\W_]+", repl, value)
        if norm_word(cand) != n:
            return cand
    return None


def fake_organization(value: str, d: Deriver, sex: str = "") -> str | None:
    """Employer / landlord: legal forms and housing vocabulary kept, a person's name (with a
    civility or a known first name) faked as a PERSON, other words faked as surnames."""
    words = _WORD.findall(value)
    if not words:
        return None
    low = [w.casefold() for w in words]
    if any(w in vocab.CIVILITIES for w in low) or (
        len(words) in (2, 3) and any(is_first_name(w) for w in words) and not any(w in vocab.KEEP_WORDS for w in low)
    ):
        return fake_person(value, d, sex)
    out = re.sub(
        r"[^\W_]+",
        lambda m: (
            m.group(0)
            if (m.group(0).isalpha() and norm_word(m.group(0)) in vocab.KEEP_WORDS)
            else (shape_fake(m.group(0), d.stream("ORGANIZATION", m.group(0)))
                  if m.group(0).isdigit() else fake_last_word(m.group(0), d))
        ),
        value,
    )
    if norm_word(out) == norm_word(value):  # only vocabulary: nothing identifies, still change it
        return fake_last_word(value, d) if value.isalpha() else shape_fake(value, d.stream("ORGANIZATION", value))
    return out


_TRAIL_DIGITS = re.compile(r"\d*$")
_NOT_EMAIL = re.compile(r"[^a-z0-9._-]")


def fake_email(value: str, d: Deriver, first_ctx: str = "", last_ctx: str = "", *,
               domain: str = "example.fr") -> str | None:
    """``prenom.nom42@example.fr``: separator and number of trailing digits of the original
    local part kept, reserved domain; the names are the row's fake first and last names
    when the row context has them (so the e-mail agrees with PRENOM / NOM), else drawn.
    Without digits, the row-name form is keyed between ``prenom.nom`` and ``nom.prenom``."""
    stripped = value.strip()
    local = stripped.split("@", 1)[0]
    if not local:
        return None
    n = stripped.casefold()
    sep = next((c for c in local if c in "._-"), "")
    ndig = len(_TRAIL_DIGITS.search(local).group(0))
    lasts = pools()["LAST"]
    firsts = _first_names()
    row = bool(first_ctx.strip() and last_ctx.strip())
    sk = d.subkey("EMAIL")  # d.stream's draws, the sub-key looked up once
    for attempt in range(64):
        s = Stream(prf(sk, n if attempt == 0 else f"{n}\x00{attempt}"))
        first = s.choice(firsts)
        last = s.choice(lasts)
        from_row = row and attempt == 0
        if from_row:
            first, last = first_ctx.split()[0], last_ctx
        body = (first + sep + last) if sep else (first[0] + last)
        if from_row and not ndig and s.below(2):
            # no digits to vary: a keyed second form, so a re-draw under another key can move
            body = (last + sep + first) if sep else (first + last)
        body = _NOT_EMAIL.sub("", strip_accents(body).casefold())
        cand = body + (s.digits(ndig) if ndig else "") + "@" + domain
        if cand != n:
            return cand.upper() if value.isupper() else cand
    return None
