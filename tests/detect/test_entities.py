"""The entity table (detect/entities.py): every entry complete, every name it gives resolves,
every entity the rules, profiles, synthetic extract and scan use is in it, and the sets derived
from it equal the hand-written sets they replaced (the regression reference below)."""

from __future__ import annotations

import ast
import csv
import dataclasses
import inspect
from importlib import import_module

import pandas as pd
import pytest
import yaml

from anonymizer.detect import entities as E
from anonymizer.resources import rules_path

# ---------------------------------------------------------------------------------------------
# Regression reference: the hand-written sets as they were before the table (commit 33e49ec),
# written here once. Where the table deliberately differs, the test says so and why.
OLD_ENTITY_ROLE = {  # detect/scan.py
    "PERSON": "identifier", "LAST_NAME": "identifier", "FIRST_NAME": "identifier", "NIR": "identifier",
    "NIR_KEY": "identifier", "CAF_NUMBER": "identifier", "CAF_MATRICULE": "identifier", "IBAN": "identifier",
    "FR_TAX_ID": "identifier", "PASSPORT": "identifier", "ID_CARD": "identifier", "PHONE": "identifier",
    "EMAIL": "identifier", "ADDRESS": "identifier", "STREET_NUMBER": "identifier", "STREET_SUFFIX": "identifier",
    "STREET_TYPE": "identifier", "STREET_NAME": "identifier", "ADDRESS_COMPLEMENT": "identifier",
    "ORGANIZATION": "identifier", "RECORD_ID": "identifier", "BIC": "quasi_identifier",
    "SIREN": "quasi_identifier", "SIRET": "quasi_identifier", "BIRTH_DATE": "quasi_identifier",
    "DATE": "quasi_identifier", "SEX": "quasi_identifier", "CIVILITY": "quasi_identifier",
    "POSTAL_CODE": "quasi_identifier", "COMMUNE_CODE": "quasi_identifier", "COMMUNE_NAME": "quasi_identifier",
    "IRIS": "quasi_identifier", "DEPARTEMENT": "quasi_identifier", "COUNTRY_CODE": "quasi_identifier",
    "NATIONALITY": "quasi_identifier", "AGE": "quasi_identifier", "COUNT": "quasi_identifier",
    "AMOUNT": "sensitive", "HEALTH": "sensitive", "SCORE": "sensitive", "CATEGORY": "quasi_identifier",
    "FREE_TEXT": "free_text",
}
OLD_STRONG = [("NIR", 0.8), ("IBAN", 0.8), ("FR_TAX_ID", 0.9), ("SIRET", 0.9), ("SIREN", 0.95), ("EMAIL", 0.8),
              ("PHONE", 0.8)]  # detect/scan.py, in the order tried
OLD_STRONG_LABELS = {  # detect/scan.py _decide
    "NIR": "pass the NIR key (and plausible sex/month/place)", "IBAN": "are IBANs (ISO 13616 mod 97)",
    "FR_TAX_ID": "pass the numéro fiscal key (mod 511)", "SIRET": "pass the SIRET Luhn check (La Poste rule)",
    "SIREN": "pass the SIREN Luhn check", "EMAIL": "are e-mail addresses", "PHONE": "are French phone numbers",
}
# plan.py; since #16 the birthplace codes too (a fake NIR reads them)
OLD_ENTITY_RANK = {"SEX": 0, "CIVILITY": 0, "BIRTH_DATE": 0, "DATE": 0, "NIR_KEY": 2, "BIC": 2, "EMAIL": 2,
                   "COMMUNE_CODE": 0, "COUNTRY_CODE": 0}
OLD_KEY_ACTIONS = {"pseudonymize", "fake", "shift_dates", "noise", "redact"}  # plan.py and transform/__init__.py
OLD_PERSON_ID_ENTITIES = ("CAF_NUMBER", "CAF_MATRICULE", "NIR", "RECORD_ID", "FR_TAX_ID")  # policy/proposal.py
OLD_DATES_PERSON_ENTITIES = ("CAF_NUMBER", "CAF_MATRICULE", "NIR", "FR_TAX_ID", "RECORD_ID", "IBAN", "EMAIL",
                             "PHONE")  # transform/dates.py
