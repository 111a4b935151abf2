"""The policy's column entries rendered from cached scalar renderings (issue #18 item 8: one
PyYAML dump per column of a 10,000-column table) are the bytes PyYAML writes for each entry."""

from __future__ import annotations

import itertools

import yaml

from anonymizer.policy.proposal import _dump, _EntryDumper

TRICKY = ["keep", "", " lead", "trail ", "a: b", "a, b", "[x]", "{y}", "#c", "x #c", "'q'", '"d"', "yes", "no",
          "null", "~", "true", "0.3", "12", "-1", "1e5", "é à ç", "日本", "tab\there", "new\nline", "*", "&a", "!t",
          "%p", "@at", "`b`", "-", "- x", "? q", "k" * 200, "0x1F", "2021-01-01", "=SUM(A1)"]
VALUES = [*TRICKY, True, False, None, 0, 7, -3, 0.3, 0.5, 1.0, 1e20, float("inf")]


def test_entries_are_dumped_as_pyyaml_dumps_them():
    dump = _EntryDumper()
    entries = [{"role": "quasi_identifier", "entity": "CATEGORY", "action": "keep", "confidence": 0.3}]
    entries += [{k: v} for k in TRICKY for v in VALUES[::7]]
    entries += [{"role": v, "action": w, "reviewed": True} for v, w in itertools.product(VALUES, VALUES[::13])]
    entries += [{"params": {"level": "year"}, "action": "generalize"}, {"x": [1, 2]}, {"a": "x" * 3000, "b": "y" * 3000}]
    for entry in entries * 2:  # the second time from the caches
        assert dump(entry) == _dump(entry), entry
        assert yaml.safe_load(f"e: {dump(entry)}")["e"] == entry
    assert {"role", "entity", "action", "confidence"} <= {k for _t, k in dump._keys}  # built from the caches
