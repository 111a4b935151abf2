"""Column-name rules: data in ``rules/columns/*.yaml``, user rules from ``--rules DIR`` win.

A rule maps a regex on the normalised column name to a role, an entity, a confidence and a
priority (format in ``rules/columns/README.md``). Matching is by the highest priority, then
the most specific (longest) pattern.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from anonymizer.errors import UsageError
from anonymizer.resources import rules_path

ROLES = ("identifier", "quasi_identifier", "sensitive", "free_text", "insensitive")
USER_PRIORITY_BONUS = 1000


@dataclass(frozen=True)
class ColumnRule:
    pattern: str
    role: str
    entity: str | None
    confidence: float
    priority: int
    lang: str
    source: str
    regex: re.Pattern

    def describe(self, column: object) -> str:
        """``name rule 'dtnais' (fr, caf_extract.yaml)``: the part of the name that matched."""
        where = "user rule" if self.priority >= USER_PRIORITY_BONUS else "name rule"
        m = self.regex.search(normalise_name(column))
        hit = m.group(0) if m and m.group(0) else normalise_name(column)
        return f"{where} '{hit}' ({self.lang}, {self.source})"


def normalise_name(name: object) -> str:
    """``Date de naissance`` -> ``date_de_naissance``; ``NOMUSAGE`` -> ``nomusage``."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _load_file(path: Path, bonus: int) -> list[ColumnRule]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read column rules {path}: {type(exc).__name__}") from None
    entries = data.get("rules", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise UsageError(f"column rules {path}: expected a mapping with a 'rules' list")
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or "pattern" not in e or e.get("role") not in ROLES:
            raise UsageError(f"column rules {path}: entry {i + 1} needs 'pattern' and a role among {', '.join(ROLES)}")
        try:
            rx = re.compile(str(e["pattern"]), re.IGNORECASE)
        except re.error as exc:
            raise UsageError(f"column rules {path}: entry {i + 1} has a bad pattern ({exc})") from None
        out.append(
            ColumnRule(
                pattern=str(e["pattern"]),
                role=e["role"],
                entity=e.get("entity"),
                confidence=float(e.get("confidence", 0.8)),
                priority=int(e.get("priority", 50)) + bonus,
                lang=str(e.get("lang", "")),
                source=path.name,
                regex=rx,
            )
        )
    return out


@lru_cache(maxsize=8)
def load_rules(user_dirs: tuple[str, ...] = ()) -> tuple[ColumnRule, ...]:
    """Shipped rules plus every ``*.yaml`` of each user directory (user rules win)."""
    rules: list[ColumnRule] = []
    for path in sorted(rules_path("columns").glob("*.yaml")):
        if path.name != "sensitive_values.yaml":
            rules.extend(_load_file(path, 0))
    for d in user_dirs:
        p = Path(d)
        if not p.is_dir():
            raise UsageError(f"--rules {d}: not a directory")
        for path in sorted(p.glob("*.y*ml")):
            rules.extend(_load_file(path, USER_PRIORITY_BONUS))
    return tuple(rules)


def match_rule(column: object, rules: tuple[ColumnRule, ...]) -> ColumnRule | None:
    """The winning rule for a column name, or None."""
    name = normalise_name(column)
    best: ColumnRule | None = None
    for r in rules:
        if r.regex.search(name) and (
            best is None or (r.priority, len(r.pattern)) > (best.priority, len(best.pattern))
        ):
            best = r
    return best
