"""Keys: made strong by `anon keygen`, guessable ones refused, an open key file warned about,
and a manifest fingerprint that costs an attacker scrypt per guess."""

from __future__ import annotations

import json
import re
import secrets
import stat
from pathlib import Path

import pytest

from conftest import KEY_HEX

WEAK = ["motdepasse2024!!", "0" * 32, "ab" * 32, "0123456789abcdef0123456789abcdef",
        "00112233445566778899aabbccddeeff", "azertyazertyazerty12", "Soleil1985Soleil1985"]


def test_keygen_writes_a_private_256_bit_key_and_never_overwrites(run_cli, tmp_path):
    out = tmp_path / "secret.key"
    assert run_cli("keygen", "-o", out).exit_code == 0
    text = out.read_text()
    assert re.fullmatch(r"[0-9a-f]{64}\n", text)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    again = run_cli("keygen", "-o", out)
    assert again.exit_code == 2 and "already exists" in again.output
    assert out.read_text() == text  # untouched
    other = tmp_path / "other.key"
    assert run_cli("keygen", "-o", other).exit_code == 0
    assert other.read_text() != text
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


@pytest.mark.parametrize("weak", WEAK)
def test_guessable_keys_are_refused_unless_weak_key_ok(run_cli, workdir, weak):
    (workdir / "weak.key").write_text(weak)
    (workdir / "weak.key").chmod(0o600)
    args = ["sanitize", workdir / "extract.csv", "--policy", workdir / "policy.yaml", "-o", workdir / "safe.csv",
            "--no-rescan", "--no-report"]
    r = run_cli(*args, "--key-file", workdir / "weak.key")
    assert r.exit_code == 2
    assert "guessable" in r.output and "anon keygen" in r.output
    assert weak not in r.output
    assert not (workdir / "safe.csv").exists()
    env = run_cli(*args, env={"ANON_KEY": weak})
    assert env.exit_code == 2 and "environment variable ANON_KEY is guessable" in env.output
    ok = run_cli(*args, "--key-file", workdir / "weak.key", "--weak-key-ok")
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize("key", [secrets.token_hex(32) for _ in range(5)] + [KEY_HEX])
def test_random_keys_are_accepted(key):
    from anonymizer.keys import MIN_KEY_BITS, key_strength

    assert key_strength(key.encode(), bytes.fromhex(key))[0] >= MIN_KEY_BITS


def test_a_key_file_others_can_read_gets_a_warning(run_cli, workdir):
    key = workdir / "key"
    key.chmod(0o644)
    r = run_cli("sanitize", workdir / "extract.csv", "--policy", workdir / "policy.yaml", "-o", workdir / "safe.csv",
                "--no-rescan", "--no-report", "--key-file", key)
    assert r.exit_code == 0, r.output
    assert "warning: key file" in r.output and "0644" in r.output and "chmod 600" in r.output
    key.chmod(0o600)
    r = run_cli("sanitize", workdir / "extract.csv", "--policy", workdir / "policy.yaml", "-o", workdir / "safe.csv",
                "--no-rescan", "--no-report", "--key-file", key, "--force")
    assert "warning" not in r.output


def test_the_manifest_fingerprint_is_salted_per_release(run_cli, workdir):
    from anonymizer.keys import fingerprint_matches

    fps = []
    for name in ("a.csv", "b.csv"):
        r = run_cli("sanitize", workdir / "extract.csv", "--policy", workdir / "policy.yaml", "-o", workdir / name,
                    "--no-rescan", "--no-report", "--key-file", workdir / "key")
        assert r.exit_code == 0, r.output
        fps.append(json.loads(Path(f"{(workdir / name)}.manifest.json").read_text())["key_fingerprint"])
    assert fps[0] != fps[1]  # a fresh salt each time
    key = bytes.fromhex(KEY_HEX)
    assert all(fingerprint_matches(key, fp) for fp in fps)
    assert not fingerprint_matches(bytes.fromhex(secrets.token_hex(32)), fps[0])