# apply; since #16 also COMMUNE_CODE and COUNTRY_CODE: a fake NIR's birthplace is the released one
OLD_CONTEXT_ENTITIES = {"SEX", "CIVILITY", "BIRTH_DATE", "NIR", "IBAN", "FIRST_NAME", "LAST_NAME", "PERSON",
                        "COMMUNE_CODE", "COUNTRY_CODE"}
OLD_APPLY_NAME_ENTITIES = ("LAST_NAME", "FIRST_NAME", "PERSON")  # engine/apply.py (now transform/row_names.py)
OLD_CHECK_NAME_ENTITIES = ("PERSON", "LAST_NAME", "FIRST_NAME")  # check/rules.py
OLD_VERIFY_VALUE_ENTITIES = {"NIR", "CAF_NUMBER", "CAF_MATRICULE", "IBAN", "PHONE", "EMAIL", "FR_TAX_ID",
                             "PASSPORT", "ID_CARD", "RECORD_ID", "ADDRESS"}  # engine/verify.py
OLD_VERIFY_NAME_ENTITIES = {"LAST_NAME", "PERSON"}  # engine/verify.py
OLD_PRINTED_ENTITIES = ("NIR", "IBAN", "FR_TAX_ID", "EMAIL", "PHONE")  # check/rules.py
OLD_DIRECT_IDENTIFIERS = [  # check/config.py
    "PERSON", "LAST_NAME", "FIRST_NAME", "NIR", "NIR_KEY", "CAF_NUMBER", "CAF_MATRICULE", "IBAN",
    "FR_TAX_ID", "PASSPORT", "ID_CARD", "PHONE", "EMAIL", "ADDRESS", "STREET_NAME", "STREET_NUMBER",
    "ADDRESS_COMPLEMENT",
]
OLD_WEAK_IDENTIFIERS = ["RECORD_ID", "ORGANIZATION", "STREET_TYPE", "STREET_SUFFIX", "BIC", "SIREN", "SIRET"]
OLD_TEXT_PII = ["PERSON", "NIR", "PHONE", "EMAIL", "IBAN", "ADDRESS", "CAF_NUMBER", "CAF_MATRICULE",
                "FR_TAX_ID", "PASSPORT", "ID_CARD"]
