"""Which files are checked (.gitignore / .anonignore / exclude), which settings apply, which manifests vouch.

Expected digests are computed with hashlib; ignore behaviour follows git's documented rules
(nested files, last match wins, ``!`` re-includes, an excluded folder is not entered).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from course_repo import people, sanitize_release, with_contact

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


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory) -> Path:
    """A real release of 80 people (names, NIR, phone, e-mail, birth date, postal code) by anon sanitize."""
    d = tmp_path_factory.mktemp("release")
    raw = d / "raw" / "extrait.csv"
    raw.parent.mkdir()
    with_contact(people(80, seed=9)).to_csv(raw, sep=";", index=False)
    sanitize_release(raw, d / "out" / "safe.csv")
    return d / "out"


@pytest.fixture
def sanitized(release_dir, tmp_path) -> Path:
    for f in release_dir.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path / "safe.csv"


def _edit_manifest(path: Path, **overrides) -> Path:
    m = Path(f"{path}.manifest.json")
    data = json.loads(m.read_text(encoding="utf-8"))
    data.update(overrides)
    m.write_text(json.dumps(data), encoding="utf-8")
    return m


def test_a_real_release_passes_with_its_manifest_and_its_content_checked(sanitized):
    cfg = config_from_dict({"ner": False})
    v = verify_manifest(sanitized, cfg)
    assert v.valid and v.describes and v.problems == [] and v.digest == hashlib.sha256(
        Path(f"{sanitized}.manifest.json").read_bytes()).hexdigest()
    res = check_file(sanitized, "safe.csv", cfg)
    assert (res.status, res.passed_by) == ("pass", "manifest"), res.findings
    assert res.tables == 1  # read, not waved through


@pytest.mark.parametrize("overrides, words", [
    ({"released": False}, "not released"),
    ({"verification": {"passed": False, "problems": ["x"]}}, "verification did not pass"),
    ({"strict": False}, "not strict"),
    ({"profile": "pseudonymised"}, "profile 'pseudonymised' is not allowed"),
    ({"columns": {"NIR": {"role": "identifier", "entity": "NIR", "action": "keep"}}}, "kept unchanged: NIR"),
    ({"privacy": {"targets": {"k": 2}}}, "k = 2 is below"),
    ({"tool": "other"}, "not a manifest written by anon"),
    ({"output": {"name": "safe.csv"}}, "lacks field(s) the check needs"),
])
def test_unsafe_or_incomplete_manifest_fails_the_file(sanitized, overrides, words):
    if "output" in overrides:  # keep the digest: only the row / column counts are missing
        data = json.loads(Path(f"{sanitized}.manifest.json").read_text())
        overrides = {"output": {"name": "safe.csv", "sha256": data["output"]["sha256"]}}
    _edit_manifest(sanitized, **overrides)
    cfg = config_from_dict({"ner": False})
    v = verify_manifest(sanitized, cfg)
    assert not v.valid and any(words in p for p in v.problems)
    res = check_file(sanitized, "safe.csv", cfg)
    assert res.status == "fail" and res.passed_by is None
    assert {f.rule for f in res.findings} & {"manifest-invalid", "manifest-mismatch"}


def test_unknown_manifest_fields_are_fine(sanitized):
    _edit_manifest(sanitized, linkage={"attacker_known": [["DTNAIS", "SEXE"]]}, families={"geo": ["CODPOST"]})
    cfg = config_from_dict({"ner": False})
    assert verify_manifest(sanitized, cfg).valid
    assert check_file(sanitized, "safe.csv", cfg).status == "pass"


def test_file_changed_after_sanitize_fails_saying_the_manifest_does_not_describe_it(sanitized):
    with open(sanitized, "a", encoding="utf-8") as fh:
        fh.write("DUPONT;Jean;;;;;06 12 34 56 78;;jean.dupont@orange.fr\n")
    cfg = config_from_dict({"ner": False})
    v = verify_manifest(sanitized, cfg)
    assert not v.valid and not v.describes and any("SHA-256 differs" in p for p in v.problems)
    res = check_file(sanitized, "safe.csv", cfg)
    assert res.status == "fail"
    rules = {(f.rule, f.level) for f in res.findings}
    assert ("manifest-mismatch", "error") in rules and ("direct-identifier", "error") in rules
    mismatch = next(f for f in res.findings if f.rule == "manifest-mismatch")
    assert "does not describe this file" in mismatch.message


def test_manifest_not_json(sanitized):
    Path(f"{sanitized}.manifest.json").write_text("{not json")
    v = verify_manifest(sanitized, config_from_dict({}))
    assert not v.valid and v.problems == ["the manifest is not readable JSON"]
    assert check_file(sanitized, "safe.csv", config_from_dict({"ner": False})).status == "fail"


def test_no_manifest(sanitized):
    Path(f"{sanitized}.manifest.json").unlink()
    assert verify_manifest(sanitized, config_from_dict({})) is None
