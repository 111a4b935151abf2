"""The plan: the policy checked against the table's columns, in the order actions must run.

Fail closed: a column without a decision, or (in strict mode) a decision that would let a
direct identifier or free text through, keep a column the scan was unsure of or whose values
look like identifiers (unless a person marked it ``reviewed``), or claim a k over no key
variable, stops the run before anything is read in full. ``privacy: none`` is the one way to
release without privacy targets, and only where the policy's profile allows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from anonymizer.detect.entities import ENTITY_RANK, entity, family_of
from anonymizer.errors import AnonError, PolicyError
from anonymizer.i18n import _, ngettext
from anonymizer.settings import REPORT_SENSITIVE_MAX, NoPrivacy, PrivacyTargets
from anonymizer.settings.files import NO_PRIVACY, PolicyFile, validate_policy_doc

# Actions that leave an identifier's information in place: refused for identifiers in strict mode.
UNSAFE_FOR_IDENTIFIERS = {"keep", "noise", "shift_dates"}
#: Below this scan confidence a column's role is a guess (the scan's unclassified columns get
#: 0.3): strict mode refuses to keep it until a person reviews the decision.
LOW_CONFIDENCE = 0.5


@dataclass(frozen=True)
class ColumnStep:
    column: str
    role: str
    entity: str | None
    action: str
    params: dict[str, Any] = field(default_factory=dict)
    identifier_like: bool = False   # the scan's flag: the verification searches the original values
    family: str | None = None       # the policy's, else the entity's (detect/entities.py FAMILIES)
    subject: str = "person"         # person, spouse, children

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
        quasi-identifier, of the person and of the household), in table order. ``privacy: none``
        declares no attacker: nothing is claimed against one."""
        if isinstance(self.privacy, NoPrivacy):
            return []
        listed = self.privacy.attacker_knows
        if listed is None:
            return [s for s in self.steps if s.role == "quasi_identifier" and s.action != "drop"]
        wanted = set(listed)
        return [s for s in self.steps if s.column in wanted and s.action != "drop"]

    def recoded(self) -> list[ColumnStep]:
        """The attacker-known columns the whole-record privacy step releases at common levels
        (kept, generalised or suppressed ones). The others (shifted dates, noisy amounts, fakes)
        are not grouped, but the release gate still attacks them with their released values."""
        return [s for s in self.attacker_known() if s.action in ATTACKER_KNOWN_ACTIONS]

    def left_out(self) -> dict[str, str]:
        """Quasi-identifiers outside the attacker's knowledge, and why (for the report); none
        under ``privacy: none``, which declares no attacker."""
        if isinstance(self.privacy, NoPrivacy):
            return {}
        known = {s.column for s in self.attacker_known()}
        out = {}
        for s in self.steps:
            if s.role != "quasi_identifier" or s.column in known:
                continue
            if s.action == "drop":
                out[s.column] = "dropped"
            else:
                out[s.column] = "not in privacy.attacker_knows"
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


def _doubt(entry: Any) -> str | None:
    """Why a kept column needs a person's review (low confidence, identifier-like values), or None."""
    if entry.reviewed or entry.action != "keep":
        return None
    why = []
    if entry.confidence is not None and entry.confidence < LOW_CONFIDENCE:
        why.append(f"confidence {entry.confidence:.0%}")
    if entry.identifier_like:
        why.append("identifier-like values")
    return ", ".join(why) or None


def _no_privacy_allowed(profile: str | None, origin: str) -> None:
    """``privacy: none`` only under a profile that says ``allow_no_privacy: true``."""
    from anonymizer.policy.profiles import load_profile

    how = "(only a profile with allow_no_privacy: true allows it, e.g. pseudonymised)"
    if not profile:
        raise PolicyError(_('{origin}: privacy: none needs the policy to name its profile {how}').format(origin=origin, how=how))
    try:
        allowed = bool(load_profile(profile).get("allow_no_privacy"))
    except AnonError:
        raise PolicyError(_("{origin}: privacy: none: profile '{profile}' cannot be loaded to check it allows it").format(origin=origin, profile=profile)) \
            from None
    if not allowed:
        raise PolicyError(_("{origin}: privacy: none is refused by profile '{profile}' {how}").format(origin=origin, profile=profile, how=how))


