"""The shipped integrations: pre-commit hook definition and CI examples parse and call the right command."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
# pre-commit's manifest schema (pre_commit/clientlib.py): required keys and the languages it knows
PRE_COMMIT_REQUIRED = {"id", "name", "entry", "language"}
PRE_COMMIT_LANGUAGES = {"conda", "coursier", "dart", "docker", "docker_image", "dotnet", "fail", "golang", "haskell",
                        "julia", "lua", "node", "perl", "pygrep", "python", "r", "ruby", "rust", "script", "swift",
                        "system", "unsupported", "unsupported_script"}


def _hooks() -> list[dict]:
    return yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_pre_commit_hook_is_valid():
    hooks = _hooks()
    assert isinstance(hooks, list) and len(hooks) == 1
    (hook,) = hooks
    assert set(hook) >= PRE_COMMIT_REQUIRED
    assert hook["id"] == "anon-check" and hook["language"] in PRE_COMMIT_LANGUAGES and hook["language"] == "python"
    assert shlex.split(hook["entry"]) == ["anon", "check"]
    assert all(isinstance(a, str) for a in hook.get("args", []))
    for key in ("pass_filenames", "require_serial"):
        assert isinstance(hook.get(key, True), bool)


def test_pre_commit_files_regex_selects_data_documents_and_archives_only():
    files = re.compile(_hooks()[0]["files"])
    for name in ("data/a.csv", "b.TSV", "x.parquet", "c.xlsx", "d.jsonl", "e.sas7bdat", "f.dta", "g.sav",
                 "h.xpt", "tp/i.ipynb", "README.md", "cours/j.qmd", "k.Rmd", "notes.txt", "data.csv.gz",
                 "rendu.zip", "api.json", "old.xls", "extrait.csv.bak", "sauvegarde.tar"):
        assert files.search(name), name
    for name in ("src/x.py", "image.png", "setup.cfg", "a.csvx", "slides.pdf"):
        assert not files.search(name), name


def test_pre_commit_hook_args_are_accepted_by_the_cli(run_cli, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ok.csv").write_text("a,b\n1,2\n3,4\n")
    hook = _hooks()[0]
    argv = shlex.split(hook["entry"])[1:] + hook.get("args", []) + [str(tmp_path / "ok.csv")]
    res = run_cli(*argv)
    assert res.exit_code == 0, res.output


def _commands(script) -> list[list[str]]:
    lines = script if isinstance(script, list) else [script]
    return [shlex.split(line) for block in lines for line in str(block).splitlines() if line.strip()]


def test_github_actions_example_runs_anon_check_sarif_and_uploads_it():
    wf = yaml.safe_load((REPO / "examples" / "ci" / "github-actions.yml").read_text(encoding="utf-8"))
    assert "jobs" in wf and (True in wf or "on" in wf)  # YAML 1.1 reads the key `on` as True
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    runs = [c for s in steps if "run" in s for c in _commands(s["run"])]
    checks = [c for c in runs if c[:2] == ["anon", "check"]]
    assert len(checks) == 1
    cmd = checks[0]
    assert cmd[cmd.index("--format") + 1] == "sarif"
    sarif_file = cmd[cmd.index("-o") + 1]
    upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert upload and upload[0]["with"]["sarif_file"] == sarif_file and upload[0].get("if") == "always()"
    perms = next(iter(wf["jobs"].values())).get("permissions") or wf.get("permissions")
    assert perms["security-events"] == "write"


def test_gitlab_ci_example_runs_anon_check_junit_and_reports_it():
    ci = yaml.safe_load((REPO / "examples" / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))
    job = ci["anon-check"]
    assert job["stage"] in ci["stages"]
    checks = [c for c in _commands(job["script"]) if c[:2] == ["anon", "check"]]
    assert len(checks) == 1
    cmd = checks[0]
    assert cmd[cmd.index("--format") + 1] == "junit"
    assert job["artifacts"]["reports"]["junit"] == cmd[cmd.index("-o") + 1]
    assert job["artifacts"]["when"] == "always"


def test_ci_commands_parse_with_the_real_cli(run_cli, tmp_path):
    """The exact option set of each example is accepted (run on a tiny clean repository)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "ok.csv").write_text("a,b\n1,2\n3,4\n")
    for name, key in (("github-actions.yml", None), ("gitlab-ci.yml", "anon-check")):
        doc = yaml.safe_load((REPO / "examples" / "ci" / name).read_text(encoding="utf-8"))
        scripts = ([s.get("run", "") for job in doc["jobs"].values() for s in job["steps"]] if key is None
                   else doc[key]["script"])
        (cmd,) = [c for c in _commands(scripts) if c[:2] == ["anon", "check"]]
        args = [str(tmp_path) if a == "." else a for a in cmd[2:]]
        out = tmp_path / f"report-{name}"
        args[args.index("-o") + 1] = str(out)
        res = run_cli("check", *args)
        assert res.exit_code == 0, res.output
        assert out.read_text().strip()


# --------------------------------------------------------------------------- help links

_URL = re.compile(r"\b(?:https?|file)://[^\s\"'<>)]+")


def _local_target(uri: str) -> tuple[Path, str]:
    """The file and anchor a ``file:`` URI points to."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(uri)
    assert parsed.scheme == "file", f"{uri}: a link outside the project"
    return Path(unquote(parsed.path)), parsed.fragment


def _anchors(markdown: Path) -> set[str]:
    """GitHub's heading anchors of a Markdown file (lower case, punctuation dropped, spaces -> -)."""
    heads = re.findall(r"^#+\s+(.+?)\s*$", markdown.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", h.lower())) for h in heads}


def test_every_sarif_link_is_a_file_of_this_project(run_cli, tmp_path):
    """helpUri / informationUri: absolute (SARIF 2.1.0 wants it) file: URIs of docs inside this
    repository, at an anchor that exists; no link to a web repository or tag."""
    import json

    (tmp_path / ".git").mkdir()
    (tmp_path / "ok.csv").write_text("a,b\n1,2\n3,4\n")
    out = tmp_path / "r.sarif"
    res = run_cli("check", str(tmp_path), "--format", "sarif", "-o", str(out), "--no-cache")
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    driver = json.loads(text)["runs"][0]["tool"]["driver"]
    links = [r["helpUri"] for r in driver["rules"]] + [driver["informationUri"]]
    assert len(links) == len(driver["rules"]) + 1
    # every URL in the document (but the schema's) is one of them
    assert {u for u in _URL.findall(text) if "schemastore" not in u} == set(links)
    for uri in links:
        path, anchor = _local_target(uri)
        assert path.is_file() and path.resolve().is_relative_to(REPO), uri
        assert not anchor or anchor in _anchors(path), uri


def test_hook_metadata_and_ci_examples_link_to_nothing_outside_the_project():
    """The pre-commit metadata, its documentation and the CI examples name no web repository or
    tag (anon has none): what they point at is a file of this repository."""
    texts = {p: (REPO / p).read_text(encoding="utf-8") for p in
             (".pre-commit-hooks.yaml", "docs/check.md", "examples/ci/github-actions.yml", "examples/ci/gitlab-ci.yml")}
    for name, text in texts.items():
        repos = [u for u in _URL.findall(text) if "github.com" in u or "gitlab.com" in u]
        assert repos == [], (name, repos)
    for ref in re.findall(r"\b((?:docs|examples)/[\w./-]+\.\w+)", texts[".pre-commit-hooks.yaml"]):
        assert (REPO / ref).is_file(), ref
    assert "docs/check.md" in texts[".pre-commit-hooks.yaml"]
