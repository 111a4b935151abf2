"""The plan: the policy checked against the table's columns, in the order actions must run.

Fail closed: a column without a decision, or (in strict mode) a decision that would let a
direct identifier or free text through, stops the run before anything is read in full.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from anonymizer.detect.entities import ATTACKER_FAMILIES, ENTITY_RANK, family_of
from anonymizer.errors import PolicyError
from anonymizer.settings import REPORT_SENSITIVE_MAX, PrivacyTargets
from anonymizer.settings.files import validate_policy_doc

# Actions that leave an identifier's information in place: refused for identifiers in strict mode.
UNSAFE_FOR_IDENTIFIERS = {"keep", "noise", "shift_dates"}


@dataclass(frozen=True)
class ColumnStep:
    column: str
    role: str
    entity: str | None
    action: str
    params: dict[str, Any] = field(default_factory=dict)
    family: str | None = None   # declared by a column rule (else the entity's)
    subject: str | None = None  # person (default), spouse, children

    @property
    def fact_family(self) -> str:
        return family_of(self.entity, self.family)


#: What the whole-record privacy step may do to a column the attacker knows: release it at a
#: level of its family's ladder (keep = its finest, generalize = from its method's level on,
#: suppress = *), or not at all (drop).
ATTACKER_KNOWN_ACTIONS = {"keep", "generalize", "suppress", "drop"}


@dataclass
class Plan:
    steps: list[ColumnStep]
    person_id: list[str]
    privacy: PrivacyTargets  # a mapping is validated into PrivacyTargets
    profile: str
    strict: bool
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.privacy = PrivacyTargets.of(self.privacy)

    @property
    def by_column(self) -> dict[str, ColumnStep]:
        return {s.column: s for s in self.steps}

    @property
    def output_columns(self) -> list[str]:
        return [s.column for s in self.steps if s.action != "drop"]

    @property
    def execution_order(self) -> list[ColumnStep]:
        """Context first (dates, sex...), then identifiers that must agree with it, then free text.

        Within a role, the entity table's ``ENTITY_RANK``: what other columns read (sex, dates),
        then the identifiers, then what derives from them (a NIR key from its NIR, a BIC from
        its IBAN, an e-mail from the names)."""
        rank = {"identifier": 1, "free_text": 2}
        return sorted(self.steps, key=lambda s: (rank.get(s.role, 0), ENTITY_RANK.get(s.entity or "", 1)))

    @property
    def needs_key(self) -> bool:
        from anonymizer.transform import KEYED_ACTIONS  # the actions' owner; loads pandas, so not at import

        return any(s.action in KEYED_ACTIONS for s in self.steps)

    def key_columns(self) -> tuple[list[str], list[str]]:
        """The key quasi-identifiers, and the sensitive columns the risk report measures (at most
        ``REPORT_SENSITIVE_MAX``, dropped columns excluded): ``anon sanitize`` and
        ``anon risk --policy`` both take these."""
        kept = set(self.output_columns)
        sensitive = [c for c in self.privacy.sensitive if c in kept]
        return list(self.privacy.quasi_identifiers), sensitive[:REPORT_SENSITIVE_MAX]

    def attacker_known(self) -> list[ColumnStep]:
        """The released columns an attacker knows (``privacy.attacker_knows``; by default every
        quasi-identifier of the attacker families), in table order."""
        listed = self.privacy.attacker_knows
        if listed is None:
            return [s for s in self.steps if s.role == "quasi_identifier" and s.action != "drop"
                    and s.fact_family in ATTACKER_FAMILIES]
        wanted = set(listed)
        return [s for s in self.steps if s.column in wanted and s.action != "drop"]

    def left_out(self) -> dict[str, str]:
        """Quasi-identifiers outside the attacker's knowledge, and why (for the report)."""
        known = {s.column for s in self.attacker_known()}
        out = {}
        for s in self.steps:
            if s.role != "quasi_identifier" or s.column in known:
                continue
            if s.action == "drop":
                out[s.column] = "dropped"
            elif self.privacy.attacker_knows is not None:
                out[s.column] = "not in privacy.attacker_knows"
            else:
                out[s.column] = (f"its family ({s.fact_family}) is not what an acquaintance knows "
                                 "(add it to privacy.attacker_knows if yours may)")
        return out

    def actions_summary(self) -> dict[str, dict[str, Any]]:
        """Per column: role, entity, action, params — the manifest's record (no values)."""
        return {
            s.column: {"role": s.role, "entity": s.entity, "action": s.action, "params": s.params}
            for s in self.steps
        }