OLD_PERSON_QI = ["BIRTH_DATE", "SEX", "AGE", "CIVILITY", "NATIONALITY"]
OLD_IDENTIFIER_ENTITIES = {  # transform/pseudonymize.py
    "NIR", "NIR_KEY", "CAF_NUMBER", "CAF_MATRICULE", "IBAN", "BIC", "SIREN", "SIRET", "FR_TAX_ID",
    "PASSPORT", "ID_CARD", "PHONE", "RECORD_ID", "EMAIL", "POSTAL_CODE", "COMMUNE_CODE",
}
OLD_GENERATORS = {  # transform/fake.py: entity -> (module.function or None, context kind)
    "PERSON": ("names.fake_person", "sex"), "FIRST_NAME": ("names.fake_first_name", "sex"),
    "LAST_NAME": ("names.fake_last_name", None), "NIR": ("fake_ids.fake_nir", "nir"),
    "NIR_KEY": ("fake_ids.fake_nir_key", "nir_key"), "IBAN": ("fake_ids.fake_iban", None),
    "BIC": ("fake_ids.fake_bic", "bic"), "PHONE": ("fake_ids.fake_phone", None),
    "EMAIL": ("names.fake_email", "names"), "CAF_NUMBER": ("fake_ids.fake_caf_number", None),
    "CAF_MATRICULE": ("fake_ids.fake_caf_matricule", None), "SIREN": ("fake_ids.fake_siren", None),
    "SIRET": ("fake_ids.fake_siret", None), "FR_TAX_ID": ("fake_ids.fake_tax_id", None),
    "STREET_NUMBER": ("names.fake_street_number", None), "STREET_NAME": ("names.fake_street_name", None),
    "STREET_TYPE": ("names.fake_street_type", None), "STREET_SUFFIX": ("names.fake_street_suffix", None),
    "ADDRESS": ("names.fake_address", None), "ADDRESS_COMPLEMENT": ("names.fake_complement", None),
    "ORGANIZATION": ("names.fake_organization", "sex_none"), "COMMUNE_NAME": ("names.fake_city", None),
    "BIRTH_DATE": ("fake_ids.fake_date", None), "DATE": ("fake_ids.fake_date", None),
    "POSTAL_CODE": ("fake_ids.fake_place_code", None), "COMMUNE_CODE": ("fake_ids.fake_place_code", None),
    "PASSPORT": (None, None), "ID_CARD": (None, None), "RECORD_ID": (None, None),
}
OLD_DETECT_ENTITY_NAMES = {  # detect/text.py
    "EMAIL_ADDRESS": "EMAIL", "PHONE_NUMBER": "PHONE", "IBAN_CODE": "IBAN", "DATE_TIME": "DATE",
    "IP_ADDRESS": "IP_ADDRESS", "URL": "URL", "CREDIT_CARD": "CREDIT_CARD",
}
OLD_TRANSFORM_ALIASES = {  # transform/text.py
    "PERSON": "PERSON", "PER": "PERSON", "PHONE_NUMBER": "PHONE", "PHONE": "PHONE", "EMAIL_ADDRESS": "EMAIL",
    "EMAIL": "EMAIL", "IBAN_CODE": "IBAN", "IBAN": "IBAN", "FR_NIR": "NIR", "NIR": "NIR", "FR_SIREN": "SIREN",
    "FR_SIRET": "SIRET", "SIREN": "SIREN", "SIRET": "SIRET", "FR_TAX_ID": "FR_TAX_ID", "CAF_NUMBER": "CAF_NUMBER",
    "FR_CAF_NUMBER": "CAF_NUMBER", "ADDRESS": "ADDRESS", "STREET_ADDRESS": "ADDRESS", "BIC": "BIC",
    "SWIFT_CODE": "BIC", "PASSPORT": "PASSPORT", "FR_PASSPORT": "PASSPORT", "ID_CARD": "ID_CARD",
    "FR_ID_CARD": "ID_CARD", "ORGANIZATION": "ORGANIZATION", "ORG": "ORGANIZATION",
}
OLD_TAG_ONLY = {"LOCATION", "DATE_TIME", "BIRTH_DATE", "DATE", "URL", "IP_ADDRESS", "HEALTH"}  # transform/text.py
OLD_TEXT_PRIORITY = {  # detect/text.py
    "NIR": 100, "IBAN": 95, "FR_TAX_ID": 90, "SIRET": 88, "CREDIT_CARD": 85, "EMAIL": 84, "PHONE": 80,
    "SIREN": 70, "CAF_MATRICULE": 68, "CAF_NUMBER": 66, "PASSPORT": 65, "ID_CARD": 64, "BIC": 60,
    "ADDRESS": 55, "PERSON": 50, "IP_ADDRESS": 45, "URL": 40, "DATE": 30, "POSTAL_CODE": 25,
    "COMMUNE_CODE": 24, "LOCATION": 20,
}
OLD_DEFAULT_METHOD = {  # transform/generalize.py
    "BIRTH_DATE": "year", "DATE": "month", "POSTAL_CODE": "departement", "COMMUNE_CODE": "departement",
    "IRIS": "departement", "DEPARTEMENT": "departement", "AGE": "band", "AMOUNT": "round", "COUNT": "top_bottom",
}
OLD_HIERARCHY = {  # privacy/hierarchy.py default_hierarchy's if/elif chain; every other entity: flat
    "BIRTH_DATE": "dates", "DATE": "dates", "POSTAL_CODE": "prefixes", "COMMUNE_CODE": "prefixes", "AGE": "age",
    "COUNT": "count", "AMOUNT": "amount", "NATIONALITY": "nationality",
}
OLD_FRENCH_RECOGNIZERS = {  # detect/recognizers/__init__.py
    "FrNirRecognizer", "FrCafNumberRecognizer", "FrCafMatriculeRecognizer", "FrIbanRecognizer", "FrBicRecognizer",
    "FrSirenRecognizer", "FrSiretRecognizer", "FrTaxIdRecognizer", "FrPassportRecognizer", "FrIdCardRecognizer",
    "FrPhoneRecognizer", "FrPostalCodeRecognizer", "FrCommuneCodeRecognizer", "FrAddressRecognizer",
    "FrDateRecognizer", "FrPersonRecognizer",
    "OfflineEmailRecognizer",  # Presidio's EmailRecognizer with an offline domain check (not in the old tuple)
}
# the e-mail recognizer became ours (email_offline: domain check without the network) after the refactor
OLD_PRESIDIO_RECOGNIZERS = {"IpRecognizer", "UrlRecognizer", "CreditCardRecognizer"}  # analyzer
# ---------------------------------------------------------------------------------------------


