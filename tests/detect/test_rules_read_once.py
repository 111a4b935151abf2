"""Rules files parsed once per version (detect.rules._read): the rules and subject rules are the
same as when every load parsed its files again (the reference, kept verbatim below), and a file
changed on disk is read again."""

from __future__ import annotations

import os
from pathlib import Path

from anonymizer.detect import rules
from anonymizer.errors import UsageError
from anonymizer.i18n import _


def _read_reference(path: Path) -> dict:
    from anonymizer.configfiles import load_yaml_file

    data = load_yaml_file(path, "column rules") or {}  # size and alias limits
    if not isinstance(data, dict):
        raise UsageError(_("column rules {path}: expected a mapping with a 'rules' list").format(path=path))
    return data


USER = """rules:
  - {pattern: '^zz_code$', role: identifier, entity: PERSON}
subjects:
  - {pattern: '^zz_', subject: children}
"""


def _fresh(monkeypatch, read) -> tuple:
    rules.load_rules.cache_clear()
    rules.load_subject_rules.cache_clear()
    monkeypatch.setattr(rules, "_read", read)
    return rules.load_rules(), rules.load_subject_rules()


def test_same_rules_as_parsing_each_time(monkeypatch, tmp_path):
    (tmp_path / "u.yaml").write_text(USER, encoding="utf-8")
    for dirs in ((), (str(tmp_path),)):
        rules.load_rules.cache_clear()
        rules.load_subject_rules.cache_clear()
        new = rules.load_rules(dirs), rules.load_subject_rules(dirs)
        with monkeypatch.context() as m:
            m.setattr(rules, "_read", _read_reference)
            rules.load_rules.cache_clear()
            rules.load_subject_rules.cache_clear()
            ref = rules.load_rules(dirs), rules.load_subject_rules(dirs)
        assert new == ref and new[0] and new[1]
    rules.load_rules.cache_clear()
    rules.load_subject_rules.cache_clear()


def test_each_file_parsed_once_and_again_when_changed(monkeypatch, tmp_path):
    from anonymizer import configfiles

    user = tmp_path / "u.yaml"
    user.write_text(USER, encoding="utf-8")
    parsed: list[str] = []
    real = configfiles.load_yaml_file
    monkeypatch.setattr(configfiles, "load_yaml_file", lambda p, *a, **k: parsed.append(Path(p).name) or real(p, *a, **k))
    rules._read_version.cache_clear()
    for f in (rules.load_rules, rules.load_subject_rules):
        f.cache_clear()
    rules.load_rules((str(tmp_path),))
    rules.load_subject_rules((str(tmp_path),))
    assert sorted(parsed) == sorted(set(parsed)) and "u.yaml" in parsed  # once each
    user.write_text(USER.replace("children}", "spouse}"), encoding="utf-8")
    st = user.stat()
    os.utime(user, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    rules.load_subject_rules.cache_clear()
    got = rules.load_subject_rules((str(tmp_path),))
    assert parsed.count("u.yaml") == 2 and got[0].subject == "spouse"
    rules.load_rules.cache_clear()
    rules.load_subject_rules.cache_clear()
