"""The CLI job: search + apply + a JSON-able report (``anon sanitize --hierarchies DIR --k 5 ...``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from anonymizer.errors import PrivacyTargetError, UsageError
from anonymizer.i18n import _
from anonymizer.privacy.hierarchy import Hierarchy, load_hierarchies
from anonymizer.privacy.lattice import apply_transformation, search
from anonymizer.privacy.metrics import GS_FACTOR
from anonymizer.privacy.models import kmap_derived_k


def anonymize_with_hierarchies(
    df: pd.DataFrame, *, hierarchies: dict[str, Hierarchy] | str | Path, k: int | None = None,
    l: float | None = None, l_variant: str = "distinct", c: float | None = None,  # noqa: E741
    t: float | None = None, t_variant: str = "equal", sensitive: str | None = None,
    max_suppression: float = 0.0, metric: str = "loss", time_budget: float | None = None,
    drop_suppressed: bool = False, l_estimator: str = "shannon", beta: float | None = None,
    beta_variant: str = "enhanced", gs_factor: float = GS_FACTOR, k_map: int | None = None,
    k_map_estimator: str = "poisson", significance: float = 0.01, population: int | None = None,
    sampling_fraction: float | None = None, delta_presence: tuple[float, float] | list[float] | None = None,
    population_table: pd.DataFrame | str | Path | None = None, max_average_risk: float | None = None,
    max_sample_uniques: float | None = None, max_population_uniques: float | None = None,
    population_model: str = "dankar",
) -> tuple[pd.DataFrame, dict]:
    """Find the optimal transformation, apply it, and report what was done.

    ``hierarchies`` is a dict or a folder of ARX files (``*_hierarchy_<column>.csv``). Hierarchies of
    columns absent from the table are ignored (listed in the report); a hierarchy for the sensitive
    column is not a quasi-identifier. Suppressed records keep their row with ``*`` in every
    quasi-identifier (ARX's output), or are dropped with ``drop_suppressed``.
    ``k_map`` with ``population`` (N) or ``sampling_fraction`` (n/N): k-map estimated as ARX's KMap with a
    CellSizeEstimator (``models.kmap_derived_k``), enforced as k'-anonymity (the larger of k and k').
    ``delta_presence`` = (δmin, δmax) with ``population_table`` (a DataFrame or a file): ``df`` is the research
    subset released, drawn from that table (ARX's DPresence with a DataSubset).
    ``max_average_risk``, ``max_sample_uniques``, ``max_population_uniques`` (with ``population_model`` and
    ``population`` or ``sampling_fraction``): ARX's risk-based models (AverageReidentificationRisk,
    SampleUniqueness, PopulationUniqueness), judged on the records released.
    Raises PrivacyTargetError when no transformation meets the targets within the suppression limit.
    """
    if not isinstance(hierarchies, dict):
        hierarchies = load_hierarchies(hierarchies)
    ignored = sorted(col for col in hierarchies if col not in df.columns)
    used = {col: h for col, h in hierarchies.items() if col in df.columns and col != sensitive}
    if not used:
        raise UsageError(_("none of the hierarchy columns is a column of the table"))
    derived_k = None
    if k_map is not None:
        derived_k = kmap_derived_k(int(k_map), len(df), _population(len(df), population, sampling_fraction),
                                   significance, k_map_estimator)
    k_search = max(int(k or 1), derived_k) if derived_k is not None else k
    n_people = (_population(len(df), population, sampling_fraction)
                if max_population_uniques is not None else None)
    # the sensitive column's own hierarchy is no quasi-identifier, but hierarchical t-closeness uses it
    given = {**used, **({sensitive: hierarchies[sensitive]} if sensitive in hierarchies else {})}
    if population_table is not None and not isinstance(population_table, pd.DataFrame):
        from anonymizer.io import read_table

        population_table = read_table(Path(population_table)).df
    delta = tuple(float(x) for x in delta_presence) if delta_presence is not None else None
    result = search(df, given, delta=delta, population_table=population_table, k=k_search, l=l, l_variant=l_variant, c=c, t=t, t_variant=t_variant, sensitive=sensitive,
                    max_suppression=max_suppression, metric=metric, time_budget=time_budget,
                    l_estimator=l_estimator, beta=beta, beta_variant=beta_variant, gs_factor=gs_factor,
                    avg_risk=max_average_risk, sample_uniques=max_sample_uniques,
                    population_uniques=max_population_uniques, population_model=population_model,
                    population=n_people)
    targets = {"k": k, "l": l, "l_variant": l_variant if l is not None else None,
               "l_estimator": l_estimator if l is not None and l_variant == "entropy" else None,
               "c": c if l_variant == "recursive" else None, "t": t,
               "t_variant": t_variant if t is not None else None, "beta": beta,
               "beta_variant": beta_variant if beta is not None else None, "sensitive": sensitive,
               "max_suppression": max_suppression,
               "gs_factor": gs_factor if metric == "loss" and gs_factor != GS_FACTOR else None}
    if delta is not None:
        targets["delta_presence"] = list(delta)
    if k_map is not None:
        targets.update(k_map=k_map, k_map_estimator=k_map_estimator, significance=significance,
                       k_map_derived_k=derived_k, population=population, sampling_fraction=sampling_fraction)
    for name, value in (("max_average_risk", max_average_risk), ("max_sample_uniques", max_sample_uniques)):
        if value is not None:
            targets[name] = value
    if max_population_uniques is not None:
        targets.update(max_population_uniques=max_population_uniques, population_model=population_model,
                       population_size=n_people)
    if not result.feasible:
        raise PrivacyTargetError(
            _('no generalisation of {used} quasi-identifier(s) meets the targets with at most {max_suppressed} suppressed record(s) ({max_suppression:.2%}); raise --max-suppression, add hierarchy levels or relax the targets').format(used=len(used), max_suppressed=result.max_suppressed, max_suppression=max_suppression)
        )
    out = apply_transformation(df, used, result.levels, suppress_rows=result.suppressed_rows,
                               drop_suppressed=drop_suppressed)
    report = {
        "method": "full-domain generalisation with record suppression (ARX model)",
        "targets": targets,
        **result.to_dict(),
        "suppressed_records_handling": "dropped" if drop_suppressed else "quasi-identifiers set to '*'",
        "hierarchy_heights": {col: used[col].height for col in result.quasi_identifiers},
        "ignored_hierarchies": ignored,
    }
    return out, report


def _population(n: int, population: int | None, sampling_fraction: float | None) -> int:
    """N for the population models: given, or n / f rounded (ARX's ``ARXPopulationModel``)."""
    if population is not None and sampling_fraction is not None:
        raise UsageError(_("give either a population size or a sampling fraction, not both"))
    if population is not None:
        if population < n:
            raise UsageError(_('the population ({population:,}) is smaller than the table ({n:,} records)').format(population=population, n=n))
        return int(population)
    if sampling_fraction is not None:
        if not 0 < sampling_fraction <= 1:
            raise UsageError(_("the sampling fraction must be in ]0, 1]"))
        return int(round(n / sampling_fraction))
    raise UsageError(_("k-map and the population risk models need --population N or --sampling-fraction F"))
