"""``risk_report``: every measure of the package in one JSON-able dict (schema: rules/schemas/risk.schema.json).

The report names columns and gives counts and shares; it never holds a value from the data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from anonymizer import __version__
from anonymizer.errors import UsageError
from anonymizer.i18n import N_, _, number, percent
from anonymizer.risk.classes import classes_from_codes, encode_table
from anonymizer.risk.diversity import diversity, numeric_order
from anonymizer.risk.measures import (
    journalist_risk,
    k_anonymity,
    marketer_risk,
    prosecutor_risk,
    small_cells,
)
from anonymizer.risk.population import population_size, population_uniqueness
from anonymizer.risk.sdcmicro import MISSING_RULES, read_weights, weighted_risk
from anonymizer.risk.suda import special_uniques
from anonymizer.risk.utility import column_utility, linkability
from anonymizer.settings import DEFAULT_TARGETS, REPORT_K

SCHEMA_VERSION = 1
MISSING_RULE = (
    "A missing cell (empty, NaN, or only '*') is a value of its own, '*', equal to other missing cells "
    "of the column and to no real value (ARX's rule; never less risk than sdcMicro's wildcard rule). "
    "Records whose quasi-identifiers are all missing count as suppressed (removed) and are left out of "
    "the classes."
)
SUDA_MAX_ROWS = 2_000_000  # above this SUDA is skipped (cost grows with rows × column combinations)


def _check_columns(df: pd.DataFrame, cols: Sequence[str], what: str) -> list[str]:
    cols = list(cols)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise UsageError(_('unknown {what} column(s): {missing} (the table has {columns} columns)').format(what=_(what), missing=', '.join(missing), columns=len(df.columns)))
    if len(set(cols)) != len(cols):
        raise UsageError(_('a {what} column is named twice').format(what=_(what)))
    return cols


def _pct(x: float) -> str:
    return percent(x)


def _questions(rep: dict, link: dict | None) -> dict:
    """WP29 Opinion 05/2014's three questions, in plain words with numbers."""
    n = rep["dataset"]["records_kept"]
    pros = rep["prosecutor"]
    k = rep["k_anonymity"]
    su = pros["sample_uniques"]
    single = {
        "answer": "yes" if su else ("at risk" if k["records_below_k"] else "no"),
        "records_unique": su,
        "share_unique": pros["share_sample_uniques"],
        "records_below_k": k["records_below_k"],
        "text": _("{unique} of {n} records ({share}) are alone in their combination of quasi-identifiers and can "
                  "be singled out; {below} records sit in groups smaller than k = {k}.").format(
            unique=number(su), n=number(n), share=_pct(pros["share_sample_uniques"]),
            below=number(k["records_below_k"]), k=number(k["k_target"])),
    }
    if n == 0:  # every record suppressed: nothing can be singled out, nor said about groups
        single = {"answer": "not computed", "records_unique": 0, "share_unique": 0.0, "records_below_k": 0,
                  "text": _("No record is left: every record was suppressed.")}
    if link is None or not link.get("computed"):
        reason = _("no original table given") if link is None else link["reason"]
        linkq = {"answer": "not computed", "text": _("Linkability not computed: {reason}.").format(reason=reason),
                 "share_linked_exact": None, "share_linked_knowing_generalisation": None}
    else:
        gen = pros["average"]
        worst = max(link["share_linked_exact"], gen)
        linkq = {
            "answer": "yes" if worst > 0.5 else ("at risk" if worst > 0.05 else "low"),
            "share_linked_exact": link["share_linked_exact"],
            "share_linked_knowing_generalisation": gen,
            "text": _("An attacker holding the original quasi-identifiers links {exact} of released records back "
                      "by exact match, and {gen} on average if they also know how values were generalised.").format(
                exact=_pct(link["share_linked_exact"]), gen=_pct(gen)),
        }
    worst_attr, worst = None, None
    for col, d in rep["sensitive"].items():
        inf = d["inference"]
        if worst is None or inf["share_near_certain"] > worst["share_near_certain"]:
            worst_attr, worst = col, inf
    if worst is None:
        none_left = n == 0 and rep["parameters"]["sensitive"]
        infq = {"answer": "not computed",
                "text": _("No record is left: every record was suppressed.") if none_left
                else _("No sensitive column given: inference not measured."),
                "worst_attribute": None}
    else:
        infq = {
            "answer": "yes" if worst["share_certain"] > 0.05 else ("at risk" if worst["share_near_certain"] > 0 else "no"),
            "worst_attribute": worst_attr,
            "share_certain": worst["share_certain"],
            "share_near_certain": worst["share_near_certain"],
            "text": _("For '{column}', {certain} of records have a value shared by their whole group (certain) and "
                      "{near} by at least {threshold} of it (near-certain).").format(
                column=worst_attr, certain=_pct(worst["share_certain"]), near=_pct(worst["share_near_certain"]),
                threshold=_pct(worst["near_threshold"])),
        }
    return {"singling_out": single, "linkability": linkq, "inference": infq}


