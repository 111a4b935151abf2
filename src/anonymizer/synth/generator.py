"""The fictitious CAF beneficiary extract: 181 columns, one foyer per row, fully vectorised.

Follows /work/shared/reference/caf_extract_schema.md (generation model §1, columns §3, checks §4).
Rows are generated in fixed blocks of ``BLOCK`` rows, each from its own seeded stream, so the
output depends only on (rows, seed, departement) — never on how it is chunked for writing —
and any size streams to disk in bounded memory.

All amounts are computed in integer cents so that totals are exact; every column is produced
as text exactly as written (``""`` for missing, decimal comma, ``JJ/MM/AAAA``).

Row order leaks nothing (schema #1 "shuffle before numbering"): rows are independent draws
and the planted single rows sit at seeded random positions, so NUMLIGNE = position + 1 is
already a shuffled numbering. NUMALLOC is an affine bijection of the position modulo
9,000,000 (unique for any size up to 9 million rows, looks random, never below 1000000).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from anonymizer.errors import UsageError
from anonymizer.i18n import _
from anonymizer.synth import arrowfmt as af
from anonymizer.synth import checkdigits as cd
from anonymizer.synth import reference as ref
from anonymizer.synth.pools import (
    LIEUX_DITS,
    RESIDENCES,
    STREET_PLURALS,
    STREET_TITLES,
    Pools,
    ascii_upper,
    build_pools,
)

BLOCK = 50_000
FREE_TEXT_OFFSETS_MAX_ROWS = 100_000
PLANTED_ROWS_MAX = 100_000  # above this, planted traps that touch 1 % of rows are described by count

M = af.MISSING
DTREF = int((np.datetime64("2021-12-31") - af.EPOCH).astype(int))
MOISDROIT = "202112"

# April 2021 scale (OpenFisca france parameters; schema §0): never mix periods.
BMAF = 414.81
RSA_BASE = 565.34
AAH_MAX = 903.60
SMIC_NET = 1231.0  # monthly net SMIC 2021, for the prime d'activité shape [assumption]

SEUL, COUPLE, COUPLE_ENF, MONO = 0, 1, 2, 3
ACT = np.array(["SAL", "TI", "CHOM_IND", "CHOM_NI", "ETU", "RET", "INAC", "HAND", "FORM"], dtype=object)
SAL, TI, CHOM_IND, CHOM_NI, ETU, RET, INAC, HAND, FORM = range(9)
STATOCC = np.array(["LOC_HLM", "LOC_PRIV", "ACCED", "PROP", "HEBG", "FOYER", "HOTEL", "SDF"], dtype=object)
LOC_HLM, LOC_PRIV, ACCED, PROP, HEBG, FOYER, HOTEL, SDF = range(8)

LANDLINE_RANGES = ("019900", "026191", "035301", "046571", "053649")  # ARCEP fiction ranges
MOBILE_RANGE = "063998"
SMALL_OVERSEAS = "97352"  # Saül (Guyane, ~150 inhabitants): the planted single-row commune

# Monthly benefit columns summed into TOTPREST (ARS excluded: MOISDROIT is December).
TOTAL_PARTS = ("RSA_MT", "PPA_MT", "AL_MT", "AF_MT", "AF_FORF", "CF_MT", "ASF_MT", "PAJE_AB_MT",
               "PREPARE_MT", "CMG_MT", "AEEH_MT", "AEEH_MPI", "AAH_MT", "AAH_MVA", "AJPP_MT")


# --------------------------------------------------------------------------- dates

_YMD_BASE = int((np.datetime64("1850-01-01") - af.EPOCH).astype(int))
_YMD_DAYS = np.arange(np.datetime64("1850-01-01"), np.datetime64("2100-01-01"))
_YMD = (
    _YMD_DAYS.astype("datetime64[Y]").astype(np.int64) + 1970,
    _YMD_DAYS.astype("datetime64[M]").astype(np.int64) % 12 + 1,
    (_YMD_DAYS - _YMD_DAYS.astype("datetime64[M]")).astype(np.int64) + 1,
)


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of day numbers (a table lookup: cheaper than datetime64 casts)."""
    i = np.asarray(days, np.int64) - _YMD_BASE
    return _YMD[0][i], _YMD[1][i], _YMD[2][i]


def _from_ymd(y, m, d) -> np.ndarray:
    months = (np.asarray(y, np.int64) - 1970) * 12 + np.asarray(m, np.int64) - 1
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + np.asarray(d, np.int64) - 1


def add_years(days: np.ndarray, years) -> np.ndarray:
    """Same calendar day ``years`` later (29 Feb -> 28 Feb in non-leap years)."""
    y, m, d = _ymd(days)
    y2 = y + np.asarray(years, np.int64)
    leap = (y2 % 4 == 0) & ((y2 % 100 != 0) | (y2 % 400 == 0))
    d2 = np.where((m == 2) & (d == 29) & ~leap, 28, d)
    return _from_ymd(y2, m, d2)


