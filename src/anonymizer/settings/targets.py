"""``PrivacyTargets``: the privacy section of a policy or profile, every default written once.

``anon sanitize`` (both engines, the search and the risk report), ``anon risk`` and
``anon check`` read their k, small-cell and record-risk thresholds, search options and key
variables from here; ``docs/sanitize.md`` documents the fields.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from anonymizer.errors import AnonError, PolicyError
from anonymizer.i18n import _
from anonymizer.settings.base import StrictModel, check
from anonymizer.settings.defaults import (
    MAX_RECORD_RISK,
    REPORT_K,
    REPORT_SENSITIVE_MAX,
    SMALL_CELL,
    TIME_BUDGET,
)

__all__ = ["DEFAULT_TARGETS", "REPORT_K", "REPORT_SENSITIVE_MAX", "NoPrivacy", "PrivacyTargets"]

Metric = Literal["loss", "entropy", "entropy-mono", "entropy_monotonic", "discernibility", "dm-star", "dm_star",
                 "precision", "precision-mono", "precision_monotonic", "aecs", "height"]


class PrivacyTargets(StrictModel):
    """Privacy targets and the search's options (null: not asked, e.g. no k enforced)."""

    k: int | None = Field(None, ge=1, description="k-anonymity target on the quasi_identifiers (null: not enforced).")
    l: float | None = Field(None, ge=1, description="l-diversity target on the first sensitive column.")  # noqa: E741
    l_variant: Literal["distinct", "entropy", "recursive"] = "distinct"
    c: float | None = Field(None, gt=0, description="c of recursive (c,l)-diversity.")
    t: float | None = Field(None, ge=0, le=1, description="t-closeness target on the first sensitive column.")
    t_variant: Literal["equal", "ordered", "hierarchical"] = Field(
        "equal", description="Ground distance of t-closeness; hierarchical needs the sensitive column's hierarchy "
        "(anon sanitize --hierarchies).")
    l_estimator: Literal["shannon", "grassberger"] = Field(
        "shannon", description="Entropy estimator of entropy-l-diversity (ARX's Shannon or Grassberger).")
    beta: float | None = Field(None, gt=0, description="beta-likeness target on the first sensitive column.")
    beta_variant: Literal["basic", "enhanced"] = "enhanced"
    k_map: int | None = Field(None, ge=1, description="k-map target (ARX's KMap with an estimator): every class "
                              "matches at least k people of the population (needs population or sampling_fraction; "
                              "anon sanitize --hierarchies).")
    k_map_estimator: Literal["poisson", "zero-truncated-poisson"] = Field(
        "poisson", description="Population cell-size estimator of k-map.")
    significance: float = Field(0.01, ge=0, le=1, description="Significance level of the k-map estimator.")
    sampling_fraction: float | None = Field(None, gt=0, le=1, description="n / N, instead of population.")
    delta_presence: list[float] | None = Field(
        None, min_length=2, max_length=2, description="[dmin, dmax] of delta-presence (ARX's DPresence): the table is "
        "a research subset of population_table (anon sanitize --hierarchies).")
    population_table: str | None = Field(None, description="File of the population table the data was drawn from "
                                         "(delta-presence).")
    max_average_risk: float | None = Field(
        None, ge=0, le=1, description="Highest average re-identification risk of the released records, #classes / "
        "#records (ARX's AverageReidentificationRisk; anon sanitize --hierarchies).")
    max_sample_uniques: float | None = Field(
        None, ge=0, le=1, description="Highest share of released records alone in their class (ARX's "
        "SampleUniqueness; anon sanitize --hierarchies).")
    max_population_uniques: float | None = Field(
        None, ge=0, le=1, description="Highest estimated share of the population unique on the quasi-identifiers "
        "(ARX's PopulationUniqueness; needs population or sampling_fraction; anon sanitize --hierarchies).")
    population_model: Literal["pitman", "zayatz", "snb", "dankar"] = Field(
        "dankar", description="Estimator of max_population_uniques (dankar: Dankar et al.'s rule, as ARX).")
    max_suppression: float = Field(0.0, ge=0, le=1, description="Largest share of records the search may suppress.")
    metric: Metric = Field("loss", description="Information-loss measure the search minimises.")
    gs_factor: float = Field(0.5, ge=0, le=1, description="Loss's generalisation/suppression factor (ARX's gs-factor: "
                             "below 0.5 suppression costs less, above it generalisation costs less).")
    time_budget: float | None = Field(
        TIME_BUDGET, gt=0, description="Seconds of optimal search before the greedy heuristic takes over (the report then "
        "says exact: false); the same in every mode. null: no limit (the search may take hours).")
    small_cell: int = Field(SMALL_CELL, ge=1, description="Classes smaller than this are reported as small cells.")
    max_record_risk: float | None = Field(
        MAX_RECORD_RISK, gt=0, le=1, description="Record (prosecutor) risk above which records are counted (null: the default).")
    quasi_identifiers: list[str] = Field(default_factory=list, description="Key variables k applies to (columns).")
    sensitive: list[str] = Field(default_factory=list, description="Sensitive columns (l, t, inference risk).")
    key_entities: list[str | list[str]] = Field(
        default_factory=list, description="Key-variable families a proposal picks one column of (a list: "
        "interchangeable entities, preferred first).")
    population: int | None = Field(None, ge=1, description="Population size N the table was drawn from (k-map and "
                                   "the population risk models; informative otherwise).")
    attacker_knows: list[str] | None = Field(
        None, description="Columns an attacker knows about a person (whole-record k and the release gate's attack "
        "cover them all). null: every quasi-identifier of the person and the household (docs/privacy.md).")
    max_linkage_success: float | None = Field(
        None, gt=0, le=1, description="Release gate: highest mean success of the linkage attack over the "
        "attacker-known columns (null: 1/k).")
    max_unique_reidentification: float = Field(
        0.01, ge=0, le=1, description="Release gate: highest share of people the attack re-identifies uniquely "
        "and correctly.")
    attack_persons: int = Field(20_000, ge=100, description="People the release gate attacks (a uniform sample "
                                "beyond; every released row is a candidate).")

    @field_validator("max_record_risk", mode="after")
    @classmethod
    def _risk_default(cls, value: float | None) -> float:
        return cls.field_default("max_record_risk") if value is None else value

    @model_validator(mode="after")
    def _roles_apart(self) -> PrivacyTargets:
        both = [c for c in self.quasi_identifiers if c in self.sensitive]
        if both:
            raise ValueError(_("column(s) both in quasi_identifiers and sensitive: {columns}").format(columns=", ".join(both)))
        return self

    @classmethod
    def of(cls, data: PrivacyTargets | dict[str, Any] | None, *, origin: str = "policy", where: str = "privacy",
           error: type[AnonError] = PolicyError) -> PrivacyTargets:
        """Targets from a policy's or profile's ``privacy`` mapping (already typed: returned as is)."""
        if isinstance(data, PrivacyTargets):
            return data
        return check(cls, dict(data or {}), origin=origin, where=where, error=error)

    @property
    def gate_success(self) -> float | None:
        """The release gate's threshold on mean attack success (``1/k`` by default)."""
        if self.max_linkage_success is not None:
            return self.max_linkage_success
        return 1.0 / self.k if self.k else None

    @property
    def searches(self) -> bool:
        """Whether a privacy search runs (some target to enforce)."""
        return (bool(self.k) or self.l is not None or self.t is not None or self.beta is not None
                or self.k_map is not None or self.delta_presence is not None or self.risk_based)

    @property
    def risk_based(self) -> bool:
        """Whether a risk-based model (average risk, sample or population uniques) is asked."""
        return (self.max_average_risk is not None or self.max_sample_uniques is not None
                or self.max_population_uniques is not None)

    @property
    def report_k(self) -> int:
        """The k the risk report measures against: the target, else ``REPORT_K``."""
        return self.k or REPORT_K

    def risk_measures(self) -> dict[str, Any]:
        """The thresholds of the risk report (``anonymizer.risk.risk_report`` keywords)."""
        return {"k": self.report_k, "small_cell": self.small_cell, "threshold": self.max_record_risk}

    def search_options(self) -> dict[str, Any]:
        """The search's keywords (``anonymizer.privacy.search``), defaults filled in."""
        return {"k": self.k, "l": self.l, "l_variant": self.l_variant, "c": self.c, "t": self.t,
                "t_variant": self.t_variant, "l_estimator": self.l_estimator, "beta": self.beta,
                "beta_variant": self.beta_variant, "max_suppression": self.max_suppression, "metric": self.metric,
                "time_budget": self.time_budget, "gs_factor": self.gs_factor, "k_map": self.k_map,
                "k_map_estimator": self.k_map_estimator, "significance": self.significance,
                "population": self.population, "sampling_fraction": self.sampling_fraction,
                "delta_presence": self.delta_presence, "population_table": self.population_table,
                "max_average_risk": self.max_average_risk, "max_sample_uniques": self.max_sample_uniques,
                "max_population_uniques": self.max_population_uniques, "population_model": self.population_model}

    def record(self) -> dict[str, Any]:
        """The targets a run used, for its manifest: those asked, the search options when a search
        ran, and the risk report's thresholds. Never a column name (those are listed apart)."""
        out: dict[str, Any] = {}
        if self.k is not None:
            out["k"] = self.k
        if self.l is not None:
            out.update(l=self.l, l_variant=self.l_variant)
            if self.c is not None:
                out["c"] = self.c
            if self.l_variant == "entropy" and self.l_estimator != "shannon":
                out["l_estimator"] = self.l_estimator
        if self.t is not None:
            out.update(t=self.t, t_variant=self.t_variant)
        if self.beta is not None:
            out.update(beta=self.beta, beta_variant=self.beta_variant)
        if self.delta_presence is not None:
            out["delta_presence"] = list(self.delta_presence)
        if self.k_map is not None:
            out.update(k_map=self.k_map, k_map_estimator=self.k_map_estimator, significance=self.significance)
        for name in ("max_average_risk", "max_sample_uniques"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.max_population_uniques is not None:
            out.update(max_population_uniques=self.max_population_uniques, population_model=self.population_model)
        if self.searches:
            out.update(max_suppression=self.max_suppression, metric=self.metric)
            if self.metric == "loss" and self.gs_factor != 0.5:
                out["gs_factor"] = self.gs_factor
            if self.time_budget is not None:
                out["time_budget"] = self.time_budget
        out.update(small_cell=self.small_cell, max_record_risk=self.max_record_risk)
        if self.gate_success is not None:
            out.update(max_linkage_success=round(self.gate_success, 6),
                       max_unique_reidentification=self.max_unique_reidentification)
        return out


class NoPrivacy(PrivacyTargets):
    """A policy's ``privacy: none``: no target at all, said in so many words. Its record in the
    manifest is the word ``"none"`` (no k claimed); the risk report still measures at ``REPORT_K``."""

    def record(self) -> str:  # type: ignore[override]
        return "none"


#: The defaults, for signatures that need plain values (``risk_report(k=..., small_cell=...)``).
DEFAULT_TARGETS = PrivacyTargets()