def with_attack(rep: dict, attack: dict, coverage: dict) -> dict:
    """The report of a release completed with its gate's linkage attack (``attack.release``) and
    what the attacker was assumed to know: the linkability answer then follows from the attack
    figures, not from the key variables alone (issue #16 item 8)."""
    a = attack["attacker_known"]
    t = attack["thresholds"]
    raw = attack.get("same_attack_on_the_input") or {}
    known = coverage.get("attacker_knows") or []
    left = coverage.get("left_out") or {}
    passed = bool(attack.get("passed"))
    answer = "low" if passed else ("yes" if a["unique_reidentified_share"] > 0.05 else "at risk")
    text = (f"An attacker holding a person's original values of the {len(known)} column(s) an acquaintance knows "
            f"finds their record with {_pct(a['mean_success'])} probability on average (at most "
            f"{_pct(t['max_mean_success'])} allowed); {a['unique_reidentified']} of {a['persons_attacked']} people "
            f"are found alone and correctly (at most {_pct(t['max_unique_reidentified_share'])} allowed).")
    if raw:
        text += (f" The same attack on the input finds {_pct(raw['mean_success'])} on average "
                 f"({raw['unique_reidentified']} alone).")
    if left:
        text += f" Not covered: {', '.join(sorted(left))} (see coverage)."
    rep = dict(rep)
    rep["attack"] = attack
    rep["coverage"] = {"attacker_knows": list(known), "key_variables": list(coverage.get("key_variables") or []),
                       "swapped": list(coverage.get("swapped") or []), "left_out": dict(left)}
    questions = dict(rep["questions"])
    questions["linkability"] = {
        "answer": answer, "text": text, "mean_success": a["mean_success"],
        "unique_reidentified_share": a["unique_reidentified_share"],
        "share_linked_exact": rep["questions"]["linkability"].get("share_linked_exact"),
        "share_linked_knowing_generalisation": rep["questions"]["linkability"].get(
            "share_linked_knowing_generalisation"),
    }
    rep["questions"] = questions
    return rep