# ----- every entry complete, every name resolves


def test_every_entry_is_complete():
    assert {n: E.problems(e) for n, e in E.ENTITIES.items() if E.problems(e)} == {}


@pytest.mark.parametrize("change, complaint", [
    ({"leak": None}, "leak form or a reason"),
    ({"recognizer": None}, "recognizer (or NER label) or a reason"),
    ({"family": "misc"}, "family"),
    ({"role": "secret"}, "role"),
    ({"text_priority": None}, "text_priority"),
    ({"check": ()}, "direct or weak"),
    ({"leak": "fuzzy"}, "leak form 'fuzzy'"),
    ({"text_level": "blur"}, "text level 'blur'"),
    ({"text_level": "shift", "tag_in_text": True}, "a text level and a tag"),
])
def test_a_missing_or_wrong_attribute_is_reported(change, complaint):
    broken = dataclasses.replace(E.ENTITIES["NIR"], **change)
    assert any(complaint in p for p in E.problems(broken)), E.problems(broken)
    with pytest.raises(ValueError, match="NIR"):
        E._table((broken,))


def test_required_attributes_have_no_default():
    required = [f.name for f in dataclasses.fields(E.Entity) if f.default is dataclasses.MISSING]
    assert required == ["name", "role", "family", "recognizer", "fake", "leak", "hierarchy"]
    with pytest.raises(TypeError):
        E.Entity("X", "identifier", "record", None, None, None)  # no hierarchy


def test_generators_resolve_and_equal_the_old_ones():
    from anonymizer.transform import fake_ids, names

    fake = import_module("anonymizer.transform.fake")  # the package exports the function under that name
    modules = {"names": names, "fake_ids": fake_ids}
    assert set(E.FAKE_GENERATOR.values()) <= set(fake.GENERATOR_FUNCTIONS)
    assert set(fake.GENERATOR_FUNCTIONS) <= set(E.FAKE_GENERATOR.values())  # no generator left unused
    # new since issue #19 item 5: a place named in free text gets a fake commune, not a tag
    assert set(fake.GENERATORS) == set(OLD_GENERATORS) | {"LOCATION"} == fake.FAKE_ENTITIES
    for entity, (fn_name, kind) in OLD_GENERATORS.items():
        gen, new_kind = fake.GENERATORS[entity]
        assert new_kind == kind, entity
        if fn_name is None:
            assert gen is None, entity
        elif entity == "COMMUNE_NAME":  # a lambda around names.fake_city
            from anonymizer.transform.base import Deriver

            d = Deriver(b"k" * 32)
            assert gen("Bordeaux", d) == names.fake_city("Bordeaux", d)
        else:
            module, attr = fn_name.split(".")
            assert gen is getattr(modules[module], attr), entity


def test_hierarchy_builders_resolve_and_equal_the_old_chain():
    from anonymizer.privacy import hierarchy as H

    assert set(E.HIERARCHY_BUILDER.values()) <= set(H.BUILDERS)
    assert {n: b for n, b in E.HIERARCHY_BUILDER.items() if b != "flat"} == OLD_HIERARCHY
    ages = pd.Series(["3", "17", "42", "67", ""], name="AGE")
    assert H.default_hierarchy(ages, "AGE").levels == H.intervals(ages, (5, 10, 20)).levels
    assert H.default_hierarchy(ages, "NOT_AN_ENTITY").levels == H.flat(ages).levels
    dates = pd.Series(["12/03/1985", "1990-07-01"], name="DTNAIS")
    assert H.default_hierarchy(dates, "birth_date").levels == H.dates(dates).levels


