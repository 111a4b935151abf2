"""Render a check run: human text, JSON (schema below), SARIF 2.1.0 (code scanning), JUnit XML (CI test reports).

Every renderer works from :class:`~anonymizer.check.runner.CheckRun` only; findings carry
masked examples, so no renderer can print a raw value.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from anonymizer import __version__
from anonymizer.check.rules import RULES
from anonymizer.check.runner import FAIL, PASS, SKIPPED, UNCHECKED, CheckRun

JSON_SCHEMA_VERSION = 2  # 2: status "unchecked" (was "error") and "skipped"; summary counts both; notes
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# docs/check.md of this checkout, where the rules are documented. SARIF 2.1.0 wants helpUri and
# informationUri to be absolute URIs (§3.49.12, §3.19.17) and makes both optional: a file: URI
# when the docs are beside the package (a checkout, an editable install), none otherwise (an
# installed wheel has no docs/), never a link to a web page that may not exist.
DOCS_CHECK = Path(__file__).resolve().parents[3] / "docs" / "check.md"


def docs_uri(anchor: str = "") -> str | None:
    """``file:`` URI of docs/check.md (with ``#anchor``), or None when the docs are not installed."""
    if not DOCS_CHECK.is_file():
        return None
    return DOCS_CHECK.as_uri() + (f"#{anchor}" if anchor else "")

# The documented shape of ``anon check --format json`` (also used by the tests).
JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "anon check report",
    "type": "object",
    "required": ["schema_version", "tool", "root", "config", "summary", "files"],
    "properties": {
        "schema_version": {"const": JSON_SCHEMA_VERSION},
        "tool": {"type": "object", "required": ["name", "version"],
                 "properties": {"name": {"const": "anon"}, "version": {"type": "string"}}},
        "root": {"type": "string"},
        "config": {"type": "object", "required": ["source", "k", "max_record_risk", "small_cell", "allowed_profiles"]},
        "summary": {
            "type": "object",
            "required": ["files", "passed", "failed", "unchecked", "skipped", "cached", "exit_code", "seconds"],
            "properties": {k: {"type": "integer", "minimum": 0}
                           for k in ("files", "passed", "failed", "unchecked", "skipped", "cached")}
            | {"exit_code": {"enum": [0, 1, 2]}, "seconds": {"type": "number"}},
        },
        "notes": {"type": "array", "items": {"type": "string"}},
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "status", "kind", "tables", "passed_by", "cached", "findings"],
                "properties": {
                    "path": {"type": "string"},
                    "status": {"enum": [PASS, FAIL, UNCHECKED, SKIPPED]},
                    "kind": {"enum": ["table", "notebook", "markdown", "json", "archive", "other"]},
                    "tables": {"type": "integer", "minimum": 0},
                    "passed_by": {"enum": ["manifest", "scan", "no-table", None]},
                    "cached": {"type": "boolean"},
                    "findings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["rule", "message", "level", "column", "location", "line", "examples"],
                            "properties": {
                                "rule": {"enum": list(RULES)},
                                "level": {"enum": ["error", "warning", "note"]},
                                "message": {"type": "string"},
                                "column": {"type": ["string", "null"]},
                                "location": {"type": ["string", "null"]},
                                "line": {"type": ["integer", "null"]},
                                "examples": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        },
    },
}


def _summary(run: CheckRun) -> dict[str, Any]:
    c = run.counts
    return {"files": len(run.files), "passed": c[PASS], "failed": c[FAIL], "unchecked": c[UNCHECKED],
            "skipped": c[SKIPPED], "cached": sum(f.cached for f in run.files), "exit_code": run.exit_code(),
            "seconds": round(run.seconds, 3)}


