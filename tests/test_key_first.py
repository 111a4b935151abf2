"""The key is checked before any reading: a run that will need one says so at once, naming how to
make one, and a bad key is refused before the data is opened."""

from __future__ import annotations


def test_a_keyed_profile_without_a_key_is_refused_before_the_data_is_read(tmp_path, run_cli, monkeypatch):
    monkeypatch.delenv("ANON_KEY", raising=False)
    missing = tmp_path / "not-there.csv"  # never opened: the refusal comes first
    res = run_cli("sanitize", missing, "--profile", "training", "-o", tmp_path / "out.csv")
    assert res.exit_code == 2
    assert "needs a secret key" in res.output and "anon keygen -o FILE" in res.output
    assert "not-there" not in res.output


def test_a_short_key_is_refused_before_the_data_is_read(tmp_path, run_cli, monkeypatch):
    monkeypatch.delenv("ANON_KEY", raising=False)
    key = tmp_path / "k"
    key.write_text("abcd", encoding="utf-8")
    res = run_cli("sanitize", tmp_path / "not-there.csv", "--key-file", key, "-o", tmp_path / "out.csv")
    assert res.exit_code == 2 and "too short" in res.output and "not-there" not in res.output


def test_a_policy_without_keyed_actions_needs_no_key(tmp_path):
    from anonymizer.cli.sanitize import key_needed

    policy = tmp_path / "p.yaml"
    policy.write_text("version: 1\nprofile: training\nprivacy: {k: 2}\ncolumns:\n"
                      "  AGE: {role: quasi_identifier, action: keep}\n  NOM: {role: identifier, action: drop}\n",
                      encoding="utf-8")
    assert key_needed("training", policy) is None
    assert "fake" in key_needed("training", None)