def test_generalize_default_methods_are_methods_generalize_implements():
    G = import_module("anonymizer.transform.generalize")
    assert G.DEFAULT_METHOD == OLD_DEFAULT_METHOD
    source = inspect.getsource(G.generalize)
    for method in set(E.GENERALIZE_METHOD.values()):
        assert f'"{method}"' in source, method


# ----- recognizers: the analyzer loads exactly what the table names


def test_recognizer_specs_name_classes_of_their_entity():
    from presidio_analyzer import predefined_recognizers as predefined

    from anonymizer.detect.analyzer import PRESIDIO_CONTEXT
    from anonymizer.detect.recognizers import FRENCH_RECOGNIZERS, recognizer_class

    for name, e in E.ENTITIES.items():
        if e.recognizer is None:
            continue
        module, cls_name = e.recognizer.split(".")
        if module == E.PRESIDIO:
            cls = getattr(predefined, cls_name)
            assert cls_name in PRESIDIO_CONTEXT, f"{cls_name}: no French context words"
            supported = cls(supported_language="fr").supported_entities
        else:
            cls = recognizer_class(e.recognizer)
            assert cls.__module__ == f"anonymizer.detect.recognizers.{module}"
            supported = [cls.ENTITY]
        assert {E.ALIASES.get(s, s) for s in supported} == {name}, e.recognizer
    # new since: amounts and ages in free text (issue #16 item 4: written at their columns' level)
    assert {c.__name__ for c in FRENCH_RECOGNIZERS} == OLD_FRENCH_RECOGNIZERS | {"FrAmountRecognizer",
                                                                                 "FrAgeRecognizer"}
    assert set(E.PRESIDIO_RECOGNIZERS) == OLD_PRESIDIO_RECOGNIZERS == set(PRESIDIO_CONTEXT)


def test_analyzer_loads_exactly_the_recognizers_of_the_table():
    from anonymizer.detect.analyzer import get_analyzer, nlp_config

    loaded = {type(r).__name__ for r in get_analyzer(False).registry.recognizers}
    named = {e.recognizer.split(".")[1] for e in E.ENTITIES.values() if e.recognizer}
    assert loaded == named
    # NER: spaCy labels mapped and not ignored are those the table names
    conf = nlp_config()["ner_model_configuration"]
    ignored = set(conf["labels_to_ignore"])
    mapped = {label: ent for label, ent in conf["model_to_presidio_entity_mapping"].items()
              if label not in ignored and ent not in ignored}
    assert mapped == E.NER_LABELS


def test_every_recognizer_module_is_in_the_table():
    modules = {p.stem for p in rules_path().parent.joinpath("detect", "recognizers").glob("*.py")}
    modules -= {"__init__", "_base"}
    assert modules == {r.split(".")[0] for r in E.OUR_RECOGNIZERS}


# ----- every entity used anywhere is in the table


def _rule_entities() -> set[str]:
    out = set()
    for path in rules_path("columns").glob("*.yaml"):
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", []) or []:
            if rule.get("entity"):
                out.add(rule["entity"])
    return out


def _profile_entities() -> set[str]:
    out = set()
    for path in rules_path("profiles").glob("*.yaml"):
        prof = yaml.safe_load(path.read_text(encoding="utf-8"))
        for spec in (prof.get("roles") or {}).values():
            out |= set((spec or {}).get("entities") or {})
        for family in (prof.get("privacy") or {}).get("key_entities") or []:
            out |= {family} if isinstance(family, str) else set(family)
    return out