def render_json(run: CheckRun) -> str:
    cfg = run.config
    doc = {
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": "anon", "version": __version__},
        "root": str(run.root),
        "config": {"source": cfg.source, "k": cfg.k, "max_record_risk": cfg.max_record_risk,
                   "small_cell": cfg.small_cell, "allowed_profiles": cfg.allowed_profiles,
                   "key_entities": cfg.key_entities},
        "summary": _summary(run),
        "notes": list(run.notes),
        "files": [f.to_dict() for f in run.files],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _where(f) -> str:
    parts = [p for p in (f.location, f"column '{f.column}'" if f.column else None) if p]
    return " · ".join(parts)


def render_text(run: CheckRun, *, verbose: bool = False) -> str:
    """One line per file (failures, unchecked and skipped files with one line per finding), then the totals."""
    lines: list[str] = []
    for fr in run.files:
        tag = {PASS: "PASS     ", FAIL: "FAIL     ", UNCHECKED: "UNCHECKED", SKIPPED: "SKIPPED  "}[fr.status]
        how = {"manifest": " (manifest verified, content checked)", "no-table": " (no table found)"}.get(
            fr.passed_by or "", "")
        cached = " [cached]" if fr.cached else ""
        if fr.status == SKIPPED:
            reason = fr.findings[0].message if fr.findings else "not read"
            lines.append(f"{tag} {fr.path}: {reason}")
            continue
        lines.append(f"{tag} {fr.path}{how}{cached}")
        if fr.status == PASS and not verbose and not any(f.level in ("error", "warning") for f in fr.findings):
            continue
        for f in fr.findings:
            where = _where(f)
            ex = f"  e.g. {', '.join(f.examples)}" if f.examples else ""
            level = "" if f.level == "error" else f"({f.level}) "
            lines.append(f"    {level}[{f.rule}] {where + ': ' if where else ''}{f.message}{ex}")
    s = _summary(run)
    lines.append("")
    for note in run.notes:
        lines.append(f"note: {note}")
    lines.append(f"{s['files']} file(s): {s['passed']} passed, {s['failed']} failed, {s['unchecked']} unchecked, "
                 f"{s['skipped']} skipped ({s['cached']} from cache) in {s['seconds']:.1f} s")
    if s["failed"]:
        lines.append("Do not publish: the failing files may identify people. Sanitize them "
                     "(anon sanitize FILE --profile training) or remove them.")
    if any(fr.gating and fr.status == UNCHECKED for fr in run.files):
        lines.append("Unchecked files are not passed files: make them readable, or list them under "
                     "allow_unchecked in anon.toml once reviewed.")
    return "\n".join(lines) + "\n"


def render_sarif(run: CheckRun) -> str:
    """SARIF 2.1.0: one rule per check rule, one result per finding, located at file and line when known."""
    rule_ids = list(RULES)
    rules = [{
        "id": rid,
        "name": meta["name"],
        "shortDescription": {"text": meta["short"]},
        "fullDescription": {"text": meta["short"]},
        **({"helpUri": uri} if (uri := docs_uri("rules")) else {}),
        "help": {"text": meta["short"] + " See docs/check.md (Rules)."},
        "defaultConfiguration": {"level": meta["level"]},
        "properties": {"tags": ["privacy", "security"]},
    } for rid, meta in RULES.items()]
    results = []
    for fr in run.files:
        for f in fr.findings:
            where = _where(f)
            text = f"{where}: {f.message}" if where else f.message
            if f.examples:
                text += f" (masked examples: {', '.join(f.examples)})"
            loc: dict[str, Any] = {"physicalLocation": {
                "artifactLocation": {"uri": fr.path, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": max(1, int(f.line or 1))},
            }}
            if f.location or f.column:
                loc["logicalLocations"] = [{"name": where, "kind": "member"}]
            results.append({
                "ruleId": f.rule,
                "ruleIndex": rule_ids.index(f.rule),
                "level": f.level,
                "message": {"text": text},
                "locations": [loc],
                "partialFingerprints": {"anonCheck/v1": f"{fr.path}|{f.rule}|{f.location or ''}|{f.column or ''}"},
            })
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "anon", "fullName": "anon check", "version": __version__,
                                "semanticVersion": __version__, "rules": rules,
                                **({"informationUri": uri} if (uri := docs_uri()) else {})}},
            "automationDetails": {"id": "anon-check/"},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{"executionSuccessful": not any(f.gating and f.status == UNCHECKED for f in run.files)}],
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_junit(run: CheckRun) -> str:
    """JUnit XML: one testcase per file; a failing file has a <failure>, an unreadable one an <error>."""
    s = _summary(run)
    suites = ET.Element("testsuites", name="anon check", tests=str(s["files"]), failures=str(s["failed"]),
                        errors=str(s["unchecked"]), skipped=str(s["skipped"]), time=f"{run.seconds:.3f}")
    suite = ET.SubElement(suites, "testsuite", name="anon check", tests=str(s["files"]), failures=str(s["failed"]),
                          errors=str(s["unchecked"]), skipped=str(s["skipped"]), time=f"{run.seconds:.3f}")
    for fr in run.files:
        case = ET.SubElement(suite, "testcase", classname="anon.check", name=fr.path, file=fr.path,
                             time=f"{fr.seconds:.3f}")
        errors = [f for f in fr.findings if f.level == "error"]
        body = "\n".join(
            f"[{f.rule}] {(_where(f) + ': ') if _where(f) else ''}{f.message}"
            + (f" (masked examples: {', '.join(f.examples)})" if f.examples else "")
            for f in fr.findings)
        if fr.status == SKIPPED:
            ET.SubElement(case, "skipped", message=fr.findings[0].message if fr.findings else "not read")
        elif fr.status == FAIL or fr.gating:
            tag = "failure" if fr.status == FAIL else "error"
            rules = sorted({f.rule for f in errors})
            el = ET.SubElement(case, tag, message=f"{len(errors)} finding(s): {', '.join(rules)}", type=",".join(rules))
            el.text = body
        elif body:
            ET.SubElement(case, "system-out").text = body
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


RENDERERS = {"text": render_text, "json": render_json, "sarif": render_sarif, "junit": render_junit}


def render(run: CheckRun, fmt: str) -> str:
    return RENDERERS[fmt](run)