def _privacy(typed: PolicyFile, columns: list[str], steps: list[ColumnStep], strict: bool, origin: str,
             notes: list[str]) -> PrivacyTargets:
    """The targets the plan enforces: ``privacy: none`` where allowed; otherwise the policy's,
    restricted to the kept columns, and never a k over no key variable in strict mode."""
    if typed.privacy == NO_PRIVACY:
        _no_privacy_allowed(typed.profile, origin)
        notes.append("privacy: none: no privacy target, no k-anonymity (the manifest says so)")
        return NoPrivacy()
    targets: PrivacyTargets = typed.privacy  # type: ignore[assignment]
    kept = {s.column for s in steps if s.action != "drop"}
    present = set(columns)  # a set: 10,000 listed columns against a list was 10**8 comparisons
    used: dict[str, list[str]] = {}
    for key in ("quasi_identifiers", "sensitive", "attacker_knows"):
        if getattr(targets, key) is None:
            continue
        listed = list(getattr(targets, key))
        missing = [c for c in listed if c not in present]
        if missing:
            raise PolicyError(_('privacy.{key} names column(s) not in the table: {missing}').format(key=key, missing=_names(missing)))
        dropped = [c for c in listed if c not in kept]
        if dropped:
            notes.append(f"privacy.{key}: dropped column(s) ignored: {_names(dropped)}")
        used[key] = [c for c in listed if c in kept]
    kept_qi = [s.column for s in steps if s.role == "quasi_identifier" and s.action != "drop"]
    claimed = "quasi_identifiers" in targets.model_fields_set or targets.k is not None
    if strict and claimed and kept_qi and not used["quasi_identifiers"]:
        raise PolicyError(
            ngettext('privacy.quasi_identifiers is empty while {n} kept column(s) are quasi-identifiers ({columns}): the privacy targets would apply to nothing. List the key variables, or state `privacy: none` under a profile that allows it (allow_no_privacy)',
                     'privacy.quasi_identifiers is empty while {n} kept column(s) are quasi-identifiers ({columns}): the privacy targets would apply to nothing. List the key variables, or state `privacy: none` under a profile that allows it (allow_no_privacy)',
                     len(kept_qi)).format(n=len(kept_qi), columns=_names(kept_qi)))
    return targets.model_copy(update=used)


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
            ngettext('{n} column(s) have no decision in the policy: {columns} (add them, or re-run `anon scan --write-policy`)',
                     '{n} column(s) have no decision in the policy: {columns} (add them, or re-run `anon scan --write-policy`)',
                     len(undecided)).format(n=len(undecided), columns=_names(undecided))
        )
    steps: list[ColumnStep] = []
    unsafe: list[str] = []
    doubtful: list[str] = []
    for col in columns:
        d = decisions[col]
        known = entity(d.entity)
        step = ColumnStep(col, d.role, d.entity, d.action, dict(d.params), identifier_like=d.identifier_like,
                          family=d.family or (known.family if known else None), subject=d.subject)
        if step.role == "identifier" and step.action in UNSAFE_FOR_IDENTIFIERS:
            unsafe.append(f"{col} (identifier, {step.action})")
        if step.role == "free_text" and step.action == "keep":
            unsafe.append(f"{col} (free_text, keep)")
        why = _doubt(d)
        if why:
            doubtful.append(f"{col} ({why})")
        steps.append(step)
    if unsafe and strict:
        raise PolicyError(
            _('strict mode refuses decisions that keep direct identifiers or free text: {unsafe} (choose fake, pseudonymize, redact, suppress or drop)').format(unsafe=_names(unsafe))
        )
    if doubtful and strict:
        raise PolicyError(
            ngettext('strict mode refuses to keep {n} column(s) the scan was unsure of or whose values look like identifiers: {columns}. Review each in the policy: add `reviewed: true` to its entry to keep it as it is, or choose another action (fake, pseudonymize, generalize, suppress, drop)',
                     'strict mode refuses to keep {n} column(s) the scan was unsure of or whose values look like identifiers: {columns}. Review each in the policy: add `reviewed: true` to its entry to keep it as it is, or choose another action (fake, pseudonymize, generalize, suppress, drop)',
                     len(doubtful)).format(n=len(doubtful), columns=_names(doubtful))
        )
    notes = [f"non-strict: {u} passes through" for u in unsafe]
    notes += [f"non-strict: {u} kept without review" for u in doubtful]
    privacy = _privacy(typed, columns, steps, strict, origin, notes)
    person_id = list(typed.person_id)
    present = set(columns)
    missing_pid = [c for c in person_id if c not in present]
    if missing_pid:
        raise PolicyError(_('person_id names column(s) not in the table: {missing_pid}').format(missing_pid=_names(missing_pid)))
    extra = [c for c in decisions if c not in present]
    if extra:
        notes.append(f"policy decides {len(extra)} column(s) absent from the table: {_names(extra)}")
    return Plan(steps, person_id, privacy, str(typed.profile or "custom"), strict, notes)
