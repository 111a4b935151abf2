"""Value pools drawn once per seed (names, companies, landlords); rows then index into them.

Faker ``fr_FR`` is used only here, to build pools, never once per cell: the generator is
vectorised and draws integer indices into these tuples.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from faker import Faker
from faker.providers.person.fr_FR import Provider as _Person

from anonymizer.synth import checkdigits as cd

# Words for invented street names: no row points to a real dwelling (schema §1 step 1).
STREET_PLURALS = (
    "DES GLYCINES", "DES LILAS", "DES ACACIAS", "DES PINS", "DES CHENES", "DES ROSES", "DES MIMOSAS",
    "DES PLATANES", "DES TILLEULS", "DES VIGNES", "DES BRUYERES", "DES AJONCS", "DES ARBOUSIERS",
    "DES CIGALES", "DES HIRONDELLES", "DES MESANGES", "DES CERISIERS", "DES PEUPLIERS", "DES SAULES",
    "DES GENETS", "DES JONQUILLES", "DES VIOLETTES", "DES CHATAIGNIERS", "DES ECOLES", "DES SOURCES",
    "DU MOULIN", "DU LAVOIR", "DE LA FONTAINE", "DES PRES", "DES JARDINS", "DU STADE", "DES ARTISANS",
    "DE LA FORET", "DES DUNES", "DES MOUETTES", "DU BOCAGE", "DES VERGERS", "DES CHAIS", "DES BARRIQUES",
)
STREET_TITLES = ("DU GENERAL", "DU MARECHAL", "DU DOCTEUR", "DU PROFESSEUR", "DU COMMANDANT", "DU PRESIDENT")
LIEUX_DITS = ("LE BOURG", "LES GRANGES", "LA LANDE", "LE PEYRAT", "LES BARTHES", "LA GRAVIERE",
              "LE TUQUET", "LES AUBIERS", "LA PALUD", "LE CROS", "LA CASSIE", "LES ESTEYS")
RESIDENCES = ("RES LES PINS", "RES LES CHENES", "RES DU PARC", "RES LES OCEANIDES", "RES LE CLOS FLEURI",
              "RES LES JARDINS", "RES BELLEVUE", "RES DU LAC", "RES LES ERABLES", "RES LE HAMEAU")
COMPANY_KINDS = ("TRANSPORTS", "BOULANGERIE", "GARAGE", "PLOMBERIE", "CLINIQUE", "SUPERMARCHE", "BATIMENT",
                 "NETTOYAGE", "PHARMACIE", "RESTAURANT", "ELECTRICITE", "SECURITE", "LOGISTIQUE",
                 "AIDE A DOMICILE", "VIGNOBLES", "CHATEAU", "MENUISERIE", "COIFFURE", "INFORMATIQUE", "BTP")
COMPANY_SUFFIXES = ("SA", "SARL", "SAS", "SASU", "EURL", "ET FILS")


def _cp1252(s: str) -> bool:
    try:
        s.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def ascii_upper(s: str) -> str:
    """``Hélène d'Aubigné`` -> ``HELENE D AUBIGNE`` (address / e-mail style)."""
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return s.upper().replace("'", " ")


@dataclass(frozen=True)
class Pools:
    first_f: tuple[str, ...]
    first_m: tuple[str, ...]
    last: tuple[str, ...]           # upper case, with compound names
    cities: tuple[str, ...]         # invented town names (Faker), for HLM offices
    companies: tuple[str, ...]
    company_siret: tuple[str, ...]
    hlm: tuple[str, ...]
    hlm_siret: tuple[str, ...]
    foyers: tuple[str, ...]
    foyers_siret: tuple[str, ...]
    first_all: tuple[str, ...] = ()     # first_m + first_f + compound_m + compound_f
    n_compound_m: int = 0
    first_upper: tuple[str, ...] = ()   # same order, ASCII upper case (street names)
    first_mail: tuple[str, ...] = ()    # same order, ASCII lower case (e-mail local part)
    last_upper: tuple[str, ...] = ()
    last_mail: tuple[str, ...] = ()


