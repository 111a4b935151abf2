"""Issue #15 item 5: no state outlives a run; Presidio is configured through its public API
(no module patched at run time)."""

from __future__ import annotations

import importlib

import pandas as pd

dates_mod = importlib.import_module("anonymizer.transform.dates")
names_mod = importlib.import_module("anonymizer.transform.names")
noise_mod = importlib.import_module("anonymizer.transform.noise")

KEY = b"k" * 32


def test_a_run_leaves_no_memo(tmp_path):
    from anonymizer.engine.sanitize import SanitizeOptions, sanitize

    df = pd.DataFrame({"NUMALLOC": [f"{1000000 + i}" for i in range(40)],
                       "PRENOM": ["Jean", "Marie"] * 20,
                       "DTOUV": [f"{1 + i % 28:02d}/03/2019" for i in range(40)],
                       "MT": [str(100 + i) for i in range(40)]})
    src = tmp_path / "in.csv"
    df.to_csv(src, index=False)
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\nprofile: training\nstrict: true\nperson_id: [NUMALLOC]\nprivacy: {}\ncolumns:\n"
        "  NUMALLOC: {role: identifier, entity: CAF_NUMBER, action: fake}\n"
        "  PRENOM: {role: identifier, entity: FIRST_NAME, action: fake}\n"
        "  DTOUV: {role: quasi_identifier, entity: DATE, action: shift_dates, params: {max_days: 30}}\n"
        "  MT: {role: sensitive, entity: AMOUNT, action: noise, params: {relative: 0.1}}\n")
    sanitize(src, tmp_path / "out.csv", SanitizeOptions(policy_path=policy, key=KEY, report=False, rescan=False))
    assert (tmp_path / "out.csv").exists()
    assert dates_mod._OFFSETS == {} and dates_mod._LAST_ROWS.empty
    assert noise_mod._WORDS == {} and noise_mod._LAST_ROWS.empty
    assert names_mod._word_draw.cache_info().currsize == 0


def test_presidio_is_not_patched_and_email_validation_is_offline(monkeypatch):
    import socket

    import tldextract
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    from anonymizer.detect.analyzer import get_analyzer

    def no_network(*a, **k):
        raise AssertionError("network access at run time")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    engine = get_analyzer(ner=False)
    found = engine.analyze("Écrire à jeanne.durand@example.fr demain", language="fr")
    assert any(r.entity_type == "EMAIL_ADDRESS" for r in found)
    assert email_recognizer.tldextract is tldextract  # Presidio's own module is left as shipped
