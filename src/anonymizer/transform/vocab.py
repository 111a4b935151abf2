"""Small fixed word lists the fakes draw from (not personal data; frozen so outputs are
reproducible whatever the installed Faker version adds).

Sources: street-type abbreviations from the official list quoted in france.md §1.10; bank
codes and BICs from schwifty's bundled French registry (banks are not personal data); ARCEP
fiction phone ranges from france.md §1.8; INSEE country codes (99xxx) of common birth
countries. Name pools come from Faker ``fr_FR`` (see ``names.py``).
"""

from __future__ import annotations

#: (bank code, BIC8) of large French banks — schwifty registry, checked there (tests).
BANKS: tuple[tuple[str, str], ...] = (
    ("30004", "BNPAFRPP"), ("30003", "SOGEFRPP"), ("30002", "CRLYFRPP"), ("30006", "AGRIFRPP"),
    ("20041", "PSSTFRPP"), ("10278", "CMCIFR2A"), ("10107", "BREDFRPP"), ("11315", "CEPAFRPP"),
    ("30076", "NORDFRPP"), ("10096", "CMCIFRPP"), ("42559", "CCOPFRPP"),
)  # one bank per BIC8, so "another bank" also means "another BIC"

#: ARCEP numbers reserved for fiction: national significant number prefixes (5 digits + 4 free).
FICTION_LANDLINE = ("19900", "26191", "35301", "46571", "53649")  # 01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49
FICTION_MOBILE = ("63998",)  # 06 39 98 — phonenumbers calls it invalid (0639 = Mayotte), by design

#: Metropolitan départements used for fake birthplaces (20 is pre-1976 Corsica: use 2A/2B).
DEPARTEMENTS = tuple(f"{i:02d}" for i in range(1, 96) if i != 20) + ("2A", "2B")
OVERSEAS = ("971", "972", "973", "974", "976")
#: INSEE country codes (without the 99 prefix): Germany, Italy, Belgium, Spain, Portugal,
#: Morocco, Tunisia, Algeria.
COUNTRIES = ("109", "127", "131", "134", "139", "350", "351", "352")

STREET_TYPES_ABBR = ("RUE", "AV", "BD", "CHE", "ALL", "IMP", "PL", "RTE", "RES", "LOT", "CRS", "SQ", "PASS", "QUAI")
STREET_TYPES_FULL = ("rue", "avenue", "boulevard", "chemin", "allée", "impasse", "place", "route",
                     "résidence", "lotissement", "cours", "square", "passage", "quai")
STREET_TYPE_WORDS = {w.casefold() for w in STREET_TYPES_ABBR + STREET_TYPES_FULL} | {
    "chem", "av.", "bd.", "bvd", "ldt", "lieu-dit", "hameau", "ham", "cite", "cité", "voie", "sentier",
    "sent", "traverse", "trav", "promenade", "prom", "esplanade", "esp", "faubourg", "fbg", "mail",
    "rdpt", "rond-point", "za", "zi", "zac", "domaine", "dom", "clos", "villa", "vla", "ruelle", "rle",
    "quartier", "quar", "cours", "crs", "cour", "cr", "parvis", "montee", "montée",
}
STREET_WORDS = (
    "DES GLYCINES", "DES LILAS", "DES ROSES", "DES TILLEULS", "DES PEUPLIERS", "DES CHENES", "DES PINS",
    "DES ACACIAS", "DES MIMOSAS", "DES VIGNES", "DES PRES", "DES ECOLES", "DU MOULIN", "DU STADE",
    "DE LA GARE", "DE LA FONTAINE", "DE LA MAIRIE", "DU CHATEAU", "DES JARDINS", "DES SOURCES",
    "DU LAVOIR", "DES CERISIERS", "DES BLEUETS", "DES COQUELICOTS", "DES MARRONNIERS", "DU PARC",
    "DE LA LIBERTE", "DE LA REPUBLIQUE", "DES BOIS", "DU VERGER", "DES ORMES", "DES SAULES",
)
NATURE_WORDS = (
    "PINS", "CHENES", "TILLEULS", "LILAS", "ROSES", "ACACIAS", "GLYCINES", "SAULES", "ORMES", "ERABLES",
    "BOULEAUX", "CEDRES", "PLATANES", "MIMOSAS", "VIGNES", "SOURCES", "COTEAUX", "PRAIRIES", "JARDINS",
    "HORIZONS", "CIGALES", "MOUETTES", "HIRONDELLES", "LAVANDES", "OLIVIERS", "PEUPLIERS",
)
#: Words of an address complement / organisation name that are vocabulary, not identity.
KEEP_WORDS = {
    "bat", "bât", "batiment", "bâtiment", "esc", "escalier", "apt", "appt", "app", "appartement", "etage",
    "étage", "etg", "res", "résidence", "residence", "ldt", "lieu-dit", "lieudit", "chez", "porte", "log",
    "logement", "bp", "cs", "imm", "immeuble", "entree", "entrée", "tour", "hall", "cedex", "les", "le",
    "la", "des", "du", "de", "d", "l", "et", "au", "aux", "en", "sur", "cite", "cité", "hameau", "lot",
    "lotissement", "domaine", "villa", "bis", "ter", "rdc", "n", "no", "n°", "box", "pavillon", "foyer",
    "sci", "sarl", "sa", "sas", "sasu", "eurl", "snc", "scp", "gie", "sem", "oph", "opac", "office",
    "public", "habitat", "habitation", "logements", "immobilier", "immobiliere", "immobilière", "agence",
    "cabinet", "association", "assoc", "societe", "société", "cie", "compagnie", "groupe", "gestion",
    "syndic", "foncier", "fonciere", "foncière", "hlm", "sahlm", "esh", "social", "sociale", "mairie",
    "commune", "ccas", "centre", "departement", "département",
}
CIVILITIES = {"m", "m.", "mr", "mr.", "mme", "mme.", "mlle", "mlle.", "monsieur", "madame", "mademoiselle",
              "dr", "dr.", "me", "me."}
PARTICLES = {"de", "du", "des", "le", "la", "d'", "l'", "van", "von", "di", "da", "del", "ben", "el", "al"}
INDREP = ("B", "T", "Q", "C")
