"""Enforce the plan's privacy targets after the column actions: generalise the key
quasi-identifiers further (full-domain generalisation over their hierarchies, the optimal
search of ``anonymizer.privacy``) and suppress the records left in too-small classes.

Split in two so that it streams: ``solve`` needs only the quasi-identifier columns of the
whole table (the global frequency table); ``apply_solution`` then works batch by batch.
Suppressed records keep their row but every key quasi-identifier becomes ``*`` (ARX's
record suppression, Prasser et al., "ARX - A Comprehensive Tool for Anonymizing
Biomedical Data", AMIA 2014).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from anonymizer.errors import PrivacyTargetError, UsageError
from anonymizer.i18n import _
from anonymizer.io import as_text
from anonymizer.settings import PrivacyTargets

SUPPRESSED = "*"


@dataclass
class PrivacySolution:
    qi: list[str]
    levels: dict[str, int]
    hierarchies: dict[str, Any]
    suppressed_keys: set[tuple[str, ...]]
    report: dict[str, Any] = field(default_factory=dict)


def _generalized(frame: pd.DataFrame, solution_qi: list[str], hierarchies, levels) -> pd.DataFrame:
    return pd.DataFrame(
        {c: _generalize_column(frame[c], hierarchies[c], levels[c]) for c in solution_qi}, index=frame.index
    )


def _generalize_column(col: pd.Series, hierarchy, level: int) -> pd.Series:
    """A column generalised to ``level``. A categorical (pass A's gathered columns) is
    generalised through its categories only and stays categorical: generalising the 5
    million cells as text materialised one Python string per cell, 1 GB for 4 columns."""
    if not isinstance(col.dtype, pd.CategoricalDtype):
        return hierarchy.generalize(as_text(col), level)
    codes = col.cat.codes.to_numpy()
    cats = as_text(pd.Series(np.asarray(col.cat.categories, dtype=object))).to_numpy(dtype=object)
    if (codes < 0).any():
        cats, codes = np.append(cats, ""), np.where(codes < 0, len(cats), codes)
    general = np.asarray(hierarchy.generalize(pd.Series(cats, dtype=object), level), dtype=object)
    gcodes, guniques = pd.factorize(general)
    return pd.Series(pd.Categorical.from_codes(gcodes[codes], categories=pd.Index(guniques, dtype=object)),
                     index=col.index)


def _suppressed_mask(gen: pd.DataFrame, qi: list[str], keys: set[tuple[str, ...]]) -> np.ndarray:
    """Rows whose generalised key is one of ``keys``, by integer codes (no tuple per row)."""
    table = np.array(list(keys), dtype=object).reshape(len(keys), len(qi))
    row_key = np.zeros(len(gen), dtype=np.int64)
    wanted = np.zeros(len(keys), dtype=np.int64)
    known = np.ones(len(keys), dtype=bool)
    span = 1
    for j, c in enumerate(qi):
        codes, uniques = pd.factorize(as_text(gen[c]) if not isinstance(gen[c].dtype, pd.CategoricalDtype) else gen[c])
        idx = pd.Index(np.asarray(uniques, dtype=object)).get_indexer(table[:, j])
        known &= idx >= 0
        radix = len(uniques) + 1
        span *= radix
        if span > 2**62:  # too many combinations for one integer: compare tuples instead
            rows = pd.Series(list(zip(*(as_text(gen[q]) for q in qi), strict=True)), index=gen.index)
            return rows.isin(keys).to_numpy()
        row_key = row_key * radix + codes
        wanted = wanted * radix + idx
    return np.isin(row_key, wanted[known])


def solve(qi_frame: pd.DataFrame, entities: dict[str, str | None], targets: PrivacyTargets | dict[str, Any],
          sensitive: pd.DataFrame | None = None) -> PrivacySolution | None:
    """Find the generalisation levels and the classes to suppress, or raise when unreachable."""
    targets = PrivacyTargets.of(targets)
    if targets.k_map is not None or targets.delta_presence is not None or targets.risk_based:
        raise UsageError(_("k-map, delta-presence and the risk thresholds are enforced by the hierarchies search "
                           "only: anon sanitize --hierarchies DIR"))
    k = targets.k
    qi = [c for c in targets.quasi_identifiers if c in qi_frame.columns]
    if not k or not qi:
        return None
    from anonymizer.privacy import default_hierarchy, search

    hierarchies = {c: default_hierarchy(as_text(qi_frame[c]), entities.get(c)) for c in qi}
    # categoricals (pass A's gathered columns) go in as they are: the search reads their codes
    frame = pd.DataFrame({c: qi_frame[c] if isinstance(qi_frame[c].dtype, pd.CategoricalDtype)
                          else as_text(qi_frame[c]) for c in qi}, index=qi_frame.index)
    kwargs: dict[str, Any] = {
        "k": int(k),
        "max_suppression": targets.max_suppression,
        "metric": targets.metric,
        "time_budget": targets.time_budget,
        "gs_factor": targets.gs_factor,
    }
    if (targets.l or targets.t is not None or targets.beta is not None) and sensitive is not None and len(sensitive.columns):
        scol = sensitive.iloc[:, 0]
        scol = scol if isinstance(scol.dtype, pd.CategoricalDtype) else as_text(scol)
        frame = frame.join(pd.DataFrame({sensitive.columns[0]: scol}, index=frame.index))
        kwargs["sensitive"] = sensitive.columns[0]
        if targets.l:
            kwargs.update(l=targets.l, l_variant=targets.l_variant, l_estimator=targets.l_estimator)
            if targets.c:
                kwargs["c"] = targets.c
        if targets.t is not None:
            kwargs.update(t=targets.t, t_variant=targets.t_variant)
        if targets.beta is not None:
            kwargs.update(beta=targets.beta, beta_variant=targets.beta_variant)
    result = search(frame, hierarchies, **kwargs)
    levels = result.levels
    if not levels:
        raise PrivacyTargetError(
            _('k={k} cannot be reached on {qi} within {max_suppression:.1%} suppression (raise --max-suppression, lower k, or remove a quasi-identifier from privacy.quasi_identifiers)').format(k=k, qi=', '.join(qi), max_suppression=kwargs['max_suppression'])
        )
    gen = _generalized(qi_frame, qi, hierarchies, levels)
    # the search's own verdict per row: classes violating k, and l or t when asked
    mask = np.asarray(result.suppressed_rows, dtype=bool)
    suppressed_keys = set(gen.loc[mask, qi].itertuples(index=False, name=None))
    report = {
        "k": int(k),
        "quasi_identifiers": qi,
        "levels": {c: int(levels[c]) for c in qi},
        "heights": {c: int(hierarchies[c].height) for c in qi},
        "suppressed_records": int(result.suppressed),
        "classes": int(result.classes),
        "information_loss": result.information_loss,
        "exact": bool(result.exact),
        # "optimal", or why not proven: "best found within the time budget, not proven optimal" / "heuristic"
        "search": result.to_dict()["search"],
        "metric": kwargs["metric"],
        "max_suppression": kwargs["max_suppression"],
    }
    return PrivacySolution(qi, {c: int(levels[c]) for c in qi}, hierarchies, suppressed_keys, report)


def apply_solution(batch: pd.DataFrame, solution: PrivacySolution | None) -> pd.DataFrame:
    """Generalise the key quasi-identifiers of a batch and star the records in small classes."""
    if solution is None:
        return batch
    out = batch.copy()
    gen = _generalized(batch, solution.qi, solution.hierarchies, solution.levels)
    if solution.suppressed_keys:
        mask = _suppressed_mask(gen, solution.qi, solution.suppressed_keys)
        for c in solution.qi:
            if isinstance(gen[c].dtype, pd.CategoricalDtype):
                col = gen[c].cat.add_categories([SUPPRESSED]) if SUPPRESSED not in gen[c].cat.categories else gen[c]
                gen[c] = col.where(~mask, SUPPRESSED)
            else:
                gen.loc[mask, c] = SUPPRESSED
    for c in solution.qi:
        out[c] = gen[c].astype(batch[c].dtype) if batch[c].dtype == object else gen[c]
    return out
