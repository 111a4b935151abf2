"""The catalogs are complete and compiled from their .po: a message the code translates but the
French catalog lacks fails here (docs: python -m anonymizer.i18n_catalog updates them)."""

from __future__ import annotations

import gettext

from anonymizer.i18n import LOCALE_DIR
from anonymizer.i18n_catalog import extract, fields, problems, read_po, write_mo


def test_every_message_has_a_french_translation_with_the_same_fields():
    assert len(extract()) > 100  # the extraction sees the messages (inside f-strings too)
    assert problems("fr") == []


def test_the_shipped_mo_is_the_compiled_po(tmp_path):
    po = LOCALE_DIR / "fr" / "LC_MESSAGES" / "anon.po"
    write_mo(po, tmp_path / "anon.mo", "fr")
    assert (tmp_path / "anon.mo").read_bytes() == po.with_suffix(".mo").read_bytes()
    # and gettext reads it back: every .po entry, singular and plural
    with (tmp_path / "anon.mo").open("rb") as fh:
        cat = gettext.GNUTranslations(fh)
    messages = extract()  # once: it parses every source file
    for msgid, strs in read_po(po).items():
        m = messages[msgid]
        if m.plural:
            assert cat.ngettext(msgid, m.plural, 1) == strs[0] and cat.ngettext(msgid, m.plural, 5) == strs[1]
        else:
            assert cat.gettext(msgid) == strs[0]


def test_a_missing_message_is_reported(monkeypatch):
    import anonymizer.i18n_catalog as cat

    real = cat.extract()
    monkeypatch.setattr(cat, "extract", lambda root=None: {**real, "A message nobody translated": cat.Message(
        "A message nobody translated", None, "x.py:1")})
    assert any("A message nobody translated" in p for p in cat.problems("fr"))
    assert fields("at {k} rows ({share:.1%})") == {"k", "share"}
