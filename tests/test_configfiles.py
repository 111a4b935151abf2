"""Configuration files parsed by libyaml (issue #18 item 8: a 10,000-column policy) with the same
limits as the pure-Python parser: every case below runs under both loaders and must agree."""

from __future__ import annotations

import pytest
import yaml

from anonymizer import configfiles
from anonymizer.configfiles import MAX_ALIAS_EXPANSION, parse_yaml
from anonymizer.errors import UsageError
from anonymizer.resources import rules_path

LOADERS = [pytest.param(yaml.SafeLoader, id="python"),
           pytest.param(getattr(yaml, "CSafeLoader", None), id="libyaml",
                        marks=pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml"))]


def _bomb(levels: int, width: int = 10) -> str:
    """The "billion laughs": each level a list of ``width`` aliases of the one before."""
    lines = ["a0: &a0 [x]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_libyaml_is_used_when_pyyaml_has_it():
    if yaml.__with_libyaml__:
        assert configfiles.YAML_LOADER is yaml.CSafeLoader
    else:
        assert configfiles.YAML_LOADER is yaml.SafeLoader


@pytest.mark.parametrize("loader", LOADERS)
def test_alias_bomb_refused_and_small_aliases_accepted(loader, monkeypatch):
    monkeypatch.setattr(configfiles, "YAML_LOADER", loader)
    # level i expands to 1 + 10 x level i-1 nodes (a0 = [x]: 2); plus the root and its 6 keys
    sizes = [2]
    for _ in range(5):
        sizes.append(1 + 10 * sizes[-1])
    with pytest.raises(UsageError, match=rf"policy file refused: its YAML aliases expand it to {1 + 6 + sum(sizes):,} "
                                         r"nodes \(at most 100,000 more than the file's 14"):
        parse_yaml(_bomb(5), "bomb.yaml", "policy file")
    # 10**3: 1,112 nodes expanded, under the limit (the limit is on what aliases add)
    assert MAX_ALIAS_EXPANSION > 10 ** 3 + 100
    data = parse_yaml(_bomb(3), "ok.yaml", "policy file")
    assert len(data["a3"]) == 10 and data["a3"][0][0] == [["x"]] * 10


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(("text", "message"), [
    ("&a [*a]\n", "a YAML alias refers to itself"),
    ("a: &m {b: [*m]}\n", "a YAML alias refers to itself"),
    ("a: [1, 2\n", "not valid YAML at line 2 (ParserError)"),
    ("a: b: c\n", "not valid YAML at line 1 (ScannerError)"),
    ("\x07a: 1\n", "not valid YAML (ReaderError)"),  # a control character: refused, no traceback
    ("a: !!python/object:os.system x\n", "not valid YAML (ConstructorError)"),
])
def test_refusals_are_the_same_one_line_errors(loader, text, message, monkeypatch):
    monkeypatch.setattr(configfiles, "YAML_LOADER", loader)
    with pytest.raises(UsageError) as err:
        parse_yaml(text, "p.yaml", "policy file")
    assert str(err.value) == f"p.yaml: {message}" or str(err.value) == f"p.yaml: policy file refused: {message}"


def test_both_loaders_build_the_same_data_from_every_shipped_rule_file():
    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML built without libyaml")
    files = sorted(rules_path().rglob("*.yaml"))
    assert len(files) > 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.load(text, Loader=yaml.SafeLoader), path
        assert parse_yaml(text, str(path), "rules") == yaml.load(text, Loader=yaml.SafeLoader), path
