"""The Python API (anonymizer.api) is the CLI's pipeline on a DataFrame: same released table,
same key rules, no original identifier left, and ``import anonymizer`` stays light."""

from __future__ import annotations

import importlib
import json
import os
import secrets
import subprocess
import sys

import pandas as pd
import pytest

import anonymizer as anon
from anonymizer.errors import PolicyError, PrivacyTargetError, UsageError

COLUMNS = ["NIR", "NOMFAM", "PRENOM", "SEXE", "DTNAIS", "CODCOM", "LIBCOM", "TEL", "MAIL", "IBAN", "SITFAM",
           "NBENF", "MTAL"]
IDENTIFIERS = ["NIR", "TEL", "MAIL", "IBAN"]
NAMES = ["NOMFAM", "PRENOM"]


@pytest.fixture(scope="module")
def extract() -> pd.DataFrame:
    from anonymizer.synth import generate_extract

    df, _ = generate_extract(300, 11)
    return df[[c for c in COLUMNS if c in df.columns]].reset_index(drop=True)


@pytest.fixture(scope="module")
def key() -> str:
    return secrets.token_hex(32)


@pytest.fixture(scope="module")
def runs(extract, key, tmp_path_factory):
    """The same table, policy and key through the API and through ``anon sanitize``."""
    tmp = tmp_path_factory.mktemp("api")
    policy = {**_policy(extract), "profile": "training"}
    result = anon.sanitize(extract, policy=policy, key=key)
    source, out, key_file, policy_file = (tmp / "in.parquet", tmp / "out.parquet", tmp / "key", tmp / "policy.json")
    extract.to_parquet(source, index=False)
    key_file.write_text(key)
    key_file.chmod(0o600)
    policy_file.write_text(json.dumps(policy))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    env.pop("ANON_KEY", None)
    done = subprocess.run([sys.executable, "-m", "anonymizer", "sanitize", str(source), "--policy", str(policy_file),
                           "--key-file", str(key_file), "-o", str(out), "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return result, pd.read_parquet(out), json.loads(done.stdout)


def _policy(df: pd.DataFrame) -> dict:
    """The training profile's proposal for ``df``, made here once so both runs get the same dict."""
    from anonymizer.detect import scan_table
    from anonymizer.policy import load_profile, propose_policy

    return propose_policy(scan_table(df, ner=False), load_profile("training"))


def test_import_anonymizer_loads_nothing_heavy():
    code = "import sys, anonymizer\nanonymizer.sanitize\nprint(' '.join(sorted(sys.modules)))"
    bare = subprocess.run([sys.executable, "-c", "import sys, anonymizer\nprint('pandas' in sys.modules)"],
                          capture_output=True, text=True, timeout=120)
    assert bare.stdout.split() == ["False"], bare.stderr
    used = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "pandas" in used.stdout.split(), used.stderr  # the attribute did load the API


def test_risk_is_callable_even_after_its_package_is_imported():
    import anonymizer.risk  # noqa: F401  (sets anonymizer.risk to the package)

    df = pd.DataFrame({"age": ["30", "30", "31", "31", "40"], "cp": ["33000"] * 4 + ["33100"],
                       "alloc": ["AL", "APL", "AL", "RSA", "AL"]})
    report = anon.risk(df, qi=["age", "cp"], sensitive=["alloc"])
    # independent count: (40, 33100) is alone, the two other combinations hold 2 records each
    sizes = df.groupby(["age", "cp"]).size()
    assert report["k_anonymity"]["k_achieved"] == int(sizes.min()) == 1
    assert report["k_anonymity"]["classes"] == len(sizes) == 3
    assert report["prosecutor"]["average"] == pytest.approx((sizes * (1 / sizes)).sum() / len(df))
    assert "verdict" in report and json.loads(json.dumps(report)) == report


def test_api_releases_what_the_cli_writes(runs):
    result, cli_frame, cli_manifest = runs
    assert isinstance(result, anon.SanitizeResult)
    pd.testing.assert_frame_equal(result.data.reset_index(drop=True), cli_frame.reset_index(drop=True))
    assert result.released and result.manifest["released"] is True
    assert result.manifest["policy_sha256"] == cli_manifest["policy_sha256"]
    assert result.manifest["columns"] == cli_manifest["columns"]
    assert result.manifest["output"]["rows"] == len(result.data)
    assert result.risk.get("verdict"), "the risk report of the run comes back with its verdict"


def test_no_original_identifier_value_is_released(runs, extract):
    result, _, _ = runs
    out = result.data
    released = {str(v) for col in out.columns for v in out[col].tolist()}
    for col in IDENTIFIERS:  # values unique to a person: none may appear anywhere in the released frame
        originals = {v for v in extract[col].astype(str) if len(v) >= 5}
        assert originals, col
        assert not originals & released, f"an original {col} value is in the released frame"
    # names are drawn from the same French lists as the fictitious originals, so a fake may equal
    # someone else's name: what must not happen is a row keeping its own (rows are in input order)
    assert len(out) == len(extract)
    for col in NAMES:
        own = (out[col].astype(str).to_numpy() == extract[col].astype(str).to_numpy()) & (extract[col] != "").to_numpy()
        assert not own.any(), f"{int(own.sum())} row(s) keep their own {col}"


def test_the_key_never_reaches_a_file_or_the_manifest(runs, key):
    result, _, _ = runs
    text = json.dumps(result.manifest) + json.dumps(result.risk)
    assert key not in text and bytes.fromhex(key).hex() not in text


@pytest.mark.parametrize("bad, says", [
    (None, "needs a secret key"),
    ("ab" * 8, "too short"),
    ("ab" * 32, "guessable"),
    (b"0123456789abcdef0123456789abcdef", "guessable"),
    (12345, "expected bytes or hex text"),
])
def test_a_missing_or_weak_key_is_refused_like_the_cli(bad, says, extract, monkeypatch):
    monkeypatch.delenv("ANON_KEY", raising=False)
    with pytest.raises(UsageError, match=says):
        anon.sanitize(extract.head(20), key=bad)


def test_key_errors_never_show_the_key(extract):
    weak = "ab" * 32
    with pytest.raises(UsageError) as info:
        anon.sanitize(extract.head(20), key=weak)
    assert weak not in str(info.value) and "ab" * 4 not in str(info.value)


def test_a_weak_key_is_accepted_for_tests_only_when_asked(extract):
    """weak_key_ok lets the run go on past the key check: it then fails or succeeds on the data,
    not on the key (here a policy error on a column left undecided)."""
    with pytest.raises(PolicyError, match="no decision|undecided|missing"):
        anon.sanitize(extract.head(20), policy={"version": 1, "columns": {}}, key="ab" * 32, weak_key_ok=True)


def test_bytes_and_hex_text_are_the_same_key(runs, extract, key):
    result, _, _ = runs
    again = anon.sanitize(extract, policy={**_policy(extract), "profile": "training"}, key=bytes.fromhex(key))
    pd.testing.assert_frame_equal(again.data, result.data)


def test_bad_inputs_are_clear_errors():
    with pytest.raises(UsageError, match="DataFrame"):
        anon.scan([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="column names"):
        anon.scan(pd.DataFrame({0: ["a"]}))
    with pytest.raises(UsageError, match="policy"):
        anon.sanitize(pd.DataFrame({"a": ["x"]}), policy=3, key=secrets.token_hex(32))  # type: ignore[arg-type]


def test_scan_finds_the_identifiers(extract):
    report = anon.scan(extract, ner=False)
    roles = {f["column"]: f["role"] for f in report["findings"]}
    assert roles["NIR"] == roles["MAIL"] == roles["IBAN"] == "identifier"
    assert report["rows"] == len(extract)
    text = json.dumps(report)
    assert not any(v in text for v in extract["NIR"].astype(str)), "no raw NIR in the scan report"



def test_a_run_that_is_not_released_raises_with_its_reasons(extract, key, monkeypatch, tmp_path):
    """Fail closed: an e-mail column kept (strict off) is found by verification; no table comes
    back, the manifest and risk report do, and the temporary folder is gone."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    policy = _policy(extract)
    policy["columns"]["MAIL"] = {**policy["columns"]["MAIL"], "action": "keep"}
    with pytest.raises(PrivacyTargetError, match="MAIL") as info:
        anon.sanitize(extract, policy=policy, key=key, strict=False)
    assert info.value.manifest["released"] is False and info.value.risk
    assert not any(v in str(info.value) for v in extract["MAIL"] if v), "no e-mail in the message"
    assert list(tmp_path.iterdir()) == []


def test_a_run_keeps_none_of_its_names_in_memory(runs, extract, key, monkeypatch):
    """The memos of names (their hashes for the collision check, their fakes) serve one run: a notebook
    or a service running several keeps none of one run's original names into the next."""
    from anonymizer.transform import collisions, identities

    fake_mod = importlib.import_module("anonymizer.transform.fake")
    seen: list[int] = []
    real = identities.name_hashes

    def spy(values):
        out = real(values)
        seen.append(len(identities._HASHED))
        return out

    monkeypatch.setattr(collisions, "name_hashes", spy)
    anon.sanitize(extract, policy={**_policy(extract), "profile": "training"}, key=key)
    assert seen and max(seen) > 0  # the memo held names during the run
    assert not identities._HASHED
    assert not fake_mod._UNITS