def _scan_entities() -> set[str]:
    """Entity literals the scan decides on: second item of a returned (role, entity, ...) tuple,
    and ``x.entity`` assignments."""
    tree = ast.parse(rules_path().parent.joinpath("detect", "scan.py").read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) >= 3:
            ent = node.value.elts[1]
            if isinstance(ent, ast.Constant) and isinstance(ent.value, str):
                out.add(ent.value)
        if isinstance(node, ast.Assign):
            for target, value in _pairs(node):
                if isinstance(target, ast.Attribute) and target.attr == "entity" and isinstance(value, ast.Constant):
                    out.add(value.value)
    return out


def _pairs(node: ast.Assign):
    for target in node.targets:
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
            yield from zip(target.elts, node.value.elts, strict=False)
        else:
            yield target, node.value


def test_entities_of_rules_profiles_extract_and_scan_are_in_the_table():
    with open(rules_path("data", "caf_extract_columns.csv"), encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter=";")
        extract = {r["entity"] for r in rows if r["entity"]}
    scan = _scan_entities()
    assert {"NIR", "NIR_KEY", "RECORD_ID", "FREE_TEXT", "CATEGORY"} <= scan  # the parse found them
    for where, names in (("rules/columns", _rule_entities()), ("profiles", _profile_entities()),
                         ("caf_extract_columns.csv", extract), ("detect/scan.py", scan)):
        unknown = {n for n in names if n not in E.ENTITIES or not E.ENTITIES[n].column}
        assert not unknown, f"{where} names entities outside the table: {sorted(unknown)}"


# ----- the leak search


def test_every_identifier_is_leak_searched_or_says_why_not():
    for name, e in E.ENTITIES.items():
        if e.role == "identifier":
            assert name in E.VALUE_ENTITIES | E.ROW_NAME_ENTITIES or e.why_no_leak, name


def test_leak_index_holds_every_value_entity_and_only_them():
    from anonymizer.engine.verify import LeakIndex, row_name_leaks
    from anonymizer.policy.plan import ColumnStep, Plan

    idents = [n for n, e in E.ENTITIES.items() if e.role == "identifier" and e.column]
    plan = Plan([ColumnStep(n, "identifier", n, "fake") for n in idents], [], {}, "test", True)
    batch = pd.DataFrame({n: ["0612345678" if n == "PHONE" else "ABCD123456"] for n in idents})
    index = LeakIndex(plan)
    index.add(batch)
    assert set(index.entities) == OLD_VERIFY_VALUE_ENTITIES
    assert {n for n in index.entities if E.ENTITIES[n].leak == "phone"} == {"PHONE"}
    # row check: the original name left in its own row is found for surnames and full names only
    names = pd.DataFrame({"LAST_NAME": ["DUPONT"], "FIRST_NAME": ["MARIE"], "PERSON": ["Marie DUPONT"]})
    hits = row_name_leaks(names, names, plan)
    assert {c for c, _ in hits} == OLD_VERIFY_NAME_ENTITIES


# ----- derived sets equal the old hand-written ones


def test_scan_sets():
    from anonymizer.detect import scan

    assert scan.ENTITY_ROLE == OLD_ENTITY_ROLE
    assert list(scan.STRONG.items()) == OLD_STRONG
    assert E.STRONG_SAYS == OLD_STRONG_LABELS


def test_policy_and_transform_sets():
    from anonymizer.policy import plan, proposal
    from anonymizer.transform import KEYED_ACTIONS, dates

    pseudonymize = import_module("anonymizer.transform.pseudonymize")

    assert plan.ENTITY_RANK == OLD_ENTITY_RANK
    assert KEYED_ACTIONS == OLD_KEY_ACTIONS
    steps = [plan.ColumnStep("C", "identifier", "NIR", a) for a in sorted(OLD_KEY_ACTIONS | {"keep", "drop"})]
    assert [plan.Plan([s], [], {}, "t", True).needs_key for s in steps] == [
        s.action in OLD_KEY_ACTIONS for s in steps]
    assert proposal.PERSON_ID_ENTITIES == OLD_PERSON_ID_ENTITIES
    # deliberate: the date shift's fallback person key now follows the proposal's order
    # (RECORD_ID before FR_TAX_ID; the two lists disagreed on that pair only)
    assert dates.PERSON_ENTITIES[:5] == OLD_PERSON_ID_ENTITIES
    assert set(dates.PERSON_ENTITIES) == set(OLD_DATES_PERSON_ENTITIES)
    assert dates.PERSON_ENTITIES[5:] == OLD_DATES_PERSON_ENTITIES[5:]
    assert pseudonymize.IDENTIFIER_ENTITIES == OLD_IDENTIFIER_ENTITIES


