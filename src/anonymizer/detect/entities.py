"""The entity table: every entity of the vocabulary and what each part of anon does with it.

Scan, policy, transform, verification, privacy and the CI gate all key their behaviour on the
entity of a column (``NIR``, ``BIRTH_DATE``...). Each of them used to keep its own set of entity
names, and an entity missing from one set was silently skipped there (the leak search, for
one). Here every entity says once: its default role, its family, the Presidio recognizer that
finds it in free text, the generator ``fake`` uses, how the leak search looks for it, the
hierarchy the privacy search builds for it, and the smaller facts the other modules need. The
old sets are derived below (``ENTITY_ROLE``, ``VALUE_ENTITIES``...) and the modules that used
them import them from here; ``tests/detect/test_entities.py`` checks every entry is complete.

Why a Python table and not YAML in ``rules/``: the entries name code (recognizer classes,
generator functions, hierarchy builders) that a user cannot supply through a data file, the
table is read at import time by hot paths (every Dask worker, every batch), and a frozen
dataclass gives every entry the same fields, checked when the module is imported. The data a
user does tune — column-name rules, profiles, hierarchies — stays in ``rules/``.

This module imports nothing from anon (and nothing heavy), so detect, policy, transform,
engine, privacy and check can all depend on it without an import cycle. Names of recognizers,
generators and hierarchy builders are strings resolved by their owners
(:mod:`anonymizer.detect.recognizers`, :mod:`anonymizer.transform.fake`,
:mod:`anonymizer.privacy.hierarchy`).

Adding an entity: one ``Entity(...)`` here, plus its recognizer file
(``detect/recognizers/<name>.py``), generator or hierarchy builder when it needs a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("identifier", "quasi_identifier", "sensitive", "free_text", "insensitive")

#: Short semantic groups: what kind of fact about a person the entity is.
FAMILIES = (
    "name", "national_id", "record", "contact", "bank", "address", "company", "birth", "date", "sex",
    "place", "nationality", "household", "amount", "health", "category", "free_text",
)

#: How the leak search (engine/verify.py) looks for an identifier's original values in the output:
#: ``plain`` — whole cells and spans of free text, upper case without separators;
#: ``phone`` — the same on the last nine digits (``+33 6 ...`` = ``06 ...``);
#: ``row_name`` — the original left in its own row (its cell, or the row's free text), because
#: a fake surname may equal somebody else's real one without pointing at them.
LEAK_FORMS = ("plain", "phone", "row_name")

NAME_KINDS = ("surname", "first_name", "full_name")

#: Default entity lists of ``anon check`` (check/config.py, check/rules.py) an entity is in:
#: ``direct`` fails a table, ``weak`` only in a table about people, ``text`` fails a free-text
#: column, ``printed`` fails a notebook's printed output, ``person_qi`` makes a table person-level.
CHECK_LISTS = ("direct", "weak", "text", "printed", "person_qi")

#: How ``redact`` (fake mode) writes a span of the entity in free text, at its column's level:
#: ``shift`` — a date moved by the row's per-person offset, in its own format (``21/07`` stays
#: day/month); ``departement`` — a post or commune code becomes its département; ``band`` — an
#: age becomes its band; ``round`` — an amount is rounded. Entities without one get their fake or a tag.
TEXT_LEVELS = ("shift", "departement", "band", "round")

#: Module of Presidio's own recognizers in a ``recognizer`` spec (``presidio.EmailRecognizer``);
#: any other module is one of ours under ``anonymizer.detect.recognizers``.
PRESIDIO = "presidio"


@dataclass(frozen=True)
class StrongCheck:
    """A value check that outranks the column name in the scan: a check digit, or a shape
    nothing else has. Tried in ``order``; the first whose pass rate reaches ``threshold`` wins."""

    order: int
    threshold: float
    says: str  # evidence: "98.7 % of 2,000 sampled values <says>"


@dataclass(frozen=True)
class Entity:
    """One entity of the vocabulary. The first seven fields have no default: every entry states them."""

    name: str
    role: str                # default role when the scan finds it (detect/scan.py)
    family: str              # one of FAMILIES
    recognizer: str | None   # Presidio recognizer for free text, "module.Class" (see PRESIDIO)
    fake: str | None         # generator name in transform/fake.py GENERATOR_FUNCTIONS; "shape" = same-shape
                             # fake; None = none (``fake`` gives a same-shape fake, ``redact`` a tag)
    leak: str | None         # one of LEAK_FORMS, or None (then ``why_no_leak`` for an identifier)
    hierarchy: str           # builder name in privacy/hierarchy.py BUILDERS (default_hierarchy)
    why_no_recognizer: str = ""
    why_no_leak: str = ""
    ner: str | None = None   # spaCy label mapped to it (analyzer.nlp_config)
    column: bool = True      # False: found in free text only, never a column's entity
    name_kind: str | None = None       # one of NAME_KINDS
    context: bool = False    # later actions of the row read its transformed value (transform/apply.py)
    rank: int = 1            # execution rank within a role: 0 read by others, 1, 2 derived from others
    person_key: int | None = None      # priority as the key of a person (1 first)
    proposed_person_id: bool = False   # the proposal may make it the policy's person_id
    compact: bool = False    # spaces, dots, hyphens are formatting: pseudonymize hashes without them
    strong: StrongCheck | None = None  # scan: value check outranking the column name
    generalize: str | None = None      # default ``generalize`` method
    check: tuple[str, ...] = ()        # CHECK_LISTS it is in by default
    text_priority: int | None = None   # overlapping spans in free text: higher wins (default 10)
    tag_in_text: bool = False          # ``redact`` replaces it by a tag even in fake mode
    text_level: str | None = None      # ``redact`` (fake mode) writes it at its column's level: TEXT_LEVELS
    aliases: tuple[str, ...] = ()      # other tools' labels for it (Presidio's EMAIL_ADDRESS...)


# Shared reasons
_NAME_LISTS = ("a lone surname or first name has no shape of its own: the scan checks columns against the "
               "name lists, and in free text PERSON (patterns + NER) covers names")
_ADDRESS_PART = "a part of an address: in free text the ADDRESS recognizer takes the whole address"
_COLUMN_FACT = "a column-level fact (codes, numbers, vocabulary), not a span that singles a person out in text"
_TEXT_ONLY = "found in free text only (no column value check), where redact replaces it"
_NOT_A_PERSON = ("identifies a bank, branch or company, not a person (a quasi-identifier by default); "
                 "not searched even when a policy makes the column an identifier")

_ENTRIES = (
    # ---------------------------------------------------------------- names
    # a full name "Prénom Nom" / "NOM Prénom"
    Entity("PERSON", "identifier", "name", "person.FrPersonRecognizer", "fake_person", "row_name", "flat",
           ner="PER", name_kind="full_name", context=True, check=("direct", "text"), text_priority=50,
           aliases=("PER",)),
    Entity("LAST_NAME", "identifier", "name", None, "fake_last_name", "row_name", "flat",
           why_no_recognizer=_NAME_LISTS, name_kind="surname", context=True, check=("direct",)),
    # The leak search's row check (``row_name``) covers surnames and full names only: first
    # names are too common to point at anyone, and a fake first name often equals another
    # row's real one. Other name-aware code (in-text replacement, the e-mail re-draw, anon
    # check's weak-name rule) takes every name kind (``name_kind``).
    Entity("FIRST_NAME", "identifier", "name", None, "fake_first_name", None, "flat",
           why_no_recognizer=_NAME_LISTS,
           why_no_leak="first names are too common to point at a person, and a fake one often equals another "
                       "row's real one; the row's surname or full name is checked instead",
           name_kind="first_name", context=True, check=("direct",)),
    # ---------------------------------------------------------------- national identifiers
    # NIR/NIA: 13 characters (no key) or 15 (with key), spaced or dotted forms too
    Entity("NIR", "identifier", "national_id", "nir.FrNirRecognizer", "fake_nir", "plain", "flat",
           context=True, person_key=3, proposed_person_id=True, compact=True,
           strong=StrongCheck(1, 0.8, "pass the NIR key (and plausible sex/month/place)"),
           check=("direct", "text", "printed"), text_priority=100, aliases=("FR_NIR",)),
    # the 2-digit key stored apart (CLENIR)
    Entity("NIR_KEY", "identifier", "national_id", None, "fake_nir_key", None, "flat",
           why_no_recognizer="two digits have no shape of their own: the scan finds the key beside a 13-character "
                             "NIR column",
           why_no_leak="two digits, under the search's 7-character minimum (every 2-digit number would match); "
                       "the NIR it belongs to is searched",
           rank=2, compact=True, check=("direct",)),
    # numéro fiscal (SPI), 13 digits
    Entity("FR_TAX_ID", "identifier", "national_id", "fr_tax_id.FrTaxIdRecognizer", "fake_tax_id", "plain", "flat",
           person_key=5, proposed_person_id=True, compact=True,
           strong=StrongCheck(3, 0.9, "pass the numéro fiscal key (mod 511)"),
           check=("direct", "text", "printed"), text_priority=90),
    Entity("PASSPORT", "identifier", "national_id", "passport.FrPassportRecognizer", "shape", "plain", "flat",
           compact=True, check=("direct", "text"), text_priority=65, aliases=("FR_PASSPORT",)),
    Entity("ID_CARD", "identifier", "national_id", "id_card.FrIdCardRecognizer", "shape", "plain", "flat",
           compact=True, check=("direct", "text"), text_priority=64, aliases=("FR_ID_CARD",)),
    # ---------------------------------------------------------------- file numbers
    # numéro allocataire / dossier (7 digits)
    Entity("CAF_NUMBER", "identifier", "record", "caf_number.FrCafNumberRecognizer", "fake_caf_number", "plain",
           "flat", person_key=1, proposed_person_id=True, compact=True, check=("direct", "text"),
           text_priority=66, aliases=("FR_CAF_NUMBER",)),
    # 10-character fraud-base matricule (CAF code + file number)
    Entity("CAF_MATRICULE", "identifier", "record", "caf_matricule.FrCafMatriculeRecognizer", "fake_caf_matricule",
           "plain", "flat", person_key=2, proposed_person_id=True, compact=True, check=("direct", "text"),
           text_priority=68),
    # any other value unique per row or per person (internal ids)
    Entity("RECORD_ID", "identifier", "record", None, "shape", "plain", "flat",
           why_no_recognizer="internal ids have no common shape: the scan finds them by uniqueness",
           person_key=4, proposed_person_id=True, compact=True, check=("weak",)),
    # ---------------------------------------------------------------- bank
    Entity("IBAN", "identifier", "bank", "iban.FrIbanRecognizer", "fake_iban", "plain", "flat",
           context=True, person_key=6, compact=True, strong=StrongCheck(2, 0.8, "are IBANs (ISO 13616 mod 97)"),
           check=("direct", "text", "printed"), text_priority=95, aliases=("IBAN_CODE",)),
    Entity("BIC", "quasi_identifier", "bank", "bic.FrBicRecognizer", "fake_bic", None, "flat",
           why_no_leak=_NOT_A_PERSON, rank=2, compact=True, check=("weak",), text_priority=60,
           aliases=("SWIFT_CODE",)),
    Entity("CREDIT_CARD", "identifier", "bank", "presidio.CreditCardRecognizer", None, None, "flat",
           why_no_leak=_TEXT_ONLY, column=False, text_priority=85),
    # ---------------------------------------------------------------- contact
    Entity("PHONE", "identifier", "contact", "phone.FrPhoneRecognizer", "fake_phone", "phone", "flat",
           person_key=8, compact=True, strong=StrongCheck(7, 0.8, "are French phone numbers"),
           check=("direct", "text", "printed"), text_priority=80, aliases=("PHONE_NUMBER",)),
    Entity("EMAIL", "identifier", "contact", "email_offline.OfflineEmailRecognizer", "fake_email", "plain", "flat",
           rank=2, person_key=7, compact=True, strong=StrongCheck(6, 0.8, "are e-mail addresses"),
           check=("direct", "text", "printed"), text_priority=84, aliases=("EMAIL_ADDRESS",)),
    Entity("IP_ADDRESS", "identifier", "contact", "presidio.IpRecognizer", None, None, "flat",
           why_no_leak=_TEXT_ONLY, column=False, text_priority=45, tag_in_text=True),
    Entity("URL", "identifier", "contact", "presidio.UrlRecognizer", None, None, "flat",
           why_no_leak=_TEXT_ONLY, column=False, text_priority=40, tag_in_text=True),
    # ---------------------------------------------------------------- address
    # a full street address in one cell; then its parts when split over columns
    Entity("ADDRESS", "identifier", "address", "address.FrAddressRecognizer", "fake_address", "plain", "flat",
           check=("direct", "text"), text_priority=55, aliases=("STREET_ADDRESS",)),
    Entity("STREET_NUMBER", "identifier", "address", None, "fake_street_number", None, "flat",
           why_no_recognizer=_ADDRESS_PART,
           why_no_leak="house numbers are 1 to 4 digits, under the search's 7-character minimum and shared by "
                       "everybody",
           check=("direct",)),
    Entity("STREET_SUFFIX", "identifier", "address", None, "fake_street_suffix", None, "flat",
           why_no_recognizer=_ADDRESS_PART, why_no_leak="bis, ter, quater: a handful of words", check=("weak",)),
    Entity("STREET_TYPE", "identifier", "address", None, "fake_street_type", None, "flat",
           why_no_recognizer=_ADDRESS_PART, why_no_leak="rue, avenue, chemin: a vocabulary, no one's own value",
           check=("weak",)),
    Entity("STREET_NAME", "identifier", "address", None, "fake_street_name", None, "flat",
           why_no_recognizer=_ADDRESS_PART,
           why_no_leak="a street name is shared by everyone living in it and by streets of the same name "
                       "elsewhere, and fakes are drawn from street names; the whole ADDRESS is searched",
           check=("direct",)),
    Entity("ADDRESS_COMPLEMENT", "identifier", "address", None, "fake_complement", None, "flat",
           why_no_recognizer=_ADDRESS_PART,
           why_no_leak="BAT A, RES LES PINS, lieu-dit: phrases many addresses share; the whole ADDRESS is searched",
           check=("direct",)),
    # ---------------------------------------------------------------- companies
    # employer / landlord name (may be a person's name)
    Entity("ORGANIZATION", "identifier", "company", None, "fake_organization", None, "flat",
           why_no_recognizer="spaCy's ORG labels are ignored (analyzer.nlp_config: too noisy on French "
                             "administrative text); columns are found by their name",
           why_no_leak="employer and landlord names are shared by many people and fakes are drawn from the "
                       "same kind of names (a landlord who is a private person is not searched)",
           check=("weak",), aliases=("ORG",)),
    Entity("SIREN", "quasi_identifier", "company", "siren.FrSirenRecognizer", "fake_siren", None, "flat",
           why_no_leak=_NOT_A_PERSON, compact=True, strong=StrongCheck(5, 0.95, "pass the SIREN Luhn check"),
           check=("weak",), text_priority=70, aliases=("FR_SIREN",)),
    Entity("SIRET", "quasi_identifier", "company", "siret.FrSiretRecognizer", "fake_siret", None, "flat",
           why_no_leak=_NOT_A_PERSON, compact=True,
           strong=StrongCheck(4, 0.9, "pass the SIRET Luhn check (La Poste rule)"),
           check=("weak",), text_priority=88, aliases=("FR_SIRET",)),
    # ---------------------------------------------------------------- birth, dates, sex
    # dates: JJ/MM/AAAA, ISO, 12 mars 1985, AAAAMM...
    Entity("BIRTH_DATE", "quasi_identifier", "birth", None, "fake_date", None, "dates",
           why_no_recognizer="in free text a birth date is a DATE; which date is a birth date only the column "
                             "name says",
           context=True, rank=0, generalize="year", check=("person_qi",), tag_in_text=True),
    Entity("AGE", "quasi_identifier", "birth", "age.FrAgeRecognizer", None, None, "age",
           generalize="band", check=("person_qi",), text_priority=27, text_level="band"),
    Entity("DATE", "quasi_identifier", "date", "date_fr.FrDateRecognizer", "fake_date", None, "dates",
           rank=0, generalize="month", text_priority=30, aliases=("DATE_TIME",), text_level="shift"),
    Entity("SEX", "quasi_identifier", "sex", None, None, None, "flat", why_no_recognizer=_COLUMN_FACT,
           context=True, rank=0, check=("person_qi",)),
    Entity("CIVILITY", "quasi_identifier", "sex", None, None, None, "flat",
           why_no_recognizer="M., Mme in free text come with the name PERSON covers",
           context=True, rank=0, check=("person_qi",)),
    # ---------------------------------------------------------------- places
    Entity("POSTAL_CODE", "quasi_identifier", "place", "postal_code.FrPostalCodeRecognizer", "fake_place_code",
           None, "prefixes", compact=True, generalize="departement", text_priority=25, text_level="departement"),
    Entity("COMMUNE_CODE", "quasi_identifier", "place", "commune_code.FrCommuneCodeRecognizer", "fake_place_code",
           None, "prefixes", compact=True, generalize="departement", text_priority=24, text_level="departement",
           context=True, rank=0),  # a released birth commune is a fake NIR's birthplace
    Entity("COMMUNE_NAME", "quasi_identifier", "place", None, "fake_city", None, "flat",
           why_no_recognizer="city names in free text are LOCATION (spaCy's LOC); columns are found by their name"),
    Entity("IRIS", "quasi_identifier", "place", None, None, None, "flat", why_no_recognizer=_COLUMN_FACT,
           generalize="departement"),
    Entity("DEPARTEMENT", "quasi_identifier", "place", None, None, None, "flat", why_no_recognizer=_COLUMN_FACT,
           generalize="departement"),
    # a place named in free text: a fake commune name in fake mode (a <LOCATION> tag beside fakes
    # of every other kind told the reader where a real place was)
    Entity("LOCATION", "quasi_identifier", "place", None, "fake_city", None, "flat",
           ner="LOC", column=False, text_priority=20),
    # ---------------------------------------------------------------- origin
    Entity("NATIONALITY", "quasi_identifier", "nationality", None, None, None, "nationality",
           why_no_recognizer=_COLUMN_FACT, check=("person_qi",)),
    # the INSEE code of the country of birth: interchangeable with nationality as a key variable
    Entity("COUNTRY_CODE", "quasi_identifier", "nationality", None, None, None, "flat",
           why_no_recognizer=_COLUMN_FACT, context=True, rank=0),  # a released birth country: a NIR's 99xxx
    # ---------------------------------------------------------------- household, money, health, categories
    Entity("COUNT", "quasi_identifier", "household", None, None, None, "count", why_no_recognizer=_COLUMN_FACT,
           generalize="top_bottom"),
    Entity("AMOUNT", "sensitive", "amount", "amount.FrAmountRecognizer", None, None, "amount",
           generalize="round", text_priority=28, text_level="round"),
    Entity("HEALTH", "sensitive", "health", None, None, None, "flat",
           why_no_recognizer="health words in free text have no shape a pattern can hold; columns are found by "
                             "their name",
           tag_in_text=True),
    Entity("SCORE", "sensitive", "category", None, None, None, "flat", why_no_recognizer=_COLUMN_FACT),
    Entity("CATEGORY", "quasi_identifier", "category", None, None, None, "flat", why_no_recognizer=_COLUMN_FACT),
    Entity("FREE_TEXT", "free_text", "free_text", None, None, None, "flat",
           why_no_recognizer="the free text itself: its spans are the other entities"),
)



def problems(e: Entity) -> list[str]:
    """What is missing or inconsistent in one entry (names of code are resolved by the tests)."""
    out = []
    if not e.name.isupper() or not e.name.replace("_", "").isalpha():
        out.append("name: upper-case letters and underscores")
    if e.role not in ROLES:
        out.append(f"role {e.role!r} not in ROLES")
    if e.family not in FAMILIES:
        out.append(f"family {e.family!r} not in FAMILIES")
    if bool(e.recognizer or e.ner) == bool(e.why_no_recognizer):
        out.append("needs a recognizer (or NER label) or a reason for having none, not both")
    if e.recognizer is not None and e.recognizer.count(".") != 1:
        out.append("recognizer: 'module.Class'")
    if e.leak is not None and e.leak not in LEAK_FORMS:
        out.append(f"leak form {e.leak!r} not in LEAK_FORMS")
    if e.leak is not None and e.why_no_leak:
        out.append("a leak form and a reason for having none")
    if e.leak is None and e.role == "identifier" and not e.why_no_leak:
        out.append("an identifier needs a leak form or a reason for having none")
    if e.leak == "row_name" and e.name_kind is None:
        out.append("leak form row_name is for names")
    if e.name_kind is not None and e.name_kind not in NAME_KINDS:
        out.append(f"name kind {e.name_kind!r} not in NAME_KINDS")
    if not e.hierarchy:
        out.append("needs a hierarchy builder")
    if e.rank not in (0, 1, 2):
        out.append("rank: 0, 1 or 2")
    if e.proposed_person_id and e.person_key is None:
        out.append("a proposed person id needs a person_key priority")
    if set(e.check) - set(CHECK_LISTS):
        out.append(f"check lists {sorted(set(e.check) - set(CHECK_LISTS))} unknown")
    if e.column and e.role == "identifier" and not {"direct", "weak"} & set(e.check):
        out.append("an identifier column entity must be in anon check's direct or weak list")
    if (e.recognizer or e.ner) and e.text_priority is None:
        out.append("an entity found in free text needs a text_priority (overlaps)")
    if not e.column and not (e.recognizer or e.ner):
        out.append("a text-only entity needs a recognizer or NER label")
    if e.text_level is not None and e.text_level not in TEXT_LEVELS:
        out.append(f"text level {e.text_level!r} not in TEXT_LEVELS")
    if e.text_level is not None and not (e.recognizer and e.text_priority is not None):
        out.append("a text level is for an entity found in free text")
    if e.text_level is not None and e.tag_in_text:
        out.append("a text level and a tag in text")
    return out


def _table(entries: tuple[Entity, ...]) -> dict[str, Entity]:
    table: dict[str, Entity] = {}
    for e in entries:
        bad = problems(e) + (["defined twice"] if e.name in table else [])
        if bad:
            raise ValueError(f"entity table: {e.name}: {'; '.join(bad)}")
        table[e.name] = e
    for what, key in (("person_key", lambda e: e.person_key), ("strong order", lambda e: e.strong and e.strong.order)):
        seen = [key(e) for e in table.values() if key(e)]
        if len(seen) != len(set(seen)):
            raise ValueError(f"entity table: two entities share a {what}")
    return table


ENTITIES: dict[str, Entity] = _table(_ENTRIES)


def _names(**where) -> tuple[str, ...]:
    return tuple(n for n, e in ENTITIES.items() if all(getattr(e, k) == v for k, v in where.items()))


def _in(check: str) -> list[str]:
    return [n for n, e in ENTITIES.items() if check in e.check]


# ------------------------------------------------------------------ derived views (one per old set)

#: scan: default role of each column entity.
ENTITY_ROLE: dict[str, str] = {n: e.role for n, e in ENTITIES.items() if e.column}
#: scan: value checks that outrank a column name, in the order they are tried, with their wording.
STRONG: dict[str, float] = {n: e.strong.threshold for n, e in sorted(
    ((n, e) for n, e in ENTITIES.items() if e.strong), key=lambda x: x[1].strong.order)}  # type: ignore[union-attr]
STRONG_SAYS: dict[str, str] = {n: ENTITIES[n].strong.says for n in STRONG}  # type: ignore[union-attr]
#: Names of every kind (surname, first name, full name).
NAME_ENTITIES: frozenset[str] = frozenset(n for n, e in ENTITIES.items() if e.name_kind)
#: Leak search: searched as values (plain or phone form), and checked row by row (surnames, full names).
VALUE_ENTITIES: frozenset[str] = frozenset(n for n, e in ENTITIES.items() if e.leak in ("plain", "phone"))
ROW_NAME_ENTITIES: frozenset[str] = frozenset(_names(leak="row_name"))
#: Sanitize: entities whose transformed value later actions of the row read.
CONTEXT_ENTITIES: frozenset[str] = frozenset(_names(context=True))
#: Execution rank within a role (entities not listed: 1).
ENTITY_RANK: dict[str, int] = {n: e.rank for n, e in ENTITIES.items() if e.rank != 1}
#: Columns keying a person, best first: all of them for the date shift's fallback, the
#: proposable ones for the policy's person_id (a phone, e-mail or IBAN may be a household's).
PERSON_KEY_ENTITIES: tuple[str, ...] = tuple(sorted(
    (n for n, e in ENTITIES.items() if e.person_key is not None), key=lambda n: ENTITIES[n].person_key or 0))
PERSON_ID_ENTITIES: tuple[str, ...] = tuple(n for n in PERSON_KEY_ENTITIES if ENTITIES[n].proposed_person_id)
#: pseudonymize: identifiers whose separators are formatting.
COMPACT_ENTITIES: frozenset[str] = frozenset(_names(compact=True))
#: generalize: default method per entity.
GENERALIZE_METHOD: dict[str, str] = {n: e.generalize for n, e in ENTITIES.items() if e.generalize}
#: privacy: hierarchy builder per entity (default_hierarchy; entities not in the table: flat).
HIERARCHY_BUILDER: dict[str, str] = {n: e.hierarchy for n, e in ENTITIES.items()}
#: fake: generator name per entity that has one.
FAKE_GENERATOR: dict[str, str] = {n: e.fake for n, e in ENTITIES.items() if e.fake}
#: anon check's default lists.
DIRECT_IDENTIFIERS: list[str] = _in("direct")
WEAK_IDENTIFIERS: list[str] = _in("weak")
TEXT_PII: list[str] = _in("text")
PRINTED_ENTITIES: tuple[str, ...] = tuple(_in("printed"))
PERSON_QI: list[str] = _in("person_qi")
#: Free text: overlap priority of span entities, other labels -> our names, entities tagged even in fake mode.
TEXT_PRIORITY: dict[str, int] = {n: e.text_priority for n, e in ENTITIES.items() if e.text_priority is not None}
ALIASES: dict[str, str] = {a: n for n, e in ENTITIES.items() for a in e.aliases}
TAG_IN_TEXT: frozenset[str] = frozenset(x for n, e in ENTITIES.items() if e.tag_in_text for x in (n, *e.aliases))
#: Free text: entities ``redact`` writes at their column's level (fake mode), by their names and aliases.
TEXT_LEVEL: dict[str, str] = {x: e.text_level for n, e in ENTITIES.items() if e.text_level for x in (n, *e.aliases)}
#: Recognizers: ours ("module.Class" under anonymizer.detect.recognizers) and Presidio's, in table order.
OUR_RECOGNIZERS: tuple[str, ...] = tuple(
    e.recognizer for e in ENTITIES.values() if e.recognizer and not e.recognizer.startswith(PRESIDIO + "."))
PRESIDIO_RECOGNIZERS: tuple[str, ...] = tuple(
    e.recognizer.split(".", 1)[1] for e in ENTITIES.values() if e.recognizer and e.recognizer.startswith(PRESIDIO + "."))
#: spaCy NER label -> entity.
NER_LABELS: dict[str, str] = {e.ner: n for n, e in ENTITIES.items() if e.ner}


def entity(name: str | None) -> Entity | None:
    """The table entry of ``name`` (None for no entity or an unknown one)."""
    return ENTITIES.get(name or "")




def family_of(entity_name: str | None, declared: str | None = None) -> str:
    """The family of a column: the one its column rule declares (``family`` in the policy), else
    its entity's, else ``category``."""
    if declared in FAMILIES:
        return declared
    e = ENTITIES.get((entity_name or "").upper())
    return e.family if e is not None else "category"