def _names(columns: list[str], limit: int = 12) -> str:
    shown = ", ".join(columns[:limit])
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def build_plan(columns: list[str], policy: dict[str, Any], *, strict: bool | None = None,
               origin: str = "policy") -> Plan:
    """Check ``policy`` against the table's ``columns`` and return the plan, or raise PolicyError.

    The policy is validated first (``anonymizer.settings.files``): every key known, the privacy
    targets typed, and each column's params checked against its action, whose errors name the
    column, the action and the key (``origin`` names the file in messages)."""
    typed = validate_policy_doc(policy, origin=origin)
    decisions = typed.columns
    strict = (True if typed.strict is None else typed.strict) if strict is None else strict
    undecided = [c for c in columns if c not in decisions]
    if undecided:
        raise PolicyError(
            f"{len(undecided)} column(s) have no decision in the policy: {_names(undecided)} "
            "(add them, or re-run `anon scan --write-policy`)"
        )
    steps: list[ColumnStep] = []
    unsafe: list[str] = []
    for col in columns:
        d = decisions[col]
        step = ColumnStep(col, d.role, d.entity, d.action, dict(d.params), d.family, d.subject)
        if step.role == "identifier" and step.action in UNSAFE_FOR_IDENTIFIERS:
            unsafe.append(f"{col} (identifier, {step.action})")
        if step.role == "free_text" and step.action == "keep":
            unsafe.append(f"{col} (free_text, keep)")
        steps.append(step)
    if unsafe and strict:
        raise PolicyError(
            "strict mode refuses decisions that keep direct identifiers or free text: "
            f"{_names(unsafe)} (choose fake, pseudonymize, redact, suppress or drop)"
        )
    notes = [f"non-strict: {u} passes through" for u in unsafe]
    kept = {s.column for s in steps if s.action != "drop"}
    used: dict[str, list[str]] = {}
    for key in ("quasi_identifiers", "sensitive", "attacker_knows"):
        if getattr(typed.privacy, key) is None:
            continue
        listed = list(getattr(typed.privacy, key))
        missing = [c for c in listed if c not in columns]
        if missing:
            raise PolicyError(f"privacy.{key} names column(s) not in the table: {_names(missing)}")
        dropped = [c for c in listed if c not in kept]
        if dropped:
            notes.append(f"privacy.{key}: dropped column(s) ignored: {_names(dropped)}")
        used[key] = [c for c in listed if c in kept]
    privacy = typed.privacy.model_copy(update=used)
    plan = Plan(steps, [], privacy, str(typed.profile or "custom"), strict, notes)
    if privacy.k:
        wrong = [f"{s.column} ({s.action})" for s in plan.attacker_known() if s.action not in ATTACKER_KNOWN_ACTIONS]
        if wrong:
            raise PolicyError(
                f"column(s) an attacker knows (privacy.attacker_knows) must be kept, generalised or suppressed "
                f"so that the privacy step can release them at a common level: {_names(wrong)} (change the "
                "action, or list privacy.attacker_knows without them: the report then says they were left out)")
    person_id = list(typed.person_id)
    missing_pid = [c for c in person_id if c not in columns]
    if missing_pid:
        raise PolicyError(f"person_id names column(s) not in the table: {_names(missing_pid)}")
    extra = [c for c in decisions if c not in columns]
    if extra:
        notes.append(f"policy decides {len(extra)} column(s) absent from the table: {_names(extra)}")
    return Plan(steps, person_id, privacy, str(typed.profile or "custom"), strict, notes)
