"""Keyed pseudonyms: determinism, key dependence, joins, key handling."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pandas as pd
import pytest

from anonymizer.errors import UsageError
from anonymizer.transform import key_fingerprint, load_key, pseudonymize

from .conftest import KEY, OTHER_KEY, ctx, text


def _expected(value_norm: str, key: bytes, length: int = 16) -> str:
    """The documented derivation, recomputed with the standard library only."""
    sk = hmac.new(key, b"anon/v1/pseudonymize", hashlib.sha256).digest()
    digest = hmac.new(sk, value_norm.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().rstrip("=")[:length]


def test_token_is_the_documented_hmac():
    out = pseudonymize(text(["  Dupont "]), key=KEY, params={}, context=ctx(entity="LAST_NAME"))
    assert out.iloc[0] == _expected("dupont", KEY)


def test_same_key_same_token_other_key_other_token():
    s = text(["1234567", "7654321", "1234567"])
    a = pseudonymize(s, key=KEY, params={}, context=ctx(entity="CAF_NUMBER"))
    b = pseudonymize(s, key=KEY, params={}, context=ctx(entity="CAF_NUMBER"))
    c = pseudonymize(s, key=OTHER_KEY, params={}, context=ctx(entity="CAF_NUMBER"))
    assert a.tolist() == b.tolist()
    assert a.iloc[0] == a.iloc[2] != a.iloc[1]
    assert all(x != y for x, y in zip(a, c, strict=True))


def test_joins_survive_formatting_differences_across_files():
    file1 = pd.DataFrame({"nir": text(["1 85 05 75 123 456 78", "2 90 12 33 001 002"]), "v": [1, 2]})
    file2 = pd.DataFrame({"NIR": text(["2900233001002", "185057512345678"]), "w": [3, 4]})
    file1["nir"] = pseudonymize(file1["nir"], key=KEY, params={}, context=ctx("nir", "NIR"))
    file2["NIR"] = pseudonymize(file2["NIR"], key=KEY, params={}, context=ctx("NIR", "NIR"))
    # NIR 2 90 12 ... and 2900233... are different people: only the first NIR joins
    joined = file1.merge(file2, left_on="nir", right_on="NIR")
    assert joined[["v", "w"]].values.tolist() == [[1, 4]]


def test_phone_formats_join():
    a = pseudonymize(text(["06 12 34 56 78"]), key=KEY, params={}, context=ctx(entity="PHONE"))
    b = pseudonymize(text(["+33612345678"]), key=KEY, params={}, context=ctx(entity="PHONE"))
    assert a.iloc[0] == b.iloc[0]


def test_missing_stays_missing_and_dtype_kept():
    s = text(["a", "", "b"])
    out = pseudonymize(s, key=KEY, params={"prefix": "P_", "length": 10, "alphabet": "hex"}, context=ctx())
    assert out.iloc[1] == ""
    assert out.dtype == s.dtype
    assert out.iloc[0].startswith("P_") and len(out.iloc[0]) == 12
    assert all(c in "0123456789abcdef" for c in out.iloc[0][2:])


def test_numeric_input_gives_text_tokens_and_keeps_missing():
    s = pd.Series([1234567, None, 1234567], dtype="Int64")
    out = pseudonymize(s, key=KEY, params={}, context=ctx(entity="CAF_NUMBER"))
    assert out.iloc[0] == out.iloc[2] == _expected("1234567", KEY)
    assert pd.isna(out.iloc[1]) or out.iloc[1] == ""


def test_no_key_is_a_usage_error():
    with pytest.raises(UsageError, match="key"):
        pseudonymize(text(["x"]), key=b"", params={}, context=ctx())


def test_key_fingerprint_is_a_salted_scrypt_that_identifies_the_key():
    from anonymizer.keys import fingerprint_matches

    fp = key_fingerprint(KEY)
    scheme, log_n, r, p, salt, digest = fp.split("$")
    assert (scheme, log_n, r, p) == ("scrypt", "15", "8", "1") and len(salt) == len(digest) == 32
    # recomputed independently with hashlib from the recorded salt
    expected = hashlib.scrypt(b"anon/key-fingerprint/v2\x00" + KEY, salt=bytes.fromhex(salt), n=2 ** 15, r=8, p=1,
                              maxmem=64 * 1024 * 1024, dklen=16).hex()
    assert digest == expected
    assert key_fingerprint(KEY) != fp  # a fresh salt per release: two releases cannot be linked by it
    assert fingerprint_matches(KEY, fp) and not fingerprint_matches(OTHER_KEY, fp)
    assert KEY.hex() not in fp and hashlib.sha256(KEY).hexdigest()[:16] not in fp


def test_load_key_hex_raw_env_and_errors(tmp_path, monkeypatch):
    hexfile = tmp_path / "k.hex"
    hexfile.write_text(KEY.hex() + "\n")
    assert load_key(hexfile) == KEY
    raw = tmp_path / "k.raw"
    raw.write_bytes(b"a raw passphrase that is long")
    assert load_key(raw) == b"a raw passphrase that is long"
    monkeypatch.setenv("ANON_KEY", OTHER_KEY.hex())
    assert load_key() == OTHER_KEY
    short = tmp_path / "short"
    short.write_text("00112233")
    with pytest.raises(UsageError, match="too short") as exc:
        load_key(short)
    assert "00112233" not in str(exc.value)
    with pytest.raises(UsageError, match="key file: .*missing: no such file"):
        load_key(tmp_path / "missing")
    monkeypatch.delenv("ANON_KEY")
    with pytest.raises(UsageError, match="ANON_KEY"):
        load_key()


@pytest.mark.parametrize("length", [4, 16, 23, 51])
def test_vectorised_tokens_equal_the_documented_derivation(length):
    vals = [f"  Value {i} " for i in range(50)]
    out = pseudonymize(text(vals), key=KEY, params={"length": length}, context=ctx())
    assert out.tolist() == [_expected(f"value {i}", KEY, length) for i in range(50)]