def add_months(days: np.ndarray, months) -> np.ndarray:
    """Same day ``months`` later, clipped to the month's end."""
    y, m, d = _ymd(days)
    t = (y * 12 + m - 1) + np.asarray(months, np.int64)
    y2, m2 = t // 12, t % 12 + 1
    first = _from_ymd(y2, m2, np.ones_like(y2))
    nxt = _from_ymd((t + 1) // 12, (t + 1) % 12 + 1, np.ones_like(y2))
    return first + np.minimum(d, nxt - first) - 1


def age_at(birth: np.ndarray, when) -> np.ndarray:
    """Completed years at ``when``."""
    yb, mb, db = _ymd(birth)
    yw, mw, dw = _ymd(np.broadcast_to(np.asarray(when, np.int64), np.shape(birth)))
    return yw - yb - ((mw * 100 + dw) < (mb * 100 + db))


def _between(rng, lo: np.ndarray, hi: np.ndarray, skew: float = 1.0) -> np.ndarray:
    """A day in [lo, hi]; skew > 1 pushes towards ``hi`` (recent)."""
    lo = np.asarray(lo, np.int64)
    hi = np.maximum(np.asarray(hi, np.int64), lo)
    u = rng.random(lo.shape) ** (1.0 / skew)
    return lo + np.floor(u * (hi - lo + 1)).astype(np.int64).clip(0, hi - lo)


# --------------------------------------------------------------------------- context

@dataclass
class _Context:
    rows: int
    seed: int
    departement: str
    pools: Pools
    plants: dict[str, list[int]]
    n_landlords: int
    alloc_a: int = 7_654_321
    alloc_b: int = 0
    # reference tables as arrays
    res_communes: list[dict] = field(default_factory=list)
    birth_communes: list[dict] = field(default_factory=list)
    region: str = ""


def _make_context(rows: int, seed: int, departement: str) -> _Context:
    dep = str(departement).strip().upper()
    if dep.isdigit() and len(dep) == 1:
        dep = "0" + dep
    communes = ref.communes()
    res = [c for c in communes if c["dep"] == dep and c["cedex"] == "0" and int(c["population"]) > 0
           and c["codcom"] != SMALL_OVERSEAS]
    if not res:
        known = sorted({c["dep"] for c in communes})
        raise UsageError(_('no bundled communes for département {dep!r}; choose one of {known}').format(dep=dep, known=', '.join(known)))
    region = res[0]["region"]
    rng = np.random.default_rng(np.random.SeedSequence([seed, 9001]))
    plants: dict[str, list[int]] = {}
    if rows >= 20:
        names = ["centenarian", "nine_children", "overseas_single", "oneoff_nat_1", "oneoff_nat_2",
                 "oneoff_nat_3", "cedex", "la_poste_siret"]
        pos = rng.choice(rows, size=len(names), replace=False)
        for name, p in zip(names, pos.tolist(), strict=True):
            plants[name] = [int(p)]
    births = [c for c in communes if c["cedex"] == "0" and int(c["population"]) > 0]
    return _Context(rows=rows, seed=seed, departement=dep, pools=build_pools(seed), plants=plants,
                    n_landlords=max(200, rows // 4), alloc_b=int(rng.integers(0, 9_000_000)),
                    res_communes=res, birth_communes=births, region=region)


# --------------------------------------------------------------------------- helpers

def _choice(rng, n: int, probs) -> np.ndarray:
    p = np.asarray(probs, float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def _cents(euros) -> np.ndarray:
    return np.round(np.asarray(euros, float) * 100).astype(np.int64)


def _names(pool: tuple[str, ...], idx: np.ndarray) -> pa.Array:
    return af.pick(pool, idx)


def _first_names(rng, p: Pools, sex: np.ndarray, two_share: float = 0.0, with_index: bool = False):
    """Faker first names by sex (1 = male), 15 % compound (Jean-Pierre); ``two_share`` of people
    get two first names. With ``with_index`` also returns the first one's index in ``p.first_all``.
    """
    n = len(sex)
    nm, nf, ncm = len(p.first_m), len(p.first_f), p.n_compound_m
    ncf = len(p.first_all) - nm - nf - ncm

    def draw() -> np.ndarray:
        comp = rng.random(n) < 0.15
        male = np.where(comp, nm + nf + rng.integers(0, ncm, n), rng.integers(0, nm, n))
        female = np.where(comp, nm + nf + ncm + rng.integers(0, ncf, n), nm + rng.integers(0, nf, n))
        return np.where(sex == 1, male, female)

    idx = draw()
    one = af.pick(p.first_all, idx)
    if two_share:
        idx2 = draw()
        two = (rng.random(n) < two_share) & (idx2 != idx)
        one = af.where(two, af.cat(one, " ", af.pick(p.first_all, idx2)), one)
    return (one, idx) if with_index else one


def _phone_digits(rng, n: int, ranges: tuple[str, ...]) -> pa.Array:
    prefix = af.pick(ranges, rng.integers(0, len(ranges), n))
    return af.cat(prefix, af.int_str(rng.integers(0, 10_000, n), 4))


def _phone_format(rng, digits: pa.Array, probs, no_zero: float = 0.0) -> pa.Array:
    """Mixed real-world formats: spaced, compact, +33, dots, and (planted) no leading 0."""
    import pyarrow.compute as pc

    n = len(digits)
    parts = [pc.utf8_slice_codeunits(digits, i, i + 2) for i in range(0, 10, 2)]
    spaced = af.cat(parts[0], " ", parts[1], " ", parts[2], " ", parts[3], " ", parts[4])
    dots = af.cat(parts[0], ".", parts[1], ".", parts[2], ".", parts[3], ".", parts[4])
    intl = af.cat("+33 ", pc.utf8_slice_codeunits(digits, 1, 2), " ", parts[1], " ", parts[2], " ",
                  parts[3], " ", parts[4])
    nozero = pc.utf8_slice_codeunits(digits, 1, 10)
    kind = _choice(rng, n, probs)
    if no_zero:
        kind = np.where(rng.random(n) < no_zero, 4, kind)
    out = af.where(kind == 0, spaced, digits)
    out = af.where(kind == 2, intl, out)
    out = af.where(kind == 3, dots, out)
    return af.where(kind == 4, nozero, out)


@dataclass
class _Block:
    cols: dict[str, pa.Array]
    planted: list[dict]
    spans: dict[str, list[np.ndarray]]


# --------------------------------------------------------------------------- the block

def _territory(rng: np.random.Generator, ctx: _Context, h: SimpleNamespace) -> None:
    """Residence commune (real COG + post code, weighted by population), planted commune rows."""
    n, local = h.n, h.local
    rc = ctx.res_communes
    w = np.array([int(c["population"]) for c in rc], float)
    ci = _choice(rng, n, w)
    codcom = np.array([c["codcom"] for c in rc], dtype=object)[ci]
    codpost = np.array([c["codpost"] for c in rc], dtype=object)[ci]
    libcom = np.array([c["libcom"] for c in rc], dtype=object)[ci]
    pop = np.array([int(c["population"]) for c in rc])[ci]
    if local.get("overseas_single"):
        r = local["overseas_single"][0]
        small = next(c for c in ref.communes() if c["codcom"] == SMALL_OVERSEAS)
        codcom[r], codpost[r], libcom[r], pop[r] = small["codcom"], small["codpost"], small["libcom"], 150
    if local.get("cedex"):
        r = local["cedex"][0]
        ced = [c for c in ref.communes() if c["cedex"] == "1" and c["dep"] == ctx.departement]
        if ced:
            codcom[r], codpost[r], libcom[r] = ced[0]["codcom"], ced[0]["codpost"], ced[0]["libcom"]
    h.codcom, h.codpost, h.libcom, h.pop = codcom, codpost, libcom, pop


def _household(rng: np.random.Generator, ctx: _Context, h: SimpleNamespace) -> None:
    """Household type, children count, sexes, ages, children's birth dates (schema §1 steps 2-4)."""
    n, local = h.n, h.local
    T = _choice(rng, n, [40, 8, 30, 22])
    k = np.where((T == COUPLE_ENF) | (T == MONO), 1 + _choice(rng, n, [40, 35, 17, 5, 3]), 0)
    five_plus = k == 5
    k = np.where(five_plus, 5 + _choice(rng, n, [60, 25, 10, 5]), k)  # 5+: 5, 6, 7 or 8
    for r in local.get("nine_children", []):
        T[r], k[r] = COUPLE_ENF, 9
    for r in local.get("centenarian", []):
        T[r], k[r] = SEUL, 0
    has_sp = (T == COUPLE) | (T == COUPLE_ENF)
    fam = k > 0

    # ---- 3. allocataire sex and ages (the mother constrains children: schema §1 step 4)
    p_f = np.select([T == SEUL, T == MONO], [0.42, 0.85], 0.65)
    sex = np.where(rng.random(n) < p_f, 2, 1)
    sp_sex = np.where(has_sp, np.where(rng.random(n) < 0.97, 3 - sex, sex), 0)
    gap = 310
    need = (np.maximum(k, 1) - 1) * gap / 365.25 + 0.4
    a_lo, a_hi = 18 + need, 65 - need
    a_fam = a_lo + (a_hi - a_lo) * rng.beta(2.5, 3.5, n)
    mix = _choice(rng, n, [30, 35, 20, 15])
    a_seul = np.select([mix == 0, mix == 1, mix == 2], [rng.uniform(18, 26, n), rng.uniform(25, 50, n),
                       rng.uniform(50, 65, n)], rng.uniform(65, 95, n))
    mix2 = _choice(rng, n, [20, 30, 30, 20])
    a_cpl = np.select([mix2 == 0, mix2 == 1, mix2 == 2], [rng.uniform(20, 30, n), rng.uniform(30, 50, n),
                      rng.uniform(50, 65, n)], rng.uniform(65, 90, n))
    ref_age = np.where(fam, a_fam, np.where(T == SEUL, a_seul, a_cpl))
    for r in local.get("centenarian", []):
        ref_age[r] = rng.uniform(100.2, 104)
    dev = rng.normal(2, 5, n)
    # in families the "reference" age is the mother's: the allocataire unless a man with a partner
    alloc_is_ref = ~fam | (T == MONO) | (sex == 2) | (sp_sex != 2)
    alloc_age = np.where(alloc_is_ref, ref_age, np.maximum(ref_age - dev, 18.2))
    sp_age = np.where(alloc_is_ref, np.maximum(ref_age + dev, 18.2), ref_age)
    dtnais = DTREF - np.floor(alloc_age * 365.25).astype(np.int64) - rng.integers(0, 2, n)
    dtnais_cj = np.where(has_sp, DTREF - np.floor(sp_age * 365.25).astype(np.int64), M)
    mother_birth = np.where(alloc_is_ref, dtnais, dtnais_cj)
    age = age_at(dtnais, DTREF)

    # ---- children: sorted eldest first, >= 310 days apart, mother 18-45, < 20 at DTREF
    KMAX = 9
    lo = np.maximum(add_years(mother_birth, 18), add_years(np.full(n, DTREF), -20) + 1)
    hi = np.minimum(add_years(mother_birth, 45), DTREF)
    slack = np.maximum(hi - lo - (np.maximum(k, 1) - 1) * gap, 0)
    u = rng.random((n, KMAX))
    u[np.arange(KMAX)[None, :] >= k[:, None]] = np.inf
    u.sort(axis=1)
    kb = lo[:, None] + np.floor(np.where(np.isinf(u), 0, u) * slack[:, None]).astype(np.int64) \
        + np.arange(KMAX)[None, :] * gap
    kb = np.where(np.arange(KMAX)[None, :] < k[:, None], kb, M)
    # a few large families have an eldest who turned 20 in the last 12 months (AF forfaitaire)
    twenty = (k >= 3) & (rng.random(n) < 0.06)
    cand = add_years(np.full(n, DTREF), -20) - rng.integers(1, 360, n)
    ok20 = twenty & (cand >= add_years(mother_birth, 18)) & (kb[:, 1] - cand >= gap)
    kb[:, 0] = np.where(ok20, cand, kb[:, 0])
    ksex = np.where(rng.random((n, KMAX)) < 0.51, 1, 2)
    kage = np.where(kb != M, age_at(np.where(kb == M, DTREF, kb), DTREF), -1)
    valid_k = kb != M
    n20 = (valid_k & (kage < 20)).sum(axis=1)
    n3 = (valid_k & (kage < 3)).sum(axis=1)
    n6 = (valid_k & (kage < 6)).sum(axis=1)
    n3_21 = (valid_k & (kage >= 3) & (kage <= 21)).sum(axis=1)
    ars_k = valid_k & (kage >= 6) & (kage <= 18)
    n_ars = ars_k.sum(axis=1)
    n14 = (valid_k & (kage >= 14) & (kage < 20)).sum(axis=1)
    youngest = np.where(valid_k, kb, np.iinfo(np.int64).min).max(axis=1)
    eldest = kb[:, 0]
    turned20 = valid_k & (kage == 20) & (kb > add_years(np.full((n, KMAX), DTREF), -21))
    h.T, h.k, h.has_sp, h.sex, h.sp_sex, h.dtnais = T, k, has_sp, sex, sp_sex, dtnais
    h.dtnais_cj, h.age, h.kb, h.ksex, h.kage, h.valid_k = dtnais_cj, age, kb, ksex, kage, valid_k
    h.n20, h.n3, h.n6, h.n3_21, h.ars_k, h.n_ars = n20, n3, n6, n3_21, ars_k, n_ars
    h.n14, h.youngest, h.eldest, h.turned20 = n14, youngest, eldest, turned20


def _origin(rng: np.random.Generator, ctx: _Context, h: SimpleNamespace) -> None:
    """Birthplace, nationality, residence permit, NIR/NIA with their keys, the Excel-mangled NIRs."""
    n, local, has_sp, planted, start, sex = h.n, h.local, h.has_sp, h.planted, h.start, h.sex
    dtnais, C = h.dtnais, h.C
    bc = ctx.birth_communes
    bdep = np.array([c["dep"] for c in bc], dtype=object)
    breg = np.array([c["region"] for c in bc], dtype=object)
    bpop = np.array([int(c["population"]) for c in bc], float)
    overseas_b = np.isin(bdep, ["971", "972", "973", "974", "976"])
    same = breg == ctx.region  # overseas residents are mostly born in their own département
    w_same = np.where(same, bpop * np.where(bdep == ctx.departement, 4.0, 1.0), 0)
    w_other = np.where(~same & ~overseas_b, bpop * np.where(np.isin(bdep, ["2A", "2B"]), 3.0, 1.0), 0)
    w_over = np.where(overseas_b & ~same, np.where(bdep == "973", 1.0, bpop), 0)
    w_over[np.array([c["codcom"] == SMALL_OVERSEAS for c in bc])] = 0  # planted once, as a residence
    if w_other.sum() == 0:
        w_other = w_same
    if w_same.sum() == 0:
        w_same = w_other
    place = _choice(rng, n, [75, 10, 3, 12])
    bi = np.select([place == 0, place == 1, place == 2],
                   [_choice(rng, n, w_same), _choice(rng, n, w_other), _choice(rng, n, w_over)], 0)
    abroad = place == 3
    countries = ref.countries()
    ccode = np.array([c["code"] for c in countries], dtype=object)
    cgroup = np.array([c["groupe"] for c in countries], dtype=object)
    cweight = np.array([float(c["weight"]) for c in countries])
    ci_b = _choice(rng, n, cweight)
    oneoff = {"oneoff_nat_1": "99102", "oneoff_nat_2": "99130", "oneoff_nat_3": "99138"}
    for key, code in oneoff.items():
        for r in local.get(key, []):
            abroad[r] = True
            ci_b[r] = int(np.where(ccode == code)[0][0])
    comnais = np.where(abroad, "", np.array([c["codcom"] for c in bc], dtype=object)[bi])
    libcomnais = np.where(abroad, "", np.array([c["libcom"] for c in bc], dtype=object)[bi])
    paysnais = np.where(abroad, ccode[ci_b], "99100")
    # nationality follows birthplace: foreign-born keep their country's nationality 75 %
    ci_n = _choice(rng, n, cweight)
    foreign_born_nat = abroad & (rng.random(n) < 0.75)
    foreign_local = ~abroad & (rng.random(n) < 0.04)
    fr_i = int(np.flatnonzero(ccode == "99100")[0])
    nat_i = np.where(foreign_born_nat, ci_b, np.where(foreign_local, ci_n, fr_i))
    for key in oneoff:
        for r in local.get(key, []):
            nat_i[r] = ci_b[r]
    codnatio = ccode[nat_i]
    natio = cgroup[nat_i]
    natio_cj = np.where(has_sp, np.where(rng.random(n) < 0.8, natio,
                                          np.array(["FR", "UE", "HUE"], dtype=object)[_choice(rng, n, [70, 8, 22])]), "")
    titsej = np.where(natio == "HUE", np.array(["CR", "CRP", "VLS", "AUTRE"], dtype=object)[
        _choice(rng, n, [45, 30, 15, 10])], "")
    for key in oneoff:
        for r in local.get(key, []):
            planted.append({"kind": "oneoff_nationality", "rows": [int(start + r)], "columns": ["CODNATIO", "PAYSNAIS"],
                            "description": "a nationality present only once in the extract"})

    # ---- NIR (schema §3 #9-10): sex digit + YYMM + place + order, key by INSEE rule; ~2 % NIA
    nia = rng.random(n) < np.where(abroad, 0.16, 0.0)
    sexd = np.where(nia, sex + 6, sex)
    yb, mb, _ = _ymd(dtnais)
    cnum = np.array([int(c) for c in ccode]) - 99000  # 3-digit INSEE country number
    bnum = np.array([int(c["codcom"].replace("2A", "19").replace("2B", "18")) for c in bc], np.int64)
    bcors = np.array(["A" in c["codcom"] or "B" in c["codcom"] for c in bc], bool)
    bcode = np.array([c["codcom"] for c in bc], dtype=object)
    place_num = np.where(abroad, 99000 + cnum[ci_b], bnum[bi])
    place_str = af.where(abroad, af.cat("99", af.int_str(cnum[ci_b], 3)), af.pick(bcode, bi))
    nir_base = sexd * 10**12 + (yb % 100) * 10**10 + mb * 10**8 + place_num * 10**3
    order = _unique_orders(rng, nir_base, np.zeros(0, np.int64))
    key = cd.nir_key(sexd, yb % 100, mb, place_num, order)
    nir13 = af.cat(af.int_str(sexd), af.int_str(yb % 100, 2), af.int_str(mb, 2), place_str,
                   af.int_str(order, 3))
    clenir = af.int_str(key, 2)
    nir15 = af.cat(nir13, clenir)
    nircert = np.where(nia | (rng.random(n) < 0.01), "N", "O")
    # planted: 1 % exported by Excel as scientific notation (numeric NIRs only, i.e. not Corsica)
    corsica = bcors[bi] & ~abroad
    sci = (rng.random(n) < 0.01) & ~corsica
    nir_val = sexd * 10**12 + (yb % 100) * 10**10 + mb * 10**8 + place_num * 10**3 + order
    m6 = np.round(nir_val / 10**7).astype(np.int64)
    exp = np.where(m6 >= 10**6, 13, 12)
    m6 = np.where(m6 >= 10**6, m6 // 10, m6)
    dec = pc.utf8_rtrim(af.int_str(m6 % 10**5, 5), characters="0")
    sci_txt = af.cat(af.int_str(m6 // 10**5), af.where(pc.equal(dec, "").to_numpy(zero_copy_only=False), "",
                                                        af.cat(",", dec)), "E+", af.int_str(exp))
    C["NIR"] = af.where(sci, sci_txt, nir13)
    sci_rows = (np.flatnonzero(sci) + start).tolist()
    if sci_rows:
        planted.append({"kind": "nir_scientific_notation", "columns": ["NIR"], "rows": sci_rows,
                        "description": "NIR exported by a spreadsheet as scientific notation (1,85058E+12)"})
    nia_rows = (np.flatnonzero(nia) + start).tolist()
    if nia_rows:
        planted.append({"kind": "nia", "columns": ["NIR", "NIRCERT"], "rows": nia_rows,
                        "description": "NIA (temporary number, sex digit 7/8)"})
    h.breg, h.bpop, h.cweight, h.comnais, h.libcomnais, h.paysnais = breg, bpop, cweight, comnais, libcomnais, paysnais
    h.codnatio, h.natio, h.natio_cj, h.titsej, h.cnum, h.bnum = codnatio, natio, natio_cj, titsej, cnum, bnum
    h.bcode, h.nir_base, h.order, h.clenir, h.nir15, h.nircert = bcode, nir_base, order, clenir, nir15, nircert


def _situation_activity_income(rng: np.random.Generator, ctx: _Context, h: SimpleNamespace) -> None:
    """Family situation, disability, activity and PCS, incomes (§1 step 5)."""
    n, age, has_sp, T, dtnais, youngest = h.n, h.age, h.has_sp, h.T, h.dtnais, h.youngest
    local, dtnais_cj, n20 = h.local, h.dtnais_cj, h.n20
    sitfam = np.empty(n, dtype=object)
    sitfam[:] = ""
    cpl = np.array(["MAR", "PAC", "VMA"], dtype=object)[_choice(rng, n, [55, 15, 30])]
    old = age >= 70
    seul = np.where(old, np.array(["CEL", "DIV", "VEU"], dtype=object)[_choice(rng, n, [25, 25, 50])],
                    np.array(["CEL", "DIV", "SEP", "VEU"], dtype=object)[_choice(rng, n, [72, 15, 8, 5])])
    mono = np.array(["CEL", "DIV", "SEP", "VEU"], dtype=object)[_choice(rng, n, [40, 35, 20, 5])]
    sitfam = np.select([has_sp, T == MONO], [cpl, mono], seul).astype(object)
    a18 = add_years(dtnais, 18)
    dtsitfam = np.where(sitfam == "CEL", M, _between(rng, np.maximum(a18, DTREF - 40 * 365), np.full(n, DTREF), 1.5))
    lone_after = (T == MONO) & (sitfam != "CEL") & (rng.random(n) < 0.6)
    dtsitfam = np.where(lone_after, _between(rng, np.maximum(youngest, a18), np.full(n, DTREF)), dtsitfam)
    dtsitfam = np.where(sitfam == "CEL", _between(rng, a18, np.full(n, DTREF)), dtsitfam)
    separated = (T == MONO) & (sitfam != "VEU")

    # ---- disability (I) — needed before activity (HAND <=> AAH)
    handall = rng.random(n) < 0.08
    tx = _choice(rng, n, [10, 40, 50])  # <50, 50-79, >=80 among recognised
    tauxinc = np.where(handall, np.array(["<50", "50-79", ">=80"], dtype=object)[tx], "")
    rsdae = np.where(tauxinc == "50-79", np.where(rng.random(n) < 0.6, "O", "N"), "")
    aah_elig = handall & ((tauxinc == ">=80") | (rsdae == "O")) & (age >= 20) & (age < 70)

    # ---- 5. activity
    r_act = rng.random(n)
    act = np.full(n, INAC)
    young = age < 26
    act = np.where(young, np.select([r_act < 0.55, r_act < 0.8], [ETU, SAL], CHOM_IND), act)
    mid = (age >= 26) & (age < 60)
    mid_choice = _choice(rng, n, [55, 6, 10, 8, 15, 3, 3])
    act = np.where(mid, np.array([SAL, TI, CHOM_IND, CHOM_NI, INAC, FORM, ETU])[mid_choice], act)
    sen = (age >= 60) & (age < 65)
    act = np.where(sen, np.array([RET, SAL, CHOM_IND, INAC])[_choice(rng, n, [40, 30, 10, 20])], act)
    act = np.where(age >= 65, np.where(r_act < 0.9, RET, INAC), act)
    aah_take = aah_elig & (rng.random(n) < 0.85)
    act = np.where(aah_take, HAND, act)
    for r in local.get("la_poste_siret", []):
        if act[r] == HAND:
            aah_take[r] = False
        act[r] = SAL
    csp_by_act = {
        SAL: (["52", "54", "55", "56", "62", "67", "68", "46", "47", "48", "37", "38"],
              [14, 12, 10, 12, 10, 8, 6, 8, 6, 4, 5, 5]),
        TI: (["21", "22", "23", "10", "31"], [35, 35, 5, 10, 15]),
        CHOM_IND: (["52", "55", "56", "62", "67", "68"], [20, 15, 20, 15, 15, 15]),
        CHOM_NI: (["81"], [1]), ETU: (["84"], [1]), RET: (["71", "72", "74", "75", "77", "78"], [5, 10, 10, 20, 25, 30]),
        INAC: (["85"], [1]), HAND: (["85"], [1]), FORM: (["84"], [1]),
    }
    csp = np.empty(n, dtype=object)
    for a_code, (codes, wts) in csp_by_act.items():
        sel = act == a_code
        if sel.any():
            csp[sel] = np.array(codes, dtype=object)[_choice(rng, int(sel.sum()), wts)]
    csp = np.where((act == INAC) & (age >= 60), "86", csp)
    working = (act == SAL) | (act == TI)
    dtdebact = np.where(act == INAC, M, _between(rng, np.maximum(a18, DTREF - 30 * 365), np.full(n, DTREF), 2.0))
    tpstrav = np.where(act == SAL, np.where(rng.random(n) < 0.35, "TPART", "TP"), "")
    inscft = np.where((act == CHOM_IND) | (act == CHOM_NI) | ((act == INAC) & (rng.random(n) < 0.2)), "O", "N")

    # spouse activity
    sp_age_y = np.where(has_sp, age_at(np.where(has_sp, dtnais_cj, DTREF), DTREF), 0)
    sp_act = np.where(sp_age_y >= 65, RET, np.array([SAL, TI, CHOM_IND, CHOM_NI, INAC, ETU])[
        _choice(rng, n, [62, 7, 9, 4, 16, 2])])
    sp_act = np.where((sp_age_y < 26) & (sp_act == RET), SAL, sp_act)
    sp_csp = np.empty(n, dtype=object)
    for a_code, (codes, wts) in csp_by_act.items():
        sel = sp_act == a_code
        if sel.any():
            sp_csp[sel] = np.array(codes, dtype=object)[_choice(rng, int(sel.sum()), wts)]

    # ---- incomes (log-normal with a clump at 0)
    med = np.array([18000, 15000, 12000, 2000, 3000, 16000, 1500, 3000, 5000], float)
    sig = np.array([0.45, 0.8, 0.4, 0.8, 0.7, 0.35, 0.8, 0.6, 0.5])
    pz = np.array([0.04, 0.10, 0.08, 0.80, 0.60, 0.02, 0.85, 0.70, 0.40])
    inc = np.exp(np.log(med[act]) + sig[act] * rng.standard_normal(n))
    inc = np.where(rng.random(n) < pz[act], 0, np.round(inc))
    inc = np.where(tpstrav == "TPART", np.round(inc * 0.55), inc)
    sp_inc = np.exp(np.log(16000) + 0.5 * rng.standard_normal(n))
    sp_inactive = np.isin(sp_act, [INAC, ETU, CHOM_NI])
    sp_inc = np.where(has_sp & ~sp_inactive, np.round(sp_inc), 0)
    others = np.where(rng.random(n) < 0.05, np.round(rng.uniform(500, 3000, n)), 0)
    foy = inc + sp_inc + others
    rfr = np.round(0.9 * foy)
    m1 = np.where(act == SAL, np.exp(np.log(np.where(tpstrav == "TPART", 900, 1650)) + 0.3 * rng.standard_normal(n)), 0)
    m1 = np.where(act == TI, np.where(rng.random(n) < 0.15, 0, np.exp(np.log(1400) + 0.7 * rng.standard_normal(n))), m1)
    m1c = _cents(m1)
    m2c = _cents(m1 * rng.uniform(0.9, 1.1, n))
    m3c = _cents(m1 * rng.uniform(0.9, 1.1, n))
    indchom = np.where(act == CHOM_IND, _cents(rng.uniform(600, 1500, n)), 0)
    pensret = np.where(act == RET, _cents(rng.uniform(700, 1600, n)), 0)
    alim = separated & (rng.random(n) < 0.4)
    pensalim = np.where(alim, _cents(rng.uniform(80, 300, n) * np.maximum(n20, 1)), 0)
    ij = np.where((act == SAL) & (rng.random(n) < 0.03), _cents(rng.uniform(300, 1500, n)), 0)
    h.sitfam, h.a18, h.dtsitfam, h.separated, h.handall, h.tauxinc = sitfam, a18, dtsitfam, separated, handall, tauxinc
    h.rsdae, h.act, h.aah_take, h.csp, h.working, h.dtdebact = rsdae, act, aah_take, csp, working, dtdebact
    h.tpstrav, h.inscft, h.sp_age_y, h.sp_act, h.sp_csp, h.inc = tpstrav, inscft, sp_age_y, sp_act, sp_csp, inc
    h.sp_inc, h.foy, h.rfr, h.m1c, h.m2c, h.m3c = sp_inc, foy, rfr, m1c, m2c, m3c
    h.indchom, h.pensret, h.pensalim, h.ij = indchom, pensret, pensalim, ij


def _housing(rng: np.random.Generator, ctx: _Context, h: SimpleNamespace) -> None:
    """Occupancy status, dwelling, rent or loan, lease dates (schema §1 step 6)."""
    foy, n, act, T, local, has_sp = h.foy, h.n, h.act, h.T, h.local, h.has_sp
    k, a18 = h.k, h.a18
    low = foy < 15000
    p_low = [55, 22, 2, 1, 9, 5, 2, 4]
    p_high = [30, 45, 10, 4, 6, 3, 1, 1]
    statocc = np.where(low, _choice(rng, n, p_low), _choice(rng, n, p_high))
    stud = (act == ETU) & (T == SEUL)
    statocc = np.where(stud, np.array([LOC_PRIV, FOYER, HEBG, LOC_HLM])[_choice(rng, n, [50, 30, 15, 5])], statocc)
    for r in local.get("centenarian", []):
        statocc[r] = LOC_HLM
    typlog = np.empty(n, dtype=object)
    typlog[:] = "APPART"
    typlog = np.where(statocc == LOC_HLM, np.where(rng.random(n) < 0.8, "APPART", "MAISON"), typlog)
    typlog = np.where(statocc == LOC_PRIV, np.array(["APPART", "MAISON", "CHAMBRE"], dtype=object)[
        _choice(rng, n, [65, 25, 10])], typlog)
    typlog = np.where(np.isin(statocc, [ACCED, PROP]), np.where(rng.random(n) < 0.75, "MAISON", "APPART"), typlog)
    typlog = np.where(statocc == HEBG, np.where(rng.random(n) < 0.5, "MAISON", "APPART"), typlog)
    typlog = np.where(statocc == FOYER, np.where(stud, "RES_U", "FOYER"), typlog)
    typlog = np.where(statocc == HOTEL, "CHAMBRE", typlog)
    typlog = np.where(statocc == SDF, np.where(rng.random(n) < 0.4, "MOBILE", ""), typlog)
    logconv = np.where((statocc == LOC_HLM) | ((statocc == LOC_PRIV) & (rng.random(n) < 0.15))
                       | ((statocc == ACCED) & (rng.random(n) < 0.2)), "O", "N")
    nbautpac = np.where(rng.random(n) < 0.02, 1 + (rng.random(n) < 0.2), 0)
    nbpers = 1 + has_sp + k + nbautpac
    nbpieces = np.clip(1 + nbpers // 2 + rng.integers(-1, 2, n), 1, 8)
    single_room = np.isin(typlog, ["CHAMBRE", "FOYER", "RES_U"])
    nbpieces = np.where(single_room, 1, nbpieces)
    surf = np.maximum(9 * nbpers, 12 + 16 * nbpieces + rng.normal(0, 8, n)).round().astype(np.int64)
    surf = np.where(single_room, rng.integers(9, 21, n), surf)
    no_dwelling = statocc == SDF
    loyer = np.select([statocc == LOC_HLM, statocc == LOC_PRIV, statocc == FOYER, statocc == HOTEL],
                      [surf * rng.uniform(6, 9, n), surf * rng.uniform(9, 14, n), rng.uniform(300, 550, n),
                       rng.uniform(400, 900, n)], 0)
    loyer_c = _cents(loyer)
    pret_c = np.where(statocc == ACCED, _cents(rng.uniform(400, 1200, n)), 0)
    tenant = np.isin(statocc, [LOC_HLM, LOC_PRIV, FOYER])
    dtbail = np.where(tenant, _between(rng, np.maximum(a18, DTREF - 25 * 365), np.full(n, DTREF), 2.0), M)
    dtemmenag = np.where(tenant, dtbail, np.where(no_dwelling, M,
                         _between(rng, np.maximum(a18, DTREF - 40 * 365), np.full(n, DTREF), 1.5)))
    impaye = np.where(rng.random(n) < np.where(low, 0.045, 0.012), "O", "N")
    lognondec = np.where(rng.random(n) < 0.01, "O", "N")
    h.statocc, h.typlog, h.logconv, h.nbautpac, h.nbpers, h.nbpieces = statocc, typlog, logconv, nbautpac, nbpers, nbpieces
    h.surf, h.no_dwelling, h.loyer, h.loyer_c, h.pret_c, h.tenant = surf, no_dwelling, loyer, loyer_c, pret_c, tenant
    h.dtbail, h.dtemmenag, h.impaye, h.lognondec = dtbail, dtemmenag, impaye, lognondec


def _benefits(rng: np.random.Generator, ctx: _Context, h: SimpleNamespace) -> None:
    """Benefit amounts in cents from composition, ages, income and rent (schema §3 group J)."""
    nbpers, statocc, pret_c, loyer, tenant, logconv = h.nbpers, h.statocc, h.pret_c, h.loyer, h.tenant, h.logconv
    foy, k, dtbail, dtemmenag, n, n20 = h.foy, h.k, h.dtbail, h.dtemmenag, h.n, h.n20
    valid_k, kage, n14, turned20, n3_21, T = h.valid_k, h.kage, h.n14, h.turned20, h.n3_21, h.T
    pensalim, sitfam, n3, youngest, m1c, tpstrav = h.pensalim, h.sitfam, h.n3, h.youngest, h.m1c, h.tpstrav
    working, has_sp, sp_act, n6, ars_k, aah_take = h.working, h.has_sp, h.sp_act, h.n6, h.ars_k, h.aah_take
    inc, handall, a18, sex, age, sp_sex = h.inc, h.handall, h.a18, h.sex, h.age, h.sp_sex
    sp_age_y, m2c, m3c, indchom, pensret, ij = h.sp_age_y, h.m2c, h.m3c, h.indchom, h.pensret, h.ij
    sp_inc, act = h.sp_inc, h.act
    size = nbpers
    # housing aid (APL > ALF > ALS priority, caf.fr)
    al_base_rent = np.where(statocc == ACCED, pret_c / 100, loyer)
    al_housed = tenant | (statocc == HOTEL) | ((statocc == ACCED) & (logconv == "O"))
    ceiling = np.minimum(np.select([size == 1, size == 2], [250, 330], 380 + 55 * (size - 3)), 600)
    loyret = np.minimum(al_base_rent, ceiling)
    charges = 55 + 12.5 * (size - 1)
    r0 = 330 * size ** 0.8
    particip = np.maximum(37, 0.085 * (loyret + charges)) + np.maximum(0, (foy / 12 - r0) * 0.30)
    al = np.clip(loyret + charges - particip, 0, 450)
    al = np.where(al_housed & (al >= 30), al, 0)
    al_c = _cents(al)
    al_type = np.where(al_c > 0, np.where(logconv == "O", "APL", np.where(k > 0, "ALF", "ALS")), "")
    al_loyret_c = np.where(al_c > 0, _cents(loyret), 0)
    al_dtouv = np.where(al_c > 0, _between(rng, np.where(dtbail != M, dtbail, dtemmenag), np.full(n, DTREF)), M)
    tierspay = np.where((al_type == "APL") | ((al_c > 0) & (rng.random(n) < 0.4)), "O", "N")
    modepaie = np.where(tierspay == "O", "TIERS", "VIR")

    # allocations familiales (OpenFisca af_cm/taux enf2 0.32, enf3 0.41; majoration 0.16)
    extra = np.maximum(n20 - 2, 0)
    t1 = 69933 + 5827 * extra
    t2 = 93212 + 5827 * extra
    tranche = np.where(foy <= t1, 1, np.where(foy <= t2, 2, 3))
    modul = np.select([tranche == 1, tranche == 2], [1.0, 0.5], 0.25)
    af_elig = n20 >= 2
    # age supplement per child 14-19, except the eldest when there are only two children under 20
    u20 = valid_k & (kage < 20)
    eldest_u20 = np.argmax(u20, axis=1)
    eldest_old = u20[np.arange(n), eldest_u20] & (kage[np.arange(n), eldest_u20] >= 14) if n else np.zeros(0, bool)
    maj_kids = np.where(n20 == 2, n14 - eldest_old, n14)
    af_maj_c = np.where(af_elig, _cents(BMAF * 0.16 * modul * maj_kids), 0)
    af_c = np.where(af_elig, _cents(BMAF * (0.32 + 0.41 * extra) * modul) + af_maj_c, 0)
    af_tranche = np.where(af_elig, tranche.astype(str).astype(object), "")
    af_forf_c = np.where((k >= 3) & turned20.any(axis=1), _cents(BMAF * 0.20234 * modul), 0)
    # complément familial
    cf_elig = (n3_21 >= 3) & (foy < 38969 + 5000 * np.maximum(n20 - 3, 0))
    cf_maj = cf_elig & (foy < 19485)
    cf_c = np.where(cf_maj, _cents(257.63), np.where(cf_elig, _cents(171.74), 0))
    cf_majore = np.where(cf_elig, np.where(cf_maj, "O", "N"), "")
    # ASF: lone parent without alimony
    asf_elig = (T == MONO) & (pensalim == 0) & (n20 > 0) & ((sitfam == "VEU") | (rng.random(n) < 0.85))
    asf_nb = np.where(asf_elig, n20, 0)
    asf_c = asf_nb * _cents(116.11)
    asf_motif = np.where(asf_elig, np.where(sitfam == "VEU", "ORPH", np.array(["DEFAILL", "NONRECON"], dtype=object)[
        _choice(rng, n, [88, 12])]), "")
    # PAJE allocation de base and prime à la naissance
    paje_elig = (n3 > 0) & (foy < 32000 + 6000 * np.maximum(k - 1, 0))
    paje_full = paje_elig & (foy < 27000 + 5000 * np.maximum(k - 1, 0))
    paje_c = np.where(paje_full, _cents(171.91), np.where(paje_elig, _cents(85.95), 0))
    paje_taux = np.where(paje_full, "PLEIN", np.where(paje_elig, "PARTIEL", ""))
    born12 = (youngest > DTREF - 365) & (youngest <= DTREF) & (foy < 40000)
    paje_pn = np.where(born12, add_months(np.where(born12, youngest, DTREF), -2), M)
    # PreParE
    prep = (n3 > 0) & (rng.random(n) < 0.05)
    # consistent with TPSTRAV: full rate when not working, 50/80 % only for part-time employees
    prep = prep & ((m1c == 0) | (tpstrav == "TPART"))
    prep_taux = np.where(prep, np.where(m1c == 0, "PLEIN", np.where(rng.random(n) < 0.6, "50", "80")), "")
    prep_c = np.select([prep_taux == "PLEIN", prep_taux == "50", prep_taux == "80"],
                       [_cents(398.39), _cents(257.55), _cents(148.57)], 0)
    # CMG: a child under 6 and every parent working
    both_work = working & (~has_sp | np.isin(sp_act, [SAL, TI]))
    cmg = (n6 > 0) & both_work & (prep_taux != "PLEIN") & (rng.random(n) < 0.5)
    cmg_c = np.where(cmg, _cents(rng.uniform(90, 500, n)), 0)
    cmg_type = np.where(cmg, np.array(["ASSMAT", "DOMICILE", "MICRO"], dtype=object)[_choice(rng, n, [85, 5, 10])], "")
    # AEEH
    nbenfhand = np.where((n20 > 0) & (rng.random(n) < 0.06), 1 + (rng.random(n) < 0.1), 0)
    nbenfhand = np.minimum(nbenfhand, n20)
    aeeh = nbenfhand > 0
    cat_i = _choice(rng, n, [40, 20, 18, 12, 5, 3, 2])  # '' then 1..6
    aeeh_cat = np.where(aeeh, np.array(["", "1", "2", "3", "4", "5", "6"], dtype=object)[cat_i], "")
    compl = np.array([0, 99.55, 269.60, 381.58, 591.36, 755.78, 1126.36])[cat_i]
    aeeh_c = np.where(aeeh, _cents(132.74 * nbenfhand + compl), 0)
    mpi = np.array([0, 0, 53.93, 74.67, 236.44, 302.81, 443.87])[cat_i]
    aeeh_mpi_c = np.where(aeeh & (T == MONO) & (cat_i >= 2), _cents(mpi), 0)
    # ARS (annual, paid in August)
    ars_ok = foy < 25370 + 5854 * np.maximum(k, 1)
    ars_rate = np.where(kage <= 10, 0.8972, np.where(kage <= 14, 0.9467, 0.9795))
    ars_c = np.where(ars_ok, _cents((np.where(ars_k, ars_rate, 0) * BMAF).sum(axis=1)), 0)
    # AAH
    aah_full = aah_take & (rng.random(n) < 0.3)
    other_res = rng.uniform(0.05, 0.8, n) * AAH_MAX  # a pension, the spouse's income...
    aah_diff = np.clip(AAH_MAX - np.where(inc > 0, inc / 12 * 0.8, other_res), 50, AAH_MAX - 1)
    aah_c = np.where(aah_take, np.where(aah_full, _cents(AAH_MAX), _cents(aah_diff)), 0)
    aah_c = np.where(aah_c > _cents(AAH_MAX), _cents(AAH_MAX), aah_c)
    aah_taux = np.where(aah_c > 0, np.where(aah_c == _cents(AAH_MAX), "PLEIN", "DIFF"), "")
    mva = (aah_taux == "PLEIN") & ~has_sp & (k == 0) & (al_c > 0)
    aah_mva_c = np.where(mva, _cents(104.77), 0)
    dtdec = np.where(handall, _between(rng, np.maximum(a18, DTREF - 15 * 365), np.full(n, DTREF)), M)
    aah_dtouv = np.where(aah_c > 0, _between(rng, np.where(dtdec == M, DTREF, dtdec), np.full(n, DTREF)), M)
    dtfin = np.where((aah_c > 0) & (rng.random(n) < 0.8), add_years(np.where(dtdec == M, DTREF, dtdec),
                     rng.integers(1, 11, n)), M)
    # AJPP
    ajpp_j = np.where((k > 0) & (rng.random(n) < 0.005), rng.integers(1, 23, n), 0)
    ajpp_c = ajpp_j * _cents(52.13)
    # pregnancy: the household's woman aged 18-42
    woman_age = np.where(sex == 2, age, np.where(sp_sex == 2, sp_age_y, -1))
    gross = (woman_age >= 18) & (woman_age <= 42) & (rng.random(n) < 0.03)
    dtprevacc = np.where(gross, add_months(np.full(n, DTREF), rng.integers(1, 9, n)), M)
    # prime d'activité
    revm = (m1c + m2c + m3c) / 300.0
    ppa = (revm >= 600) & (revm <= 1900)
    shape = np.clip(1 - np.abs(revm - SMIC_NET) / 700, 0, 1)
    bonif = np.where(ppa & (revm > 0.5 * SMIC_NET), np.clip(160 * (revm - 0.5 * SMIC_NET) / (0.3 * SMIC_NET), 0, 160), 0)
    ppa_c = np.where(ppa, _cents(np.maximum(30 + 270 * shape, bonif + 30)), 0)
    bonif_c = np.where(ppa, _cents(bonif), 0)
    # RSA (differential, schema J #129; majoré for isolated parents with a young child or pregnant)
    rsa_maj = (T == MONO) & ((n3 > 0) | gross)
    base = RSA_BASE * (1 + 0.5 * has_sp + 0.3 * np.minimum(k, 2) + 0.4 * np.maximum(k - 2, 0))
    base = np.where(rsa_maj, RSA_BASE * (1.28412 + 0.42804 * k), base)
    forf_rate = np.select([size == 1, size == 2], [0.12, 0.16 * 1.5], 0.165 * 1.8)
    forf = np.where(np.isin(statocc, [PROP, HEBG]) | (al_c > 0), RSA_BASE * forf_rate, 0)
    resources = (revm + (indchom + pensret + pensalim + ij + aah_c + af_c) / 100 + sp_inc / 12 * has_sp)
    rsa = base - resources - forf
    rsa_ok = ((age >= 25) | (k > 0) | gross) & (act != ETU) & (rsa >= 6)
    rsa_c = np.where(rsa_ok, _cents(rsa), 0)
    rsa_maj = rsa_maj & (rsa_c > 0)
    rsa_dtouv = np.where(rsa_c > 0, _between(rng, np.maximum(a18, DTREF - 12 * 365), np.full(n, DTREF), 1.5), M)
    rsa_orient = np.where(rsa_c > 0, np.where(rng.random(n) < 0.55, "PRO", "SOC"), "")
    rsa_cer = np.where(rsa_c > 0, np.where(rng.random(n) < 0.45, "O", "N"), "")

    amounts = {"RSA_MT": rsa_c, "PPA_MT": ppa_c, "AL_MT": al_c, "AF_MT": af_c, "AF_FORF": af_forf_c, "CF_MT": cf_c,
               "ASF_MT": asf_c, "PAJE_AB_MT": paje_c, "PREPARE_MT": prep_c, "CMG_MT": cmg_c, "AEEH_MT": aeeh_c,
               "AEEH_MPI": aeeh_mpi_c, "AAH_MT": aah_c, "AAH_MVA": aah_mva_c, "AJPP_MT": ajpp_c}
    totprest = sum(amounts[c] for c in TOTAL_PARTS)
    parts = np.where(has_sp | (T == MONO), 2.0, 1.0) + 0.5 * np.minimum(k, 2) + 1.0 * np.maximum(k - 2, 0)
    qf_c = _cents((foy / 12 + (af_c + cf_c + asf_c + paje_c) / 100) / parts)
    h.al_c, h.al_type, h.al_loyret_c, h.al_dtouv, h.tierspay, h.modepaie = al_c, al_type, al_loyret_c, al_dtouv, tierspay, modepaie
    h.af_maj_c, h.af_c, h.af_tranche, h.af_forf_c, h.cf_c, h.cf_majore = af_maj_c, af_c, af_tranche, af_forf_c, cf_c, cf_majore
    h.asf_nb, h.asf_c, h.asf_motif, h.paje_c, h.paje_taux, h.paje_pn = asf_nb, asf_c, asf_motif, paje_c, paje_taux, paje_pn
    h.prep_taux, h.prep_c, h.cmg_c, h.cmg_type, h.nbenfhand, h.aeeh_cat = prep_taux, prep_c, cmg_c, cmg_type, nbenfhand, aeeh_cat
    h.aeeh_c, h.aeeh_mpi_c, h.ars_c, h.aah_c, h.aah_taux, h.aah_mva_c = aeeh_c, aeeh_mpi_c, ars_c, aah_c, aah_taux, aah_mva_c
    h.dtdec, h.aah_dtouv, h.dtfin, h.ajpp_j, h.ajpp_c, h.gross = dtdec, aah_dtouv, dtfin, ajpp_j, ajpp_c, gross
    h.dtprevacc, h.ppa_c, h.bonif_c, h.rsa_maj, h.rsa_c, h.rsa_dtouv = dtprevacc, ppa_c, bonif_c, rsa_maj, rsa_c, rsa_dtouv
    h.rsa_orient, h.rsa_cer, h.totprest, h.qf_c = rsa_orient, rsa_cer, totprest, qf_c


def _identities(rng: np.random.Generator, ctx: _Context, h: SimpleNamespace) -> None:
    """Names, spouse NIR, phones, e-mail, IBAN, invented address, employer, landlord."""
    P, n, sex, has_sp, sp_sex, sitfam = h.P, h.n, h.sex, h.has_sp, h.sp_sex, h.sitfam
    breg, bpop, cweight, cnum, bcode, bnum = h.breg, h.bpop, h.cweight, h.cnum, h.bcode, h.bnum
    dtnais_cj, nir_base, order, gidx, pop, codcom = h.dtnais_cj, h.nir_base, h.order, h.gidx, h.pop, h.codcom
    statocc, act, local, tenant, start, planted = h.statocc, h.act, h.local, h.tenant, h.start, h.planted
    last_idx = rng.integers(0, len(P.last), n)
    prenom, prenom_i = _first_names(rng, P, sex, 0.2, with_index=True)
    same_name = rng.random(n) < 0.7
    cj_last = np.where(same_name, last_idx, rng.integers(0, len(P.last), n))
    nomcj = _names(P.last, cj_last)
    prenomcj = _first_names(rng, P, np.where(has_sp, sp_sex, 1))
    # 25 % of married women use their husband's surname: NOMFAM is then their birth name
    married_w = (sitfam == "MAR") & (sex == 2) & (sp_sex == 1) & (rng.random(n) < 0.25)
    birth_idx = np.where(married_w, rng.integers(0, len(P.last), n), last_idx)
    birth_idx = np.where(married_w & (birth_idx == cj_last), (birth_idx + 1) % len(P.last), birth_idx)
    last_idx = birth_idx
    nomfam = _names(P.last, last_idx)
    # widows / divorced women keep a former husband's name; others add a second surname [assumption]
    ex_w = np.isin(sitfam, ["DIV", "SEP", "VEU"]) & (sex == 2) & (rng.random(n) < 0.4)
    double = ~married_w & ~ex_w & (rng.random(n) < 0.22)
    other_name = _names(P.last, rng.integers(0, len(P.last), n))
    nomusage = af.where(married_w, nomcj, af.where(ex_w, other_name, af.where(double, af.cat(nomfam, " ", other_name), "")))
    # spouse NIR: full 15 characters with key
    sp_abroad = has_sp & (rng.random(n) < 0.12)
    sp_bi = _choice(rng, n, np.where(breg == ctx.region, bpop, bpop * 0.1))
    sp_ci = _choice(rng, n, cweight)
    sp_place = af.where(sp_abroad, af.cat("99", af.int_str(cnum[sp_ci], 3)), af.pick(bcode, sp_bi))
    sp_place_num = np.where(sp_abroad, 99000 + cnum[sp_ci], bnum[sp_bi])
    ysp, msp, _ = _ymd(np.where(has_sp, dtnais_cj, DTREF))
    sp_sexd = np.where(has_sp, sp_sex, 1)
    sp_base = np.where(has_sp, sp_sexd * 10**12 + (ysp % 100) * 10**10 + msp * 10**8 + sp_place_num * 10**3, -10**13)
    sp_order = _unique_orders(rng, sp_base, nir_base + order)
    sp_key = cd.nir_key(sp_sexd, ysp % 100, msp, sp_place_num, sp_order)
    nircj = af.cat(af.int_str(sp_sexd), af.int_str(ysp % 100, 2), af.int_str(msp, 2), sp_place,
                   af.int_str(sp_order, 3), af.int_str(sp_key, 2))

    numalloc = 1_000_000 + (gidx * ctx.alloc_a + ctx.alloc_b) % 9_000_000
    codcaf = (ctx.departement + "1")[:3] if len(ctx.departement) == 2 else ctx.departement
    numalloc_s = af.int_str(numalloc, 7)

    tel_d = _phone_digits(rng, n, LANDLINE_RANGES)
    tel = af.blank(rng.random(n) >= 0.30, _phone_format(rng, tel_d, [50, 30, 12, 8]))
    mob_d = af.cat(MOBILE_RANGE, af.int_str(rng.integers(0, 10_000, n), 4))
    telport = af.blank(rng.random(n) >= 0.85, _phone_format(rng, mob_d, [50, 30, 12, 8], no_zero=0.02))
    fw = af.pick(P.first_mail, prenom_i)
    lw = af.pick(P.last_mail, last_idx)
    suffix = af.where(rng.random(n) < 0.5, af.int_str(rng.integers(1, 100, n), 2), "")
    domain = af.where(rng.random(n) < 0.7, "@example.fr", "@example.com")
    mail = af.blank(rng.random(n) >= 0.60, af.cat(fw, ".", lw, suffix, domain))

    bk = ref.banks()
    bk_i = _choice(rng, n, [float(x["weight"]) for x in bk])
    bank = np.array([int(x["bank_code"]) for x in bk])[bk_i]
    branch = rng.integers(1, 100_000, n)
    account = rng.integers(0, 10**11, n)
    # La Banque Postale account numbers often carry a letter (…3M02…): half of its accounts do
    letter = (bank == 20041) & (rng.random(n) < 0.5)
    d = (account // 1000) % 10
    account = np.where(letter & (d == 0), account + 1000, account)
    d = np.where(letter & (d == 0), 1, d)
    pool = [cd.RIB_LETTERS[i] for i in range(1, 10)]
    lidx = rng.integers(0, 3, n) % np.array([len(p) for p in pool])[np.maximum(d, 1) - 1]
    letters = np.array([[p[i % len(p)] for i in range(3)] for p in pool], dtype=object)[np.maximum(d, 1) - 1, lidx]
    rkey = cd.rib_key(bank, branch, account)  # the RIB key reads the letter as the digit it replaces
    prefix, suffix = account // 10**4, account % 1000
    iso = np.array([ord(ch) - 55 for ch in letters.tolist()], np.int64) if n else np.zeros(0, np.int64)
    chk = np.where(letter, cd.iban_check_fr_letter(bank, branch, prefix, iso, suffix, rkey),
                   cd.iban_check_fr(bank, branch, account, rkey))
    acc_txt = af.where(letter, af.cat(af.int_str(prefix, 7), pa.array(letters, pa.string()), af.int_str(suffix, 3)),
                       af.int_str(account, 11))
    iban_c = af.cat("FR", af.int_str(chk, 2), af.int_str(bank, 5), af.int_str(branch, 5), acc_txt,
                    af.int_str(rkey, 2))
    spaced = af.cat(*[x for i in range(0, 27, 4) for x in (pc.utf8_slice_codeunits(iban_c, i, i + 4), " ")][:-1])
    iban_sp = rng.random(n) < 0.30
    iban = af.where(iban_sp, spaced, iban_c)
    bic = af.pick([x["bic"] for x in bk], bk_i)

    # address (invented streets)
    st = ref.street_types()
    st_i = _choice(rng, n, [float(x["weight"]) for x in st])
    typvoie = np.array([x["code"] for x in st], dtype=object)[st_i]
    ldt = typvoie == "LDT"
    numvoie = np.where(ldt, M, 1 + np.floor(249 * rng.random(n) ** 2.5).astype(np.int64))
    indrep = np.where(ldt, "", np.array(["", "B", "T"], dtype=object)[_choice(rng, n, [95, 4, 1])])
    lib_kind = _choice(rng, n, [40, 30, 15, 15])
    up_first = P.first_upper
    up_last = P.last_upper
    lib = af.where(lib_kind == 0, af.pick(STREET_PLURALS, rng.integers(0, len(STREET_PLURALS), n)),
                   af.cat(af.pick(up_first, rng.integers(0, len(up_first), n)), " ",
                          af.pick(up_last, rng.integers(0, len(up_last), n))))
    lib = af.where(lib_kind == 2, af.cat(af.pick(STREET_TITLES, rng.integers(0, len(STREET_TITLES), n)), " ",
                                         af.pick(up_last, rng.integers(0, len(up_last), n))), lib)
    up_saints = P.first_upper[: len(P.first_m)]
    lib = af.where(lib_kind == 3, af.cat("SAINT ", af.pick(up_saints, rng.integers(0, len(up_saints), n))), lib)
    lib = af.where(ldt, af.pick(LIEUX_DITS, rng.integers(0, len(LIEUX_DITS), n)), lib)
    cmp_kind = _choice(rng, n, [65, 20, 10, 5])
    bat = af.cat("BAT ", af.pick(list("ABCDEFGH"), rng.integers(0, 8, n)), " ESC ", af.int_str(rng.integers(1, 5, n)),
                 " APT ", af.int_str(rng.integers(1, 120, n)))
    cmpadr = af.where(cmp_kind == 1, bat, "")
    cmpadr = af.where(cmp_kind == 2, af.pick(RESIDENCES, rng.integers(0, len(RESIDENCES), n)), cmpadr)
    cmpadr = af.where(cmp_kind == 3, af.cat("LIEU-DIT ", af.pick(LIEUX_DITS, rng.integers(0, len(LIEUX_DITS), n))),
                      cmpadr)
    n_iris = np.clip(pop // 2000, 1, 99)
    iris_sfx = np.where(pop < 5000, 0, 100 + rng.integers(1, 100, n) % n_iris + 1)
    iris = af.cat(pa.array(codcom, pa.string()), af.int_str(iris_sfx, 4))
    qpv = np.where((pop >= 10000) & (rng.random(n) < np.where(statocc == LOC_HLM, 0.24, 0.04)), "O", "N")
    adradm = np.where(statocc == SDF, "O", "N")

    # employer
    emp_i = rng.integers(0, len(P.companies), n)
    emp_person = rng.random(n) < 0.02
    emp_name = af.where(emp_person, af.cat(af.where(rng.random(n) < 0.7, "Mme ", "M. "),
                                           _first_names(rng, P, np.where(rng.random(n) < 0.7, 2, 1)), " ",
                                           _names(P.last, rng.integers(0, len(P.last), n))),
                        af.pick(P.companies, emp_i))
    emp_siret = af.where(emp_person, "", af.pick(P.company_siret, emp_i))
    is_sal = act == SAL
    employeur = af.blank(~is_sal, emp_name)
    siretemp = af.blank(~is_sal, emp_siret)
    if local.get("la_poste_siret"):
        r = local["la_poste_siret"][0]
        lp = _la_poste_siret(rng)
        ar = employeur.to_numpy(zero_copy_only=False).astype(object)
        sr = siretemp.to_numpy(zero_copy_only=False).astype(object)
        ar[r], sr[r] = "LA POSTE", lp
        employeur, siretemp = pa.array(ar, pa.string()), pa.array(sr, pa.string())
    # numéro fiscal: first digit 0-3, key = first 10 digits mod 511
    first10 = rng.integers(0, 4, n) * 10**9 + rng.integers(0, 10**9, n)
    numfisc = af.blank(rng.random(n) >= 0.60, af.cat(af.int_str(first10, 10), af.int_str(cd.nif_key(first10), 3)))

    # landlords: reused across tenants (IDBAIL), HLM offices, foyers, private people or SCIs
    hlm_i = rng.integers(0, len(P.hlm), n)
    foy_i = rng.integers(0, len(P.foyers), n)
    ll = rng.integers(0, ctx.n_landlords, n)
    lrng_first = (ll * 2654435761) % 1_000_003
    ll_sex = np.where(lrng_first % 3 == 0, 2, 1)
    ll_fname = af.where(ll_sex == 1, af.pick(P.first_m, lrng_first % len(P.first_m)),
                        af.pick(P.first_f, lrng_first % len(P.first_f)))
    ll_last = af.pick(P.last, (ll * 40503 + 17) % len(P.last))
    ll_sci = (ll % 7) == 0
    ll_form = (ll // 7) % 3
    person = af.where(ll_form == 0, af.cat(af.where(ll_sex == 1, "M. ", "Mme "), ll_fname, " ", ll_last),
                      af.where(ll_form == 1, af.cat(ll_last, " ", ll_fname), af.cat(pc.utf8_upper(ll_fname), " ", ll_last)))
    priv_name = af.where(ll_sci, af.cat("SCI ", ll_last), person)
    sci_siret = _siret_from_index(ll)
    nombail = af.where(statocc == LOC_HLM, af.pick(P.hlm, hlm_i),
                       af.where(statocc == FOYER, af.pick(P.foyers, foy_i), priv_name))
    nombail = af.blank(~tenant, nombail)
    siretbail = af.where(statocc == LOC_HLM, af.pick(P.hlm_siret, hlm_i),
                         af.where(statocc == FOYER, af.pick(P.foyers_siret, foy_i), af.where(ll_sci, sci_siret, "")))
    siretbail = af.blank(~tenant, siretbail)
    bail_key = np.select([statocc == LOC_HLM, statocc == FOYER], [hlm_i, len(P.hlm) + foy_i],
                         len(P.hlm) + len(P.foyers) + ll)
    idbail = af.blank(~tenant, af.cat("B", af.int_str((bail_key * 7919 + 1_234_567) % 10**7, 7)))
    ll_addr_com = [c for c in ref.communes() if c["cedex"] == "0" and int(c["population"]) > 0]
    la_i = bail_key % len(ll_addr_com)
    adrbail = af.cat(af.int_str(1 + bail_key % 180), " ", af.pick(["RUE", "AV", "BD", "ALL", "PL"], bail_key % 5), " ",
                     af.pick(STREET_PLURALS, (bail_key // 5) % len(STREET_PLURALS)), " ",
                     af.pick([c["codpost"] for c in ll_addr_com], la_i), " ",
                     af.pick([ascii_upper(c["libcom"]) for c in ll_addr_com], la_i))
    adrbail = af.blank(~tenant, adrbail)
    person_ll = tenant & (statocc == LOC_PRIV) & ~ll_sci
    pl_rows = np.flatnonzero(person_ll)
    if pl_rows.size:
        rows_list = (pl_rows + start).tolist() if ctx.rows <= PLANTED_ROWS_MAX else []
        planted.append({"kind": "landlord_is_a_person", "columns": ["NOMBAIL"], "count": int(pl_rows.size),
                        "rows": rows_list, "description": "private landlord named as a person (third party's data)"})
    h.prenom, h.nomcj, h.prenomcj, h.nomfam, h.nomusage, h.nircj = prenom, nomcj, prenomcj, nomfam, nomusage, nircj
    h.codcaf, h.numalloc_s, h.tel, h.telport, h.mail, h.letter = codcaf, numalloc_s, tel, telport, mail, letter
    h.iban_c, h.iban_sp, h.iban, h.bic, h.typvoie, h.numvoie = iban_c, iban_sp, iban, bic, typvoie, numvoie
    h.indrep, h.lib, h.cmpadr, h.iris, h.qpv, h.adradm = indrep, lib, cmpadr, iris, qpv, adradm
    h.is_sal, h.employeur, h.siretemp, h.numfisc, h.nombail, h.siretbail = is_sal, employeur, siretemp, numfisc, nombail, siretbail
    h.idbail, h.adrbail = idbail, adrbail


def _control(rng: np.random.Generator, ctx: _Context, h: SimpleNamespace) -> None:
    """Control and case handling (K), dossier state, protection measures, disability details."""
    n, a18, aah_c, handall, act, has_sp = h.n, h.a18, h.aah_c, h.handall, h.act, h.has_sp
    k, dtnais_cj, eldest = h.k, h.dtnais_cj, h.eldest
    dtderctrl = np.where(rng.random(n) < 0.25, _between(rng, np.full(n, DTREF - 3 * 365), np.full(n, DTREF)), M)
    ctrl = dtderctrl != M
    typctrl = np.where(ctrl, np.array(["PLACE", "PIECES", "ECHANGE"], dtype=object)[_choice(rng, n, [20, 50, 30])], "")
    resctrl = np.where(ctrl, np.array(["SANS", "RAPPEL", "INDU"], dtype=object)[_choice(rng, n, [70, 10, 20])], "")
    indu = (rng.random(n) < 0.03) | (resctrl == "INDU")
    indu_c = np.where(indu, _cents(np.exp(rng.uniform(np.log(50), np.log(5000), n))), 0)
    indu_motif = np.where(indu, np.array(["RESS", "SITFAM", "LOGT", "ACTIV", "AUTRE"], dtype=object)[
        _choice(rng, n, [40, 20, 15, 15, 10])], "")
    score = rng.beta(2, 8, n)
    fraude = np.where((resctrl == "INDU") & (rng.random(n) < 0.06), "O", "N")
    penal_c = np.where(fraude == "O", _cents(rng.uniform(100, 3000, n)), 0)
    nbcontact = rng.poisson(3, n)
    etat = np.array(["ACTIF", "SUSPENDU", "RADIE"], dtype=object)[_choice(rng, n, [95, 4, 1])]
    dtouvdos = _between(rng, a18, np.full(n, DTREF), 2.5)
    tutelle = np.where(rng.random(n) < np.where(aah_c > 0, 0.25, 0.03),
                       np.array(["TUTELLE", "CURATELLE", "CUR_RENF", "SAUVEGARDE", "MASP"], dtype=object)[
                           _choice(rng, n, [25, 25, 25, 10, 15])], "AUCUNE")
    invalid = np.where(rng.random(n) < 0.02, np.array(["1", "2", "3"], dtype=object)[_choice(rng, n, [30, 60, 10])], "")
    esms = np.where(handall & (rng.random(n) < 0.08), np.array(["ESAT", "FOYER_HEB", "FAM", "MAS"], dtype=object)[
        _choice(rng, n, [60, 20, 12, 8])], "")
    esms = np.where((esms == "ESAT") & (act != HAND), "", esms)
    depmdph = np.where(handall, np.where(rng.random(n) < 0.9, ctx.departement, "24"), "")
    sp_tx = np.where(has_sp & (rng.random(n) < 0.03), np.array(["<50", "50-79", ">=80"], dtype=object)[
        _choice(rng, n, [40, 35, 25])], "")
    dtvie = np.where(has_sp, np.where(
        (k > 0) & (rng.random(n) < 0.7),
        _between(rng, np.maximum(np.maximum(a18, add_years(np.where(has_sp, dtnais_cj, DTREF), 18)), eldest - 12 * 365),
                 np.where(k > 0, eldest - 30, DTREF)),
        _between(rng, np.maximum(a18, add_years(np.where(has_sp, dtnais_cj, DTREF), 18)), np.full(n, DTREF))), M)
    h.dtderctrl, h.ctrl, h.typctrl, h.resctrl, h.indu_c, h.indu_motif = dtderctrl, ctrl, typctrl, resctrl, indu_c, indu_motif
    h.score, h.fraude, h.penal_c, h.nbcontact, h.etat, h.dtouvdos = score, fraude, penal_c, nbcontact, etat, dtouvdos
    h.tutelle, h.invalid, h.esms, h.depmdph, h.sp_tx, h.dtvie = tutelle, invalid, esms, depmdph, sp_tx, dtvie


def _assemble(rng: np.random.Generator, ctx: _Context, h: SimpleNamespace) -> None:
    """The structured columns as text, in schema order."""
    C = h.C
    s = af.int_str
    money = af.money
    d = af.date_str
    C["NUMLIGNE"] = s(h.gidx + 1)
    C["CODCAF"] = af.const(h.codcaf, h.n)
    C["NUMALLOC"] = h.numalloc_s
    C["MATRICULE"] = af.cat(h.codcaf, h.numalloc_s)
    C["DTREF"] = d(np.full(h.n, DTREF))
    C["MOISDROIT"] = af.const(MOISDROIT, h.n)
    C["DTOUVDOS"] = d(h.dtouvdos)
    C["ETATDOS"] = pa.array(h.etat, pa.string())
    C["CLENIR"] = h.clenir
    C["NIRCERT"] = pa.array(h.nircert, pa.string())
    C["CIVILITE"] = af.where(h.sex == 1, "M", "MME")
    C["NOMFAM"] = h.nomfam
    C["NOMUSAGE"] = h.nomusage
    C["PRENOM"] = h.prenom
    C["SEXE"] = s(h.sex)
    C["DTNAIS"] = d(h.dtnais)
    C["COMNAIS"] = pa.array(h.comnais, pa.string())
    C["LIBCOMNAIS"] = pa.array(h.libcomnais, pa.string())
    C["PAYSNAIS"] = pa.array(h.paysnais, pa.string())
    C["NATIO"] = pa.array(h.natio, pa.string())
    C["CODNATIO"] = pa.array(h.codnatio, pa.string())
    C["TITSEJ"] = pa.array(h.titsej, pa.string())
    C["SITFAM"] = pa.array(h.sitfam, pa.string())
    C["DTSITFAM"] = d(h.dtsitfam)
    C["TUTELLE"] = pa.array(h.tutelle, pa.string())
    C["TEL"] = h.tel
    C["TELPORT"] = h.telport
    C["MAIL"] = h.mail
    C["IBAN"] = h.iban
    C["BIC"] = h.bic
    C["MODEPAIE"] = pa.array(h.modepaie, pa.string())
    C["NUMVOIE"] = s(h.numvoie)
    C["INDREP"] = pa.array(h.indrep, pa.string())
    C["TYPVOIE"] = pa.array(h.typvoie, pa.string())
    C["LIBVOIE"] = h.lib
    C["CMPADR"] = h.cmpadr
    C["CODPOST"] = pa.array(h.codpost, pa.string())
    C["LIBCOM"] = pa.array(h.libcom, pa.string())
    C["CODCOM"] = pa.array(h.codcom, pa.string())
    C["IRIS"] = h.iris
    C["QPV"] = pa.array(h.qpv, pa.string())
    C["DTEMMENAG"] = d(h.dtemmenag)
    C["ADRADM"] = pa.array(h.adradm, pa.string())
    nosp = ~h.has_sp
    C["NIRCJ"] = af.blank(nosp, h.nircj)
    C["NOMCJ"] = af.blank(nosp, h.nomcj)
    C["PRENOMCJ"] = af.blank(nosp, h.prenomcj)
    C["SEXECJ"] = af.blank(nosp, s(np.where(h.has_sp, h.sp_sex, 0)))
    C["DTNAISCJ"] = d(h.dtnais_cj)
    C["NATIOCJ"] = pa.array(h.natio_cj, pa.string())
    C["ACTCJ"] = af.blank(nosp, pa.array(ACT[h.sp_act], pa.string()))
    C["CSPCJ"] = af.blank(nosp, pa.array(h.sp_csp, pa.string()))
    C["RESSCJ_N2"] = money(np.where(h.has_sp, _cents(h.sp_inc), M))
    C["TAUXINCCJ"] = pa.array(h.sp_tx, pa.string())
    C["DTDEBVIECOM"] = d(h.dtvie)
    C["NBPERS"] = s(h.nbpers)
    C["NBENF"] = s(h.k)
    C["NBENF3"] = s(h.n3)
    C["NBENFHAND"] = s(h.nbenfhand)
    C["NBAUTPAC"] = s(h.nbautpac)
    C["QF"] = money(h.qf_c)
    C["ISOLE"] = af.where(h.T == MONO, "O", "N")
    C["GROSSESSE"] = af.where(h.gross, "O", "N")
    C["DTPREVACC"] = d(h.dtprevacc)
    kfirst = [_first_names(rng, h.P, h.ksex[:, j]) for j in range(5)]
    gard = h.separated[:, None] & (rng.random((h.n, 5)) < 0.08)
    gard_vis = np.zeros(h.n, bool)
    for j in range(5):
        present = j < h.k
        gard_vis |= present & gard[:, j]
    C["GARDALT"] = af.where(gard_vis, "O", "N")
    for j in range(5):
        present = j < h.k
        C[f"ENF{j + 1}_PRENOM"] = af.blank(~present, kfirst[j])
        C[f"ENF{j + 1}_DTNAIS"] = d(np.where(present, h.kb[:, j], M))
        C[f"ENF{j + 1}_SEXE"] = af.blank(~present, s(h.ksex[:, j]))
        C[f"ENF{j + 1}_GARDALT"] = af.blank(~(present & h.separated), af.where(gard[:, j], "O", "N"))
    C["STATOCC"] = pa.array(STATOCC[h.statocc], pa.string())
    C["TYPLOG"] = pa.array(h.typlog, pa.string())
    C["LOGCONV"] = pa.array(h.logconv, pa.string())
    C["NBPIECES"] = s(np.where(h.no_dwelling, M, h.nbpieces))
    C["SURFHAB"] = s(np.where(h.no_dwelling, M, h.surf))
    C["LOYER"] = money(h.loyer_c)
    C["MTREMBPRET"] = money(h.pret_c)
    C["DTBAIL"] = d(h.dtbail)
    C["NOMBAIL"] = h.nombail
    C["ADRBAIL"] = h.adrbail
    C["SIRETBAIL"] = h.siretbail
    C["IDBAIL"] = h.idbail
    C["TIERSPAY"] = pa.array(h.tierspay, pa.string())
    C["IMPAYE"] = pa.array(h.impaye, pa.string())
    C["LOGNONDEC"] = pa.array(h.lognondec, pa.string())
    C["ACTALL"] = pa.array(ACT[h.act], pa.string())
    C["CSP"] = pa.array(h.csp, pa.string())
    C["DTDEBACT"] = d(h.dtdebact)
    C["EMPLOYEUR"] = h.employeur
    C["SIRETEMP"] = h.siretemp
    C["TPSTRAV"] = pa.array(h.tpstrav, pa.string())
    C["INSCFT"] = pa.array(h.inscft, pa.string())
    C["NUMFISC"] = h.numfisc
    C["RESS_N2_ALL"] = money(_cents(h.inc))
    C["RESS_N2_FOY"] = money(_cents(h.foy))
    C["RFR_N2"] = money(_cents(h.rfr))
    C["REVACT_M1"] = money(h.m1c)
    C["REVACT_M2"] = money(h.m2c)
    C["REVACT_M3"] = money(h.m3c)
    C["INDCHOM_M"] = money(h.indchom)
    C["PENSRET_M"] = money(h.pensret)
    C["PENSALIM_M"] = money(h.pensalim)
    C["IJ_M"] = money(h.ij)
    C["HANDALL"] = af.where(h.handall, "O", "N")
    C["TAUXINC"] = pa.array(h.tauxinc, pa.string())
    C["RSDAE"] = pa.array(h.rsdae, pa.string())
    C["DTDECCDAPH"] = d(h.dtdec)
    C["DTFINDROITAAH"] = d(h.dtfin)
    C["DEPMDPH"] = pa.array(h.depmdph, pa.string())
    C["INVALIDITE"] = pa.array(h.invalid, pa.string())
    C["ESMS"] = pa.array(h.esms, pa.string())
    C["AJPP_JOURS"] = s(h.ajpp_j)
    C["RSA_DROIT"] = af.where(h.rsa_c > 0, "O", "N")
    C["RSA_MT"] = money(h.rsa_c)
    C["RSA_MAJ"] = af.where(h.rsa_maj, "O", "N")
    C["RSA_DTOUV"] = d(h.rsa_dtouv)
    C["RSA_ORIENT"] = pa.array(h.rsa_orient, pa.string())
    C["RSA_CER"] = pa.array(h.rsa_cer, pa.string())
    C["PPA_DROIT"] = af.where(h.ppa_c > 0, "O", "N")
    C["PPA_MT"] = money(h.ppa_c)
    C["PPA_BONIF"] = money(h.bonif_c)
    C["AL_TYPE"] = pa.array(h.al_type, pa.string())
    C["AL_MT"] = money(h.al_c)
    C["AL_DTOUV"] = d(h.al_dtouv)
    C["AL_LOYRET"] = money(h.al_loyret_c)
    C["AF_MT"] = money(h.af_c)
    C["AF_MAJAGE"] = money(h.af_maj_c)
    C["AF_FORF"] = money(h.af_forf_c)
    C["AF_TRANCHE"] = pa.array(h.af_tranche, pa.string())
    C["CF_MT"] = money(h.cf_c)
    C["CF_MAJORE"] = pa.array(h.cf_majore, pa.string())
    C["ASF_MT"] = money(h.asf_c)
    C["ASF_NBENF"] = s(h.asf_nb)
    C["ASF_MOTIF"] = pa.array(h.asf_motif, pa.string())
    C["PAJE_AB_MT"] = money(h.paje_c)
    C["PAJE_AB_TAUX"] = pa.array(h.paje_taux, pa.string())
    C["PAJE_PN_DT"] = d(h.paje_pn)
    C["PREPARE_MT"] = money(h.prep_c)
    C["PREPARE_TAUX"] = pa.array(h.prep_taux, pa.string())
    C["CMG_MT"] = money(h.cmg_c)
    C["CMG_TYPE"] = pa.array(h.cmg_type, pa.string())
    C["AEEH_MT"] = money(h.aeeh_c)
    C["AEEH_CAT"] = pa.array(h.aeeh_cat, pa.string())
    C["AEEH_MPI"] = money(h.aeeh_mpi_c)
    C["ARS_MT"] = money(h.ars_c)
    C["ARS_NBENF"] = s(h.n_ars)
    C["AAH_MT"] = money(h.aah_c)
    C["AAH_TAUX"] = pa.array(h.aah_taux, pa.string())
    C["AAH_MVA"] = money(h.aah_mva_c)
    C["AAH_DTOUV"] = d(h.aah_dtouv)
    C["AJPP_MT"] = money(h.ajpp_c)
    C["TOTPREST"] = money(h.totprest)
    C["INDU_MT"] = money(h.indu_c)
    C["INDU_MOTIF"] = pa.array(h.indu_motif, pa.string())
    C["DTDERCTRL"] = d(h.dtderctrl)
    C["TYPCTRL"] = pa.array(h.typctrl, pa.string())
    C["RESCTRL"] = pa.array(h.resctrl, pa.string())
    C["SCORE_RISQUE"] = pc.replace_substring(pc.cast(pa.array(np.round(h.score, 3)), pa.string()), ".", ",")
    C["FRAUDE"] = pa.array(h.fraude, pa.string())
    C["PENALITE_MT"] = money(h.penal_c)
    C["NBCONTACT12M"] = s(h.nbcontact)
    h.kfirst = kfirst


def _texts_and_traps(rng: np.random.Generator, ctx: _Context, h: SimpleNamespace) -> None:
    """Free-text columns with entity offsets, and the planted-trap records."""
    n, start, nomfam, prenom, sex, nir15 = h.n, h.start, h.nomfam, h.prenom, h.sex, h.nir15
    iban_c, employeur, is_sal, C, lib, ctrl = h.iban_c, h.employeur, h.is_sal, h.C, h.lib, h.ctrl
    dtderctrl, etat, mail, kfirst, k, telport = h.dtderctrl, h.etat, h.mail, h.kfirst, h.k, h.telport
    P, typctrl, resctrl, local, planted, tel = h.P, h.typctrl, h.resctrl, h.local, h.planted, h.tel
    iban_sp, letter = h.iban_sp, h.letter
    from anonymizer.synth.freetext import free_text_columns

    texts, spans = free_text_columns(rng, n, start, dict(
        nomfam=nomfam, prenom=prenom, sex=sex, nir15=nir15, iban=iban_c, employeur=employeur, is_sal=is_sal,
        numvoie=C["NUMVOIE"], typvoie=C["TYPVOIE"], libvoie=lib, ctrl=ctrl, dtderctrl=dtderctrl,
        suspendu=etat == "SUSPENDU", mail=mail, kfirst=kfirst[0], has_kids=k > 0, telport=telport, pools=P,
        typctrl=typctrl, resctrl=resctrl, record=ctx.rows <= FREE_TEXT_OFFSETS_MAX_ROWS,
    ))
    C.update(texts)

    # ---- planted single rows
    for name, kind, cols, desc in (
        ("centenarian", "centenarian", ["DTNAIS"], "allocataire aged 100 or more"),
        ("nine_children", "nine_children", ["NBENF"], "a family with 9 children (slots beyond 5 are truncated)"),
        ("overseas_single", "small_overseas_commune", ["CODCOM", "CODPOST", "LIBCOM"],
         "the only row from a small overseas commune (Saül, 973)"),
        ("cedex", "cedex_postcode", ["CODPOST"], "a CEDEX post code"),
        ("la_poste_siret", "la_poste_siret", ["SIRETEMP", "EMPLOYEUR"],
         "La Poste SIRET (356000000..., digit sum multiple of 5 instead of Luhn)"),
    ):
        for r in local.get(name, []):
            planted.append({"kind": kind, "rows": [int(start + r)], "columns": cols, "description": desc})
    phone_odd = np.flatnonzero(pc.starts_with(telport, "6").to_numpy(zero_copy_only=False))
    if phone_odd.size:
        planted.append({"kind": "phone_without_leading_zero", "columns": ["TELPORT"], "count": int(phone_odd.size),
                        "rows": (phone_odd + start).tolist() if ctx.rows <= PLANTED_ROWS_MAX else [],
                        "description": "mobile number that lost its leading 0"})
    both_phones = (pc.starts_with(tel, "+33").to_numpy(zero_copy_only=False),
                   pc.starts_with(telport, "+33").to_numpy(zero_copy_only=False))
    dotted = (pc.match_substring(tel, ".").to_numpy(zero_copy_only=False),
              pc.match_substring(telport, ".").to_numpy(zero_copy_only=False))
    for kind, mask, cols, desc in (
        ("iban_with_spaces", iban_sp, ["IBAN"], "IBAN written in groups of 4 with spaces"),
        ("iban_with_letter", letter, ["IBAN"], "account number with a letter (La Banque Postale style)"),
        ("phone_international", both_phones[0] | both_phones[1], ["TEL", "TELPORT"], "phone written +33 ..."),
        ("phone_dotted", dotted[0] | dotted[1], ["TEL", "TELPORT"], "phone written with dots"),
    ):
        hit = np.flatnonzero(mask)
        if hit.size:
            planted.append({"kind": kind, "columns": cols, "count": int(hit.size),
                            "rows": (hit + start).tolist() if ctx.rows <= PLANTED_ROWS_MAX else [],
                            "description": desc})
    h.spans = spans


# The generation model in its order (schema §1): each stage reads the arrays it needs from ``h``
# and leaves the ones later stages use; the random stream is consumed in this order.
_STAGES = (_territory, _household, _origin, _situation_activity_income, _housing, _benefits,
           _identities, _control, _assemble, _texts_and_traps)


def _generate_block(ctx: _Context, b: int) -> _Block:
    """One block of rows: the generation model of schema §1, stage by stage, on shared arrays ``h``."""
    start = b * BLOCK
    n = min(BLOCK, ctx.rows - start)
    rng = np.random.default_rng(np.random.SeedSequence([ctx.seed, 1, b]))
    P = ctx.pools
    gidx = np.arange(start, start + n, dtype=np.int64)
    local = {k: [r - start for r in v if start <= r < start + n] for k, v in ctx.plants.items()}
    planted: list[dict] = []
    C: dict[str, pa.Array] = {}
    h = SimpleNamespace(start=start, n=n, P=P, gidx=gidx, local=local, planted=planted, C=C)
    for stage in _STAGES:
        stage(rng, ctx, h)
    return _Block(cols=h.C, planted=h.planted, spans=h.spans)


def _unique_orders(rng, base: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Order numbers 001-999 such that ``base + order`` (a 13-digit NIR) is unique in the block
    and absent from ``taken``: two people never share a NIR (schema §1 step 8)."""
    order = rng.integers(1, 1000, len(base))
    for _attempt in range(50):
        val = base + order
        _values, first, counts = np.unique(val, return_index=True, return_counts=True)
        dup = np.ones(len(val), bool)
        dup[first] = False
        dup |= np.isin(val, taken)
        dup &= base >= 0
        if not dup.any():
            break
        order[dup] = rng.integers(1, 1000, int(dup.sum()))
    return order


def _la_poste_siret(rng) -> str:
    """A La Poste establishment SIRET: 356000000 + NIC whose digit sum makes the total a multiple of 5."""
    while True:
        nic = f"{int(rng.integers(1, 100_000)):05d}"
        s = "356000000" + nic
        if s != "35600000000048" and sum(map(int, s)) % 5 == 0:
            return s


def _siret_from_index(idx: np.ndarray) -> pa.Array:
    """A valid SIRET per landlord index (Luhn SIREN + Luhn SIRET), deterministic in the index."""
    idx = np.asarray(idx, np.int64)
    n = len(idx)
    body = np.empty((n, 8), np.int64)
    v = (idx * 104729 + 3_000_001) % 10**8
    for j in range(8):
        body[:, 7 - j] = v % 10
        v //= 10
    body[:, 0] = np.where(body[:, 0] == 0, 4, body[:, 0])
    siren = np.column_stack([body, cd.luhn_complete(body)]) if n else np.zeros((0, 9), np.int64)
    nic = np.column_stack([np.zeros((n, 3), np.int64), 1 + idx % 9])
    head = np.column_stack([siren, nic])
    full = np.column_stack([head, cd.luhn_complete(head)]) if n else np.zeros((0, 14), np.int64)
    return af.int_str(cd.digits_to_int(full), 14)


# --------------------------------------------------------------------------- public API

def ground_truth_columns() -> dict[str, dict]:
    """Column -> role, entity, secondary_role, from rules/data/caf_extract_columns.csv."""
    return {c["code"]: {"role": c["role"], "entity": c["entity"] or None, "secondary_role": c["secondary_role"] or None}
            for c in ref.columns()}


def _check_args(rows: int, seed: int) -> None:
    if not isinstance(rows, int | np.integer) or rows < 0:
        raise UsageError(_("--rows must be a non-negative integer"))
    if not isinstance(seed, int | np.integer):
        raise UsageError(_("--seed must be an integer"))


class ExtractStream:
    """Blocks of the extract as DataFrames plus the ground truth, filled in as blocks are produced."""

    def __init__(self, rows: int, seed: int, departement: str, chunk_rows: int | None) -> None:
        _check_args(rows, seed)
        self.rows, self.seed = int(rows), int(seed)
        self.ctx = _make_context(self.rows, self.seed, departement)
        self.chunk_rows = int(chunk_rows or BLOCK)
        if self.chunk_rows <= 0:
            raise UsageError(_("chunk_rows must be positive"))
        self.truth: dict = {
            "schema_version": 1, "generator": "anonymizer.synth", "rows": self.rows, "seed": self.seed,
            "departement": self.ctx.departement, "row_numbering": "row = 0-based position in the table (NUMLIGNE - 1)",
            "columns": ground_truth_columns(), "planted": [], "free_text": {},
        }
        self.record_offsets = self.rows <= FREE_TEXT_OFFSETS_MAX_ROWS

    def _merge(self, blk: _Block) -> None:
        for p in blk.planted:
            same = next((q for q in self.truth["planted"] if q["kind"] == p["kind"] and "count" in q), None)
            if same is not None and "count" in p:
                same["count"] += p["count"]
                same["rows"].extend(p["rows"])
            elif p["kind"] in ("nir_scientific_notation", "nia"):
                same = next((q for q in self.truth["planted"] if q["kind"] == p["kind"]), None)
                if same is None:
                    p = {**p, "count": len(p["rows"])}
                    if self.rows > PLANTED_ROWS_MAX:
                        p["rows"] = []
                    self.truth["planted"].append(p)
                else:
                    same["count"] += len(p["rows"])
                    if self.rows <= PLANTED_ROWS_MAX:
                        same["rows"].extend(p["rows"])
            else:
                self.truth["planted"].append(p)
        if self.record_offsets:
            for code, parts in blk.spans.items():
                lst = self.truth["free_text"].setdefault(code, [])
                if parts:
                    arr = np.concatenate(parts)
                    lst.extend(arr.tolist())

    def __iter__(self) -> Iterator[pd.DataFrame]:
        codes = ref.column_codes()
        pending: list[pd.DataFrame] = []
        pending_rows = 0
        n_blocks = -(-self.rows // BLOCK)
        for b in range(n_blocks):
            blk = _generate_block(self.ctx, b)
            self._merge(blk)
            df = _to_frame(blk.cols, codes, start=b * BLOCK)
            pending.append(df)
            pending_rows += len(df)
            while pending_rows >= self.chunk_rows:
                cat_df = pd.concat(pending) if len(pending) > 1 else pending[0]
                yield cat_df.iloc[: self.chunk_rows]
                rest = cat_df.iloc[self.chunk_rows:]
                pending, pending_rows = ([rest] if len(rest) else []), len(rest)
        if pending_rows or self.rows == 0:
            yield pd.concat(pending) if len(pending) > 1 else (pending[0] if pending else _to_frame({}, codes, 0))
        self._finish()

    def _finish(self) -> None:
        for code in list(self.truth["free_text"]):
            self.truth["free_text"][code].sort(key=lambda s: (s[0], s[1]))
        self.truth["planted"].sort(key=lambda p: p["kind"])
        if not self.record_offsets:
            self.truth["free_text"] = {}
            self.truth["free_text_note"] = f"offsets recorded only up to {FREE_TEXT_OFFSETS_MAX_ROWS} rows"


def _to_frame(cols: dict[str, pa.Array], codes: list[str], start: int) -> pd.DataFrame:
    if not cols:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in codes})
    table = pa.table({c: cols[c] for c in codes})
    df = table.to_pandas()
    df.index = pd.RangeIndex(start, start + len(df))
    return df


def iter_extract(rows: int = 10204, seed: int = 2021, chunk_rows: int | None = None, *,
                 departement: str = "33") -> ExtractStream:
    """Stream the extract as DataFrames of ``chunk_rows`` rows (the last may be shorter).

    The concatenation is identical to :func:`generate_extract` whatever ``chunk_rows`` is.
    ``stream.truth`` is complete once the iteration is exhausted.
    """
    return ExtractStream(rows, seed, departement, chunk_rows)


def generate_extract(rows: int = 10204, seed: int = 2021, *, departement: str = "33") -> tuple[pd.DataFrame, dict]:
    """The whole extract as text columns exactly as written, and its ground truth dict."""
    stream = iter_extract(rows, seed, None, departement=departement)
    frames = list(stream)
    df = pd.concat(frames) if len(frames) > 1 else frames[0]
    return df, stream.truth


def truth_json(truth: dict) -> str:
    """The ground truth as JSON text: one column, one planted trap, one span per line (diffable)."""
    import json

    def dumps(x) -> str:
        return json.dumps(x, ensure_ascii=False, separators=(", ", ": "))

    lines = ["{"]
    keys = list(truth)
    for i, key in enumerate(keys):
        value = truth[key]
        end = "," if i < len(keys) - 1 else ""
        if key in ("columns", "free_text") and isinstance(value, dict):
            items = list(value.items())
            if not items:
                lines.append(f' {dumps(key)}: {{}}{end}')
                continue
            lines.append(f' {dumps(key)}: {{')
            for j, (k, v) in enumerate(items):
                sep = "," if j < len(items) - 1 else ""
                if isinstance(v, list):
                    inner = ",\n   ".join(dumps(s) for s in v)
                    lines.append(f'  {dumps(k)}: [\n   {inner}\n  ]{sep}' if v else f'  {dumps(k)}: []{sep}')
                else:
                    lines.append(f'  {dumps(k)}: {dumps(v)}{sep}')
            lines.append(f' }}{end}')
        elif key == "planted" and isinstance(value, list):
            inner = ",\n  ".join(dumps(p) for p in value)
            lines.append(f' {dumps(key)}: [\n  {inner}\n ]{end}' if value else f' {dumps(key)}: []{end}')
        else:
            lines.append(f' {dumps(key)}: {dumps(value)}{end}')
    lines.append("}")
    return "\n".join(lines) + "\n"