def test_engine_sets():
    from anonymizer.engine import verify
    from anonymizer.transform import apply, row_names

    assert apply.CONTEXT_ENTITIES == OLD_CONTEXT_ENTITIES
    assert set(row_names.NAME_ENTITIES) == set(OLD_APPLY_NAME_ENTITIES)
    assert verify.VALUE_ENTITIES == OLD_VERIFY_VALUE_ENTITIES
    assert verify.NAME_ENTITIES == OLD_VERIFY_NAME_ENTITIES


def test_check_sets():
    from anonymizer.check import config, rules

    assert set(rules.NAME_ENTITIES) == set(OLD_CHECK_NAME_ENTITIES)
    assert set(rules.PRINTED_ENTITIES) == set(OLD_PRINTED_ENTITIES)
    # same members; the order is the table's now (membership is all the check reads)
    assert sorted(config.DIRECT_IDENTIFIERS) == sorted(OLD_DIRECT_IDENTIFIERS)
    assert sorted(config.WEAK_IDENTIFIERS) == sorted(OLD_WEAK_IDENTIFIERS)
    assert sorted(config.TEXT_PII) == sorted(OLD_TEXT_PII)
    assert sorted(config.PERSON_QI) == sorted(OLD_PERSON_QI)


def test_free_text_sets():
    from anonymizer.detect import text as detect_text
    from anonymizer.transform import text as transform_text

    # new since issue #16 item 4: amounts and ages are found in free text (below dates, above
    # post codes: a number before "€" is an amount), and a date is shifted, no longer tagged
    assert detect_text.PRIORITY == {**OLD_TEXT_PRIORITY, "AMOUNT": 28, "AGE": 27}
    assert OLD_TAG_ONLY - {"DATE", "DATE_TIME", "LOCATION"} == transform_text.TAG_ONLY  # LOCATION: issue #19
    assert E.TEXT_LEVEL == {"DATE": "shift", "DATE_TIME": "shift", "POSTAL_CODE": "departement",
                            "COMMUNE_CODE": "departement", "AGE": "band", "AMOUNT": "round"}
    # one alias map for both: every label each old map knew goes where it went. New for
    # transform/text.py: DATE_TIME -> DATE (find_spans already renamed it; a DATE is tagged either way)
    for old in (OLD_DETECT_ENTITY_NAMES, OLD_TRANSFORM_ALIASES):
        for label, name in old.items():
            assert E.ALIASES.get(label, label) == name, label
    assert detect_text.ENTITY_NAMES is transform_text.ENTITY_ALIASES is E.ALIASES


def test_execution_order_puts_context_before_its_readers():
    """What a fake reads from its row (transform/fake.py's context kinds), written out here:
    the reader runs after what it reads, in the plan and in ``order_columns``."""
    from anonymizer.transform import order_columns

    reads = {"NIR": {"SEX", "CIVILITY", "BIRTH_DATE", "COMMUNE_CODE", "COUNTRY_CODE"}, "FIRST_NAME": {"SEX", "CIVILITY"},
             "PERSON": {"SEX", "CIVILITY"}, "NIR_KEY": {"NIR"}, "BIC": {"IBAN"},
             "EMAIL": {"FIRST_NAME", "LAST_NAME"}}
    rank = {n: E.ENTITY_RANK.get(n, 1) for n in E.ENTITIES}
    for reader, read in reads.items():
        for r in read:
            assert r in E.CONTEXT_ENTITIES, r
            assert rank[r] < rank[reader], (r, reader)
    ents = {n: n for n in E.ENTITIES}
    order = order_columns(list(reversed(ents)), ents)
    for reader, read in reads.items():
        assert all(order.index(r) < order.index(reader) for r in read), reader
