"""Column-name rules: data in ``rules/columns/*.yaml``, user rules from ``--rules DIR`` win.

A rule maps a regex on the normalised column name to a role, an entity, a confidence and a
priority, and optionally to the entity's ``family`` and the ``subject`` the column is about
(the person, the spouse, the children: format in ``rules/columns/README.md``). Matching is by
the highest priority, then the most specific (longest) pattern. Files may also hold
``subjects:``, patterns that say whose value a column holds whatever rule classified it
(``NOMCJ``, ``Date de naissance du conjoint``, ``ENF2_SEXE``): the privacy step must know that
a spouse's birth date is not the allocataire's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from anonymizer.errors import UsageError
from anonymizer.i18n import _
from anonymizer.resources import rules_path

ROLES = ("identifier", "quasi_identifier", "sensitive", "free_text", "insensitive")
#: Whose value a column holds: the record's person (the allocataire), their spouse, their children.
SUBJECTS = ("person", "spouse", "children")
DEFAULT_SUBJECT = "person"
USER_PRIORITY_BONUS = 1000


@dataclass(frozen=True)
class SubjectRule:
    """``subjects:`` entry: a column whose normalised name matches holds ``subject``'s value."""

    pattern: str
    subject: str
    source: str
    regex: re.Pattern


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
    family: str | None = None    # one of detect.entities.FAMILIES; None: the entity's
    subject: str | None = None   # one of SUBJECTS; None: the subject patterns, else DEFAULT_SUBJECT

    def describe(self, column: object) -> str:
        """``name rule 'dtnais' (fr, caf_extract.yaml)``: the part of the name that matched."""
        where = "user rule" if self.priority >= USER_PRIORITY_BONUS else "name rule"
        m = self.regex.search(normalise_name(column))
        hit = m.group(0) if m and m.group(0) else normalise_name(column)
        return f"{where} '{hit}' ({self.lang}, {self.source})"


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
# inclusive-writing endings: "Né(e) le", "Allocataire(s)", "salarié·e"
_INCLUSIVE = re.compile(r"\((?:e|s|es|x|ne|le)\)|·(?:e|s|es)\b")


def normalise_name(name: object) -> str:
    """``Date de naissance`` -> ``date_de_naissance``; ``NOMUSAGE`` -> ``nomusage``;
    ``N° allocataire`` -> ``n_allocataire``; ``Né(e) le`` -> ``ne_le``; ``Nb d'enfants`` -> ``nb_d_enfants``."""
    text = unicodedata.normalize("NFKD", str(name).translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _INCLUSIVE.sub("", text)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _compile(path: Path, what: str, i: int, pattern: object) -> re.Pattern:
    """``what``: the list the entry is in ("entry 3", "subjects entry 3")."""
    try:
        return re.compile(str(pattern), re.IGNORECASE)
    except re.error as exc:
        raise UsageError(_('column rules {path}: {what}entry {value} has a bad pattern ({exc})').format(path=path, what=what, value=i + 1, exc=exc)) from None


def _optional(path: Path, i: int, e: dict, key: str, allowed: tuple[str, ...]) -> str | None:
    value = e.get(key)
    if value is not None and value not in allowed:
        raise UsageError(_("column rules {path}: entry {value}: '{key}' must be one of {allowed}").format(path=path, value=i + 1, key=key, allowed=', '.join(allowed)))
    return value


def _read(path: Path) -> dict:
    """A rules file's mapping, parsed once per version of the file: :func:`load_rules` and
    :func:`load_subject_rules` read the same files (six YAML parses of ~17 KB per scan, 0.07 CPU s
    of a 100-row sanitize's re-scan, half of them repeats). Read-only for the callers."""
    try:
        st = path.stat()
        version: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
    except OSError:
        version = None  # the read below says why
    return _read_version(path, version)


@lru_cache(maxsize=64)
def _read_version(path: Path, version: tuple[int, int] | None) -> dict:
    from anonymizer.configfiles import load_yaml_file

    data = load_yaml_file(path, "column rules") or {}  # size and alias limits
    if not isinstance(data, dict):
        raise UsageError(_("column rules {path}: expected a mapping with a 'rules' list").format(path=path))
    return data


def _load_file(path: Path, bonus: int) -> list[ColumnRule]:
    from anonymizer.detect.entities import FAMILIES

    data = _read(path)
    entries = data.get("rules", [])
    if not isinstance(entries, list):
        raise UsageError(_("column rules {path}: expected a mapping with a 'rules' list").format(path=path))
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or "pattern" not in e or e.get("role") not in ROLES:
            raise UsageError(_("column rules {path}: entry {value} needs 'pattern' and a role among {ROLES}").format(path=path, value=i + 1, ROLES=', '.join(ROLES)))
        out.append(
            ColumnRule(
                pattern=str(e["pattern"]),
                role=e["role"],
                entity=e.get("entity"),
                confidence=float(e.get("confidence", 0.8)),
                priority=int(e.get("priority", 50)) + bonus,
                lang=str(e.get("lang", "")),
                source=path.name,
                regex=_compile(path, "", i, e["pattern"]),
                family=_optional(path, i, e, "family", FAMILIES),
                subject=_optional(path, i, e, "subject", SUBJECTS),
            )
        )
    return out


def _load_subjects(path: Path) -> list[SubjectRule]:
    entries = _read(path).get("subjects", [])
    if not isinstance(entries, list):
        raise UsageError(_("column rules {path}: 'subjects' must be a list").format(path=path))
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or "pattern" not in e or e.get("subject") not in SUBJECTS:
            raise UsageError(_("column rules {path}: subjects entry {value} needs 'pattern' and a subject among {SUBJECTS}").format(path=path, value=i + 1, SUBJECTS=', '.join(SUBJECTS)))
        out.append(SubjectRule(str(e["pattern"]), e["subject"], path.name, _compile(path, "subjects ", i, e["pattern"])))
    return out


def _files(user_dirs: tuple[str, ...]) -> list[tuple[Path, int]]:
    """Shipped rule files, then each user directory's (with their priority bonus)."""
    files = [(p, 0) for p in sorted(rules_path("columns").glob("*.yaml")) if p.name != "sensitive_values.yaml"]
    for d in user_dirs:
        p = Path(d)
        if not p.is_dir():
            raise UsageError(_('--rules {d}: not a directory').format(d=d))
        files.extend((path, USER_PRIORITY_BONUS) for path in sorted(p.glob("*.y*ml")))
    return files


@lru_cache(maxsize=8)
def load_rules(user_dirs: tuple[str, ...] = ()) -> tuple[ColumnRule, ...]:
    """Shipped rules plus every ``*.yaml`` of each user directory (user rules win)."""
    return tuple(r for path, bonus in _files(user_dirs) for r in _load_file(path, bonus))


@lru_cache(maxsize=8)
def load_subject_rules(user_dirs: tuple[str, ...] = ()) -> tuple[SubjectRule, ...]:
    """The ``subjects:`` patterns, user files' first (the first that matches wins)."""
    files = _files(user_dirs)
    ordered = [f for f in files if f[1]] + [f for f in files if not f[1]]
    return tuple(r for path, _bonus in ordered for r in _load_subjects(path))


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


def column_subject(column: object, rule: ColumnRule | None, subjects: tuple[SubjectRule, ...]) -> str:
    """Whose value the column holds: the winning rule's ``subject``, else the first subject
    pattern matching the name, else ``person``."""
    if rule is not None and rule.subject:
        return rule.subject
    name = normalise_name(column)
    for s in subjects:
        if s.regex.search(name):
            return s.subject
    return DEFAULT_SUBJECT
