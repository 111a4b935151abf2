"""The encoding sniffer's test for UTF-8 letters in a non-UTF-8 file (one pattern per first byte,
issue #21) answers as the one alternation it replaced, kept here verbatim."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from anonymizer.io.sniff import _utf8_letters

# the pattern of main at 283e449, searched whole
REFERENCE = re.compile(rb"[\xC3\xC5][\x80-\xBF]|\xC2[\xAB\xBB\xB0]|\xE2\x80[\x98\x99\x9C\x9D\xA6]|\xE2\x82\xAC")


def _reference(raw: bytes) -> bool:
    return REFERENCE.search(raw) is not None


def test_every_two_and_three_byte_sequence():
    for a in range(256):
        for b in range(256):
            raw = bytes([a, b])
            assert _utf8_letters(raw) == _reference(raw), raw
            raw3 = bytes([0xE2, a, b])
            assert _utf8_letters(raw3) == _reference(raw3), raw3
    assert not _utf8_letters(b"") and not _utf8_letters(b"\xc3")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from([b"\xc3", b"\xc5", b"\xc2", b"\xe2", b"\x80", b"\x82", b"\xac", b"\xa9", b"\xab",
                                 b"\xbb", b"\xb0", b"\x98", b"\x9d", b"\xa6", b"\xe9", b"a", b";", b"\n"]),
                max_size=60).map(b"".join))
def test_random_bytes(raw):
    assert _utf8_letters(raw) == _reference(raw)
    assert _utf8_letters(b"x" * 70_000 + raw) == _reference(raw)  # far into a chunk


def test_cp1252_text_and_utf8_text():
    french = "Hélène à l’école, 12 €, « oui » — Œuvre".encode()
    assert _utf8_letters(french)
    assert not _utf8_letters("Hélène à l’école, 12 €, « oui » — Œuvre".encode("cp1252"))


# main at d48292e: one pattern per first byte, each searched whole (the literal starts now found by
# bytes.find instead)
_UTF8_LETTER_PARTS = tuple(re.compile(p) for p in (
    rb"\xC3[\x80-\xBF]", rb"\xC5[\x80-\xBF]", rb"\xC2[\xAB\xBB\xB0]", rb"\xE2\x80[\x98\x99\x9C\x9D\xA6]", rb"\xE2\x82\xAC"))


def _previous(raw: bytes) -> bool:
    return any(p.search(raw) is not None for p in _UTF8_LETTER_PARTS)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from([b"\xc3", b"\xc5", b"\xc2", b"\xe2", b"\x80", b"\x82", b"\xac", b"\xa9", b"\xab",
                                 b"\xbb", b"\xb0", b"\x98", b"\x9d", b"\xa6", b"\xe9", b"\xbf", b"\xc0", b"a"]),
                max_size=40).map(b"".join))
def test_the_previous_patterns(raw):
    """Every occurrence of a start looked at, a start at the very end never a match."""
    assert _utf8_letters(raw) == _previous(raw)
    assert _utf8_letters(raw + b"\xc3") == _previous(raw + b"\xc3")
    assert _utf8_letters(b"\xe2\x82" * 3 + raw) == _previous(b"\xe2\x82" * 3 + raw)