def siret_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` valid SIRETs: Luhn SIREN (first digit 1-9) + NIC with a Luhn check over all 14 digits."""
    body = rng.integers(0, 10, size=(n, 8))
    body[:, 0] = rng.integers(1, 10, size=n)
    siren = np.column_stack([body, cd.luhn_complete(body)])
    nic = rng.integers(0, 10, size=(n, 4))
    nic[:, :3] = 0
    nic[:, 3] = rng.integers(1, 10, size=n)  # NIC 0001x..0009x: the usual first establishments
    head = np.column_stack([siren, nic])
    full = np.column_stack([head, cd.luhn_complete(head)])
    return ["".join(map(str, row)) for row in full.tolist()]


def _compounds(rng: np.random.Generator, names: tuple[str, ...], k: int) -> tuple[str, ...]:
    """Up to ``k`` distinct hyphenated pairs of single-word first names, sorted."""
    single = [x for x in names if " " not in x and "-" not in x]
    a = rng.integers(0, len(single), 3 * k)
    b = rng.integers(0, len(single), 3 * k)
    out = sorted({f"{single[i]}-{single[j]}" for i, j in zip(a.tolist(), b.tolist(), strict=True) if i != j})
    keep = rng.permutation(len(out))[:k]
    return tuple(sorted(out[i] for i in keep.tolist()))


@lru_cache(maxsize=4)
def build_pools(seed: int) -> Pools:
    """Pools for one seed (deterministic)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7001]))
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    first_f = tuple(sorted({n for n in _Person.first_names_female if _cp1252(n)}))
    first_m = tuple(sorted({n for n in _Person.first_names_male if _cp1252(n)}))
    # compound first names (Jean-Pierre, Marie-Claire...) widen the pools to ~1,500 by sex
    comp_m = _compounds(rng, first_m, 1200)
    comp_f = _compounds(rng, first_f, 1500)
    simple = sorted({n.upper() for n in _Person.last_names if _cp1252(n)})
    a = rng.integers(0, len(simple), 300)
    b = rng.integers(0, len(simple), 300)
    compound = sorted({f"{simple[i]}-{simple[j]}" for i, j in zip(a.tolist(), b.tolist(), strict=True) if i != j})
    last = tuple(simple + compound)
    cities = []
    while len(cities) < 40:
        c = fake.city()
        if _cp1252(c) and c not in cities:
            cities.append(c)
    comp = set()
    while len(comp) < 1500:
        kind = rng.integers(0, 4)
        l1, l2 = simple[rng.integers(len(simple))], simple[rng.integers(len(simple))]
        if kind == 0:
            comp.add(f"{l1} {COMPANY_SUFFIXES[rng.integers(len(COMPANY_SUFFIXES))]}")
        elif kind == 1:
            comp.add(f"{l1} {l2} {COMPANY_SUFFIXES[rng.integers(len(COMPANY_SUFFIXES))]}")
        else:
            comp.add(f"{COMPANY_KINDS[rng.integers(len(COMPANY_KINDS))]} {l1}")
    companies = tuple(sorted(comp))
    hlm_forms = ("OPH {} HABITAT", "{} HABITAT", "SA HLM {}", "OFFICE PUBLIC DE L'HABITAT DE {}")
    hlm = tuple(hlm_forms[i % 4].format(ascii_upper(cities[i])) for i in range(10))
    foyers = tuple(f"ASSOCIATION FOYER {ascii_upper(cities[10 + i])}" for i in range(4)) + (
        "RESIDENCE SOCIALE LES HIRONDELLES", "CROUS RESIDENCES UNIVERSITAIRES")
    return Pools(
        first_f=first_f, first_m=first_m, last=last, cities=tuple(cities), companies=companies,
        company_siret=tuple(siret_numbers(rng, len(companies))), hlm=hlm,
        hlm_siret=tuple(siret_numbers(rng, len(hlm))), foyers=foyers,
        foyers_siret=tuple(siret_numbers(rng, len(foyers))),
        first_all=first_m + first_f + comp_m + comp_f,
        n_compound_m=len(comp_m),
        first_upper=tuple(ascii_upper(x) for x in first_m + first_f + comp_m + comp_f),
        first_mail=tuple(ascii_upper(x).lower().replace(" ", "-") for x in first_m + first_f + comp_m + comp_f),
        last_upper=tuple(ascii_upper(x) for x in last),
        last_mail=tuple(ascii_upper(x).lower().replace(" ", "") for x in last),
    )
