"""Turn a scan into a proposed policy: one decision per column, ready for a person to review.

The proposal is the profile's default for each column's detected role and entity. It also
picks the *key variables* the privacy targets apply to (the quasi-identifiers an attacker
plausibly knows, after the statistical disclosure control practice of "key variables",
Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, §3.2) and the columns that
identify a person, for per-person date shifts.
"""

from __future__ import annotations

from typing import Any

import yaml

from anonymizer.detect.entities import PERSON_ID_ENTITIES
from anonymizer.policy.profiles import default_decision, load_profile
from anonymizer.settings import PrivacyTargets


def _completeness(finding: Any) -> float:
    stats = getattr(finding, "stats", None) or {}
    n = stats.get("n") or stats.get("rows") or 0
    non_empty = stats.get("non_empty", n)
    return (non_empty / n) if n else 0.0


def choose_key_variables(findings: list[Any], key_entities: list[Any]) -> list[str]:
    """One quasi-identifier column per key family: the preferred entity, then the most complete.

    ``key_entities`` lists families: an entity name, or a list of interchangeable entities in
    order of preference (``[COMMUNE_CODE, POSTAL_CODE, IRIS, DEPARTEMENT]`` all say where a
    person lives). An extract holds the allocataire's birth date and also the spouse's and
    five children's; all are BIRTH_DATE, but putting all of them in the k-anonymity key makes
    the target unreachable without destroying the table. The most complete column is the
    person's own.
    """
    chosen: list[str] = []
    for family in key_entities:
        members = [family] if isinstance(family, str) else list(family)
        best = None
        for rank, entity in enumerate(members):
            for f in findings:
                if f.role != "quasi_identifier" or f.entity != entity:
                    continue
                score = (-rank, _completeness(f))
                if best is None or score > best[0]:
                    best = (score, f.column)
        if best is not None and best[1] not in chosen:
            chosen.append(best[1])
    order = {f.column: i for i, f in enumerate(findings)}
    return sorted(chosen, key=order.__getitem__)


def choose_person_id(findings: list[Any]) -> list[str]:
    for entity in PERSON_ID_ENTITIES:
        for f in findings:
            if f.role == "identifier" and f.entity == entity:
                return [f.column]
    return []


def propose_policy(report: Any, profile: str | dict[str, Any] = "training") -> dict[str, Any]:
    """Policy dict (schema ``rules/schemas/policy.schema.json``) from a scan report and a profile."""
    prof = profile if isinstance(profile, dict) else load_profile(profile)
    findings = list(report.findings)
    columns: dict[str, Any] = {}
    for f in findings:
        entry: dict[str, Any] = {"role": f.role, "entity": f.entity}
        entry.update(default_decision(prof, f.role, f.entity))
        entry["confidence"] = round(float(f.confidence), 3)
        if getattr(f, "identifier_like", False):
            entry["identifier_like"] = True
        if getattr(f, "family", None):
            entry["family"] = f.family
        entry["subject"] = getattr(f, "subject", None) or "person"
        columns[f.column] = entry
    targets = PrivacyTargets.of(prof.get("privacy"), origin=f"profile {prof.get('name', 'custom')}")
    # the targets the profile sets (key_entities become the quasi_identifiers chosen from them)
    privacy: dict[str, Any] = targets.model_dump(exclude_unset=True, exclude={"key_entities", "quasi_identifiers",
                                                                              "sensitive"})
    privacy["quasi_identifiers"] = choose_key_variables(findings, list(targets.key_entities))
    privacy["sensitive"] = [f.column for f in findings if f.role == "sensitive"]
    if targets.k:  # written out, so the review sees whom the guarantee is against (docs/privacy.md)
        privacy["attacker_knows"] = [f.column for f in findings if f.role == "quasi_identifier"
                                     and columns[f.column].get("action") != "drop"]
    policy: dict[str, Any] = {
        "version": 1,
        "profile": prof.get("name", "custom"),
        "strict": bool(prof.get("strict", True)),
        "source": str(getattr(report, "source", "") or ""),
        "person_id": choose_person_id(findings),
        "privacy": privacy,
        "columns": columns,
    }
    return policy


