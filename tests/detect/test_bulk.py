"""The bulk pattern pass against Presidio's own per-text analysis, and the person shapes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from presidio_analyzer import EntityRecognizer, PatternRecognizer

from anonymizer.detect.analyzer import get_analyzer
from anonymizer.detect.bulk import analyze_patterns, anchored
from anonymizer.detect.recognizers.person import FrPersonRecognizer
from anonymizer.detect.text import SCORE_THRESHOLD, find_spans, needs_ner

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "caf_extract_small.csv"
TEXT_COLUMNS = ["COMMENT_GEST", "COMMENT_CTRL", "MOTIF_SUSP", "OBS_TS", "OBJ_DERCOURRIEL"]

EDGE_CASES = [
    "appelez le 06 12",  # a phone cut by the separator must not be glued to the next text
    "34 56 78 demain",
    "0612345678",
    "IBAN FR76 3000 6000 0112 3456 7890 189 puis 06 12 34 56 78",
    "",
    " ",
    "écrire à jean.dupont@example.fr ou www.example.org",
    "né le 12/03/1985, NIR 1 85 03 75 056 123 45",
    "2A004",
    "Visite au 12 rue des Lilas 33000 Bordeaux",
    "voir https://www.caf.fr/allocataires ou caf.fr, poste 192.168.1.12",
    "connexion depuis fe80::1ff:fe23:4567:890a et ::1",
    "Contrôle du 12/03/2021 : RAS. Pièce jointe scan.PDF",
    "mail: Jean.Dupont@Example.FR",
]


def _texts() -> list[str]:
    df = pd.read_csv(EXAMPLE, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    texts = [t for c in TEXT_COLUMNS for t in df[c].unique() if t.strip()]
    return EDGE_CASES + texts


def _key(results) -> set[tuple]:
    return {(r.entity_type, r.start, r.end, round(r.score, 6)) for r in results}


def test_bulk_pass_equals_presidio_analyze_per_text():
    texts = _texts()
    analyzer = get_analyzer(False)  # Presidio with no NLP model: patterns, validation, thresholds
    recognizers = [r for r in analyzer.registry.recognizers if isinstance(r, PatternRecognizer)]
    bulk = analyze_patterns(texts, recognizers)
    assert len(texts) > 100
    compared = 0
    for text, found in zip(texts, bulk, strict=True):
        if not text.strip():
            assert found == []
            continue
        kept = EntityRecognizer.remove_duplicates([r for r in found if r.score >= SCORE_THRESHOLD])
        expected = analyzer.analyze(text, language="fr", score_threshold=SCORE_THRESHOLD)
        assert _key(kept) == _key(expected), text
        compared += bool(expected)
    assert compared > 50  # the comparison saw real detections, not only empty lists


def test_separator_never_joins_two_texts():
    spans = find_spans(["appelez le 06 12", "34 56 78 demain"], ner=False)
    assert all(r.entity_type != "PHONE" for found in spans for r in found)


def test_anchors_are_told_from_classes_and_escapes():
    assert anchored(r"^abc") and anchored(r"abc$")
    assert not anchored(r"[^a]b") and not anchored(r"a\$") and not anchored(r"[$]")


def test_context_words_raise_weak_patterns_without_a_model():
    with_ctx, without = find_spans(["N° allocataire : 1234567", "Montant : 1234567"], ner=False)
    assert [r.entity_type for r in with_ctx] == ["CAF_NUMBER"]
    assert without == []


@pytest.mark.parametrize(("text", "names"), [
    ("Appel de Mme HARDY le 14/10.", ["HARDY"]),
    ("présence de M. Guillaume ROBIN (concubin)", ["Guillaume ROBIN"]),
    ("Demande RSA Anaïs COURTOIS", ["Anaïs COURTOIS"]),
    ("Voisine (Lucy GOSSELIN-DENIS) signale", ["Lucy GOSSELIN-DENIS"]),
    ("Ex-conjoint Laurent DESCHAMPS-REGNIER ne verse plus", ["Laurent DESCHAMPS-REGNIER"]),
    ("Jean-Pierre DE LA FONTAINE est venu", ["Jean-Pierre DE LA FONTAINE"]),
    ("Madame Martin a appelé", ["Martin"]),
    ("Dr D'ARTAGNAN", ["D'ARTAGNAN"]),
    ("Suivi PMI, orientation CMP.", []),
    ("Courrier revenu NPAI", []),
    ("M. le maire", []),
])
def test_person_shapes(text, names):
    found = FrPersonRecognizer().analyze(text, ["PERSON"])
    spans = {text[r.start:r.end] for r in found}
    assert spans == set(names)


@pytest.mark.parametrize(("text", "expected"), [
    ("Information transmise à l'ASE concernant Julien.", True),
    ("Attestation employeur BOULANGERIE MARTIN reçue.", True),
    ("Appel de Mme DUPONT le 12/03, rappeler au 06 12 34 56 78.", False),
    ("Suivi psychiatrique en cours, orientation vers le CMP.", False),
    ("Dossier complet, RAS.", False),
])
def test_ner_runs_only_where_a_capitalised_word_is_unexplained(text, expected):
    analyzer = get_analyzer(False)
    recognizers = [r for r in analyzer.registry.recognizers if isinstance(r, PatternRecognizer)]
    found = [r for r in analyze_patterns([text], recognizers)[0] if r.score >= SCORE_THRESHOLD]
    assert needs_ner(text, found) is expected


def test_a_match_across_the_separator_is_redone_text_by_text():
    from presidio_analyzer import Pattern

    rec = PatternRecognizer(supported_entity="X", patterns=[Pattern("dot", r"AB.CD", 0.9)], supported_language="fr")
    texts = ["xxAB", "CD yy", "AB-CD", "AB", "CDAB+CD"]
    bulk = analyze_patterns(texts, [rec])
    for text, found in zip(texts, bulk, strict=True):
        assert _key(found) == _key(rec.analyze(text, ["X"])), text
    assert [len(f) for f in bulk] == [0, 0, 1, 0, 1]
