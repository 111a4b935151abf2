"""Which files are checked (.gitignore / .anonignore / exclude), which settings apply, which manifests vouch.

Expected digests are computed with hashlib; ignore behaviour follows git's documented rules
(nested files, last match wins, ``!`` re-includes, an excluded folder is not entered).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from course_repo import manifest_for, people

from anonymizer.check.config import config_from_dict, find_config, load_config
from anonymizer.check.manifest import verify_manifest
from anonymizer.check.runner import check_file
from anonymizer.check.walk import collect_files
from anonymizer.errors import UsageError


def _touch(root: Path, rel: str, text: str = "a,b\n1,2\n") -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def _listed(root: Path, cfg=None, paths=None) -> set[str]:
    files, base = collect_files(paths or [root], cfg or config_from_dict({}, root=root))
    return {f.relative_to(base).as_posix() for f in files}


# ---------------------------------------------------------------- walking


def test_nested_gitignore_negation_and_anonignore(tmp_path):
    (tmp_path / ".git").mkdir()
    _touch(tmp_path, ".gitignore", "*.tmp.csv\n!keep.tmp.csv\nbuild/\n")
    _touch(tmp_path, "a.csv")
    _touch(tmp_path, "x.tmp.csv")
    _touch(tmp_path, "keep.tmp.csv")
    _touch(tmp_path, "build/out.csv")
    _touch(tmp_path, "sub/build/out.csv")           # "build/" matches at any depth
    _touch(tmp_path, "sub/.gitignore", "secret.csv\n!x.tmp.csv\n")
    _touch(tmp_path, "sub/secret.csv")
    _touch(tmp_path, "sub/x.tmp.csv")               # re-included by the deeper file
    _touch(tmp_path, "sub/deeper/secret.csv")       # a non-anchored pattern applies below too
    _touch(tmp_path, "docs/.anonignore", "/old/\n")
    _touch(tmp_path, "docs/old/leak.csv")
    _touch(tmp_path, "docs/new/ok.md", "# hi\n")
    _touch(tmp_path, "notes.py", "print(1)\n")          # not a table / notebook / Markdown
    _touch(tmp_path, "data/t.manifest.json", "{}")      # manifests are not tables
    _touch(tmp_path, ".git/x.csv")
    _touch(tmp_path, ".anon-cache/ab/x.csv")
    assert _listed(tmp_path) == {"a.csv", "keep.tmp.csv", "sub/x.tmp.csv", "docs/new/ok.md"}


def test_git_info_exclude_counts(tmp_path):
    _touch(tmp_path, ".git/info/exclude", "local/\n")
    _touch(tmp_path, "local/a.csv")
    _touch(tmp_path, "b.csv")
    assert _listed(tmp_path) == {"b.csv"}


def test_gitignore_above_the_walked_folder_counts(tmp_path):
    (tmp_path / ".git").mkdir()
    _touch(tmp_path, ".gitignore", "*.raw.csv\n")
    _touch(tmp_path, "data/a.raw.csv")
    _touch(tmp_path, "data/b.csv")
    files, _ = collect_files([tmp_path / "data"], config_from_dict({}, root=tmp_path))
    assert [f.name for f in files] == ["b.csv"]


def test_config_exclude_patterns(tmp_path):
    (tmp_path / ".git").mkdir()
    _touch(tmp_path, "data/public/a.csv")
    _touch(tmp_path, "data/b.csv")
    cfg = config_from_dict({"exclude": ["data/public/"]}, root=tmp_path)
    assert _listed(tmp_path, cfg) == {"data/b.csv"}
    # an explicitly named excluded file is skipped too
    assert _listed(tmp_path, cfg, [tmp_path / "data/public/a.csv"]) == set()


def test_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        collect_files([tmp_path / "nope"], config_from_dict({}))


# ---------------------------------------------------------------- configuration


def test_anon_toml_found_walking_up_and_stops_at_repo_root(tmp_path):
    (tmp_path / "anon.toml").write_text("[check]\nk = 50\n")          # above the repository: not used
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "cours" / "data").mkdir(parents=True)
    assert find_config([repo / "cours" / "data"]) is None
    assert load_config([repo / "cours" / "data"]).k == 5
    (repo / "anon.toml").write_text("[check]\nk = 10\nallowed_profiles = ['training']\n"
                                    "[check.columns]\n'data/*.csv' = ['x3']\n")
    cfg = load_config([repo / "cours" / "data"])
    assert cfg.k == 10 and cfg.allowed_profiles == ["training"] and Path(cfg.source) == repo / "anon.toml"
    assert cfg.exempt_columns("data/m.csv") == {"x3"} and cfg.exempt_columns("other/m.csv") == set()


def test_pyproject_tool_anon_check(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n[tool.anon.check]\nsmall_cell = 5\n"
                                             "columns = ['NUMLIGNE']\n")
    cfg = load_config([tmp_path])
    assert cfg.small_cell == 5 and cfg.exempt_columns("any/file.csv") == {"NUMLIGNE"}
    # a pyproject without [tool.anon] is not a configuration
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text("[project]\nname='y'\n")
    assert load_config([tmp_path / "sub"]).small_cell == 5


@pytest.mark.parametrize("text, words", [
    ("[check]\nkk = 1\n", "unknown setting 'kk'"),
    ("[check]\nk = 0\n", ">= 1"),
    ("[check]\nexclude = 'x'\n", "list of strings"),
    ("[check\n", "not valid TOML"),
])
def test_bad_configuration_is_a_usage_error(tmp_path, text, words):
    (tmp_path / "anon.toml").write_text(text)
    with pytest.raises(UsageError) as exc:
        load_config([tmp_path])
    assert words in str(exc.value)


def test_defaults_come_from_the_training_profile():
    from anonymizer.policy import load_profile

    prof = load_profile("training")["privacy"]
    cfg = config_from_dict({})
    assert (cfg.k, cfg.small_cell, cfg.max_record_risk) == (prof["k"], prof["small_cell"], prof["max_record_risk"])
    assert cfg.key_entities == prof["key_entities"]


# ---------------------------------------------------------------- manifests


@pytest.fixture
def sanitized(tmp_path) -> Path:
    p = tmp_path / "safe.csv"
    people(30, seed=9)[["NOM", "PRENOM", "TEL"]].to_csv(p, index=False)
    return p


def _write_manifest(path: Path, **overrides) -> Path:
    m = path.with_suffix(".manifest.json")
    m.write_text(json.dumps(manifest_for(path, **overrides)), encoding="utf-8")
    return m


def test_valid_manifest_vouches_for_the_exact_bytes(sanitized):
    _write_manifest(sanitized)
    cfg = config_from_dict({})
    v = verify_manifest(sanitized, cfg)
    assert v.valid and v.problems == [] and v.digest == hashlib.sha256(
        sanitized.with_suffix(".manifest.json").read_bytes()).hexdigest()
    res = check_file(sanitized, "safe.csv", cfg)
    assert res.status == "pass" and res.passed_by == "manifest" and res.tables == 0


@pytest.mark.parametrize("overrides, words", [
    ({"released": False}, "not released"),
    ({"verification": {"passed": False, "problems": ["x"]}}, "verification did not pass"),
    ({"strict": False}, "not strict"),
    ({"profile": "pseudonymised"}, "profile 'pseudonymised' is not allowed"),
    ({"columns": {"NIR": {"role": "identifier", "entity": "NIR", "action": "keep"}}}, "kept unchanged: NIR"),
    ({"privacy": {"targets": {"k": 2}}}, "k = 2 is below"),
    ({"tool": "other"}, "not a manifest written by anon"),
])
def test_unsafe_manifest_is_refused(sanitized, overrides, words):
    _write_manifest(sanitized, **overrides)
    v = verify_manifest(sanitized, config_from_dict({}))
    assert not v.valid and any(words in p for p in v.problems)


def test_file_changed_after_sanitize_falls_back_to_the_scan(sanitized):
    _write_manifest(sanitized)
    with open(sanitized, "a", encoding="utf-8") as fh:
        fh.write("DUPONT,Jean,06 12 34 56 78\n")
    cfg = config_from_dict({"ner": False})
    v = verify_manifest(sanitized, cfg)
    assert not v.valid and any("SHA-256 differs" in p for p in v.problems)
    res = check_file(sanitized, "safe.csv", cfg)
    assert res.status == "fail"
    rules = [(f.rule, f.level) for f in res.findings]
    assert ("manifest-invalid", "warning") in rules and ("direct-identifier", "error") in rules


def test_manifest_not_json(sanitized):
    sanitized.with_suffix(".manifest.json").write_text("{not json")
    v = verify_manifest(sanitized, config_from_dict({}))
    assert not v.valid and v.problems == ["the manifest is not readable JSON"]


def test_no_manifest(sanitized):
    assert verify_manifest(sanitized, config_from_dict({})) is None