def risk_report(df: pd.DataFrame, qi: Sequence[str], sensitive: Sequence[str] = (), *, population: int | None = None,
                sampling_fraction: float | None = None, k: int = REPORT_K, small_cell: int = DEFAULT_TARGETS.small_cell,
                threshold: float = DEFAULT_TARGETS.max_record_risk,
                original: pd.DataFrame | None = None, l_c: float = 3.0, near_certain: float = 0.9,
                suda_max_size: int = 3, weights: str | None = None, missing: str = "value", progress=None) -> dict:
    """Re-identification risk and utility report of ``df`` on quasi-identifiers ``qi``.

    ``population`` (N) or ``sampling_fraction`` (n / N) enable population uniqueness and the
    journalist model; ``original`` (the input, rows aligned with ``df``) enables linkability, utility
    and a before/after comparison (``report["original"]`` is the input's own report).
    ``weights`` (a column of sampling weights) and/or ``missing="wildcard"`` add the ``sdcmicro``
    section: sdcMicro's f_k, F_k, individual and global risk (``risk.sdcmicro``).
    ``progress`` is an optional callable ``progress(step: str)``.
    """
    qi = _check_columns(df, qi, N_("quasi-identifier"))
    sensitive = _check_columns(df, sensitive, N_("sensitive"))
    if not qi:
        raise UsageError(_("no quasi-identifier column given (use --qi or a policy file)"))
    overlap = set(qi) & set(sensitive)
    if overlap:
        raise UsageError(_('column(s) both quasi-identifier and sensitive: {items}').format(items=', '.join(sorted(overlap))))
    if population is not None and sampling_fraction is not None:
        raise UsageError(_("give either a population size or a sampling fraction, not both"))
    if sampling_fraction is not None and not (0 < sampling_fraction <= 1):
        raise UsageError(_("the sampling fraction must be in (0, 1]"))
    if k < 1 or small_cell < 1 or not (0 < threshold <= 1):
        raise UsageError(_("k and the small-cell threshold must be >= 1 and the risk threshold in (0, 1]"))
    if weights is not None:
        _check_columns(df, [weights], N_("weight"))
        if weights in qi:
            raise UsageError(_('the weight column {weights!r} is also a quasi-identifier').format(weights=weights))
    if missing not in MISSING_RULES:
        raise UsageError(_('the missing rule must be one of {MISSING_RULES}').format(MISSING_RULES=', '.join(MISSING_RULES)))
    step = progress or (lambda _s: None)
    n = len(df)
    if population is not None and (population < 1 or population < n):
        raise UsageError(_('the population size ({population}) is smaller than the table ({n} records)').format(population=population, n=n))
    step("classes")
    codes, cards = encode_table(df, qi)
    cl = classes_from_codes(codes, cards, n)
    kept = cl.kept
    n_kept = cl.n_kept
    rep: dict = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "anon", "version": __version__},
        "parameters": {"quasi_identifiers": qi, "sensitive": sensitive, "k": int(k), "small_cell": int(small_cell),
                       "threshold": float(threshold), "population": population,
                       "sampling_fraction": sampling_fraction, "l_recursive_c": float(l_c),
                       "near_certain": float(near_certain), "suda_max_size": int(suda_max_size),
                       "missing_rule": MISSING_RULE},
        "dataset": {"records": int(n), "records_kept": n_kept, "suppressed_records": cl.n_suppressed,
                    "quasi_identifiers": len(qi), "sensitive": len(sensitive),
                    "missing_qi_cells": {c: int((code == 0).sum()) for c, code in zip(qi, codes, strict=True)}},
    }
    rec_sizes = cl.record_sizes()
    rep["k_anonymity"] = k_anonymity(cl.sizes, k)
    rep["prosecutor"] = prosecutor_risk(rec_sizes, threshold)
    # the sampling fraction describes the drawn sample, suppressed records included: N = n / f
    N = population_size(n, population, sampling_fraction)
    sf = (n_kept / N) if N else None
    rep["journalist"] = journalist_risk(rec_sizes, sf)
    rep["marketer"] = marketer_risk(rec_sizes, sf)
    step("population")
    if N and n_kept:
        rep["population_uniqueness"] = {"computed": True, **population_uniqueness(cl.sizes, N)}
    else:
        rep["population_uniqueness"] = {"computed": False, "reason": (
            "no record left" if not n_kept else "population unknown")}
    rep["small_cells"] = small_cells(cl.sizes, small_cell)
    if weights is not None or missing != "value":
        step("weighted risk")
        w = read_weights(df[weights], weights) if weights is not None else None
        rep["sdcmicro"] = weighted_risk(codes, w, missing=missing, k=k, threshold=threshold, weight_column=weights)

    step("diversity")
    cid = cl.class_id[kept]
    rep["sensitive"] = {}
    for col in sensitive if n_kept else ():  # no record left: nothing to infer
        scodes, m, ordered = numeric_order(df[col])
        rep["sensitive"][col] = diversity(cid, cl.sizes, scodes[kept], m, ordered=ordered, c=l_c, near=near_certain)
        del scodes

    step("special uniques")
    if n_kept == 0:
        rep["special_uniques"] = {"computed": False, "reason": "no record left"}
    elif n_kept > SUDA_MAX_ROWS:
        rep["special_uniques"] = {"computed": False, "reason": f"more than {SUDA_MAX_ROWS} records"}
    else:
        pu = rep["population_uniqueness"]
        dis = 1.0
        if pu["computed"] and pu["dankar"]["uniques"] is not None and pu["sample_uniques"]:
            dis = min(1.0, pu["dankar"]["uniques"] * (pu["sampling_fraction"]) / pu["sample_uniques"])
        sud = special_uniques([c[kept] for c in codes], cards, qi, max_size=suda_max_size, dis=dis)
        sud.pop("_record_scores", None)
        rep["special_uniques"] = {"computed": True, **sud}

    link = None
    rep["utility"] = None
    rep["original"] = None
    # the per-record arrays are done with: free them before the input's own report builds its
    # twins (on 5M records they held ~300 MB through it)
    del codes, cl, kept, rec_sizes, cid
    if original is not None:
        step("before/after")
        _check_columns(original, qi, N_("quasi-identifier (in the original table)"))
        _check_columns(original, sensitive, N_("sensitive (in the original table)"))
        aligned = len(original) == len(df)
        link = linkability(original, df, qi)
        common = [c for c in df.columns if c in original.columns]
        rep["utility"] = {
            "aligned": aligned,
            "records_before": int(len(original)),
            "records_after": int(len(df)),
            "records_removed": int(max(0, len(original) - len(df))),
            "columns": {c: column_utility(original[c], df[c], aligned=aligned) for c in common},
            "columns_dropped": [c for c in original.columns if c not in df.columns],
        }
        orig_rep = risk_report(original, qi, sensitive, population=population, sampling_fraction=sampling_fraction,
                               k=k, small_cell=small_cell, threshold=threshold, l_c=l_c,
                               near_certain=near_certain, suda_max_size=suda_max_size,
                               weights=weights if weights in original.columns else None, missing=missing)
        rep["original"] = orig_rep  # its own "original" and "utility" are null
    rep["questions"] = _questions(rep, link)
    rep["summary"] = _summary(rep)
    return _jsonable(rep)


def _summary(rep: dict) -> dict:
    k = rep["k_anonymity"]
    p = rep["prosecutor"]
    return {
        "k_achieved": k["k_achieved"],
        "k_satisfied": k["satisfied"],
        "highest_risk": p["highest"],
        "average_risk": p["average"],
        "records_above_threshold": p["records_above_threshold"],
        "risk_below_threshold": p["highest"] <= p["threshold"],
        "sample_uniques": p["sample_uniques"],
        "small_cells": rep["small_cells"]["classes_under_threshold"],
    }


def _jsonable(obj):
    """Plain Python types only (numpy scalars -> int/float, NaN -> None), so json.dumps never fails."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    return obj



