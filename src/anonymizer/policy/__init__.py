"""Policy: profiles (defaults per role and entity), policy files, proposals from a scan, the plan."""

from anonymizer.policy.plan import ColumnStep, Plan, build_plan
from anonymizer.policy.profiles import available_profiles, default_decision, load_profile
from anonymizer.policy.proposal import propose_policy, render_policy_yaml
from anonymizer.policy.schema import load_policy, policy_digest, validate_policy

__all__ = [
    "ColumnStep",
    "Plan",
    "available_profiles",
    "build_plan",
    "default_decision",
    "load_policy",
    "load_profile",
    "policy_digest",
    "propose_policy",
    "render_policy_yaml",
    "validate_policy",
]