def _dump(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000)
    return text.removesuffix("\n").removesuffix("\n...").strip()


_SCALARS = (str, bool, int, float, type(None))


class _EntryDumper:
    """``_dump`` of a column's entry (a flat mapping of scalars), from each key's and value's
    rendering inside a flow mapping, each dumped once: one PyYAML dump per column was 0.4 ms of a
    wide table's ``--write-policy`` (issue #18 item 8). PyYAML renders a scalar in a flow mapping
    by its text, type and place (key or value) alone, joined by ``", "`` and ``": "``; an entry
    with anything else (a nested mapping, a long line the emitter would wrap) is dumped whole."""

    def __init__(self) -> None:
        self._keys: dict[tuple[type, Any], str] = {}
        self._values: dict[tuple[type, Any], str] = {}

    def _part(self, cache: dict, v: Any, as_key: bool) -> str | None:
        got = cache.get((type(v), v))
        if got is None:
            text = _dump({v: 0} if as_key else {"k": v})
            head, tail = ("{", ": 0}") if as_key else ("{k: ", "}")
            if not (text.startswith(head) and text.endswith(tail)) or "\n" in text:
                return None
            got = cache[(type(v), v)] = text[len(head):len(text) - len(tail)]
        return got

    def __call__(self, entry: dict[str, Any]) -> str:
        if not all(type(k) is str and type(v) in _SCALARS for k, v in entry.items()):
            return _dump(entry)
        parts = []
        for k, v in entry.items():
            key, value = self._part(self._keys, k, True), self._part(self._values, v, False)
            if key is None or value is None or len(key) >= 128:  # a long key is written '? key'
                return _dump(entry)
            parts.append(f"{key}: {value}")
        text = "{" + ", ".join(parts) + "}"
        return text if len(text) < 5_000 else _dump(entry)  # far under the width: never wrapped


def render_policy_yaml(policy: dict[str, Any], report: Any | None = None) -> str:
    """YAML text of the policy, each column commented with the scan's evidence (never a value)."""
    evidence = {f.column: f for f in (report.findings if report is not None else [])}
    lines = [
        "# anon policy: one decision per column. Review every entry before use.",
        "# Actions: drop, keep, pseudonymize, fake, generalize, shift_dates, noise, redact, suppress.",
        "# A column missing here stops `anon sanitize` (fail closed). In strict mode a kept column with",
        "# confidence below 0.5 or identifier_like: true stops it too, until you add `reviewed: true`.",
        f"version: {policy.get('version', 1)}",
    ]
    for key in ("profile", "strict", "source"):
        if key in policy:
            lines.append(f"{key}: {_dump(policy[key])}")
    if "person_id" in policy:
        lines.append("# Columns identifying a person (their original values seed per-person date shifts and noise).")
        lines.append(f"person_id: {_dump(policy['person_id'])}")
    if "privacy" in policy:
        lines.append("# Privacy targets; k applies to the quasi_identifiers listed (the key variables).")
        lines.append("# `privacy: none` instead of this mapping means no target at all (only where the profile allows it).")
        lines.append("privacy:")
        for k, v in policy["privacy"].items():
            if k == "attacker_knows":
                lines.append("  # What an acquaintance may know: k and the release gate's linkage attack cover every column")
                lines.append("  # listed (docs/privacy.md). Remove one only if nobody who may read the file can know it.")
            lines.append(f"  {k}: {_dump(v)}")
    lines.append("columns:")
    dump_entry = _EntryDumper()
    for name, entry in policy["columns"].items():
        finding = evidence.get(name)
        if finding is not None:
            conf = f"{float(finding.confidence):.0%}"
            words = "; ".join(finding.evidence[:4]).replace("\n", " ")
            lines.append(f"  # {finding.role} / {finding.entity or '-'} ({conf}): {words}")
        body = dict(entry)
        lines.append(f"  {_dump(name)}: {dump_entry(body)}")
    return "\n".join(lines) + "\n"
