"""The verdict at the top of every risk report: may this file serve as course material, and why.

Built from measured figures only: with a sanitize run, the release facts of its manifest
(``released``, ``privacy.attack``, ``privacy.attacker_knows``, ``privacy.reached``); with
``anon risk`` alone, the report's own measures (k, unique records, inference). The answer is
*yes* only when every condition holds; the reasons quote the figures (attack success, smallest
group, rows removed) and, when the answer is no, what to do follows. Each of the three questions
(singling out, linkability, inference) gets its advice. Words go through the catalogs
(:mod:`anonymizer.i18n`), numbers through its one formatter; column names are quoted as they are.
"""

from __future__ import annotations

from typing import Any

from anonymizer.i18n import _, language, ngettext, number, percent

#: How many column names a sentence lists before saying "and N other columns".
NAMES_SHOWN = 3

#: Level names of the generalisation ladders (privacy.ladders.FAMILY_LEVELS) in words.
LEVEL_WORDS = {
    "day": lambda: _("day"), "month": lambda: _("month"), "year": lambda: _("year"),
    "5 years": lambda: _("5-year band"), "10 years": lambda: _("10-year band"), "*": lambda: _("hidden (*)"),
    "exact": lambda: _("exact"), "departement": lambda: _("département"), "france": lambda: _("France / abroad"),
    "group": lambda: _("group of countries"), "grouped": lambda: _("grouped"),
}


def level_words(level: str) -> str:
    """A generalisation level in words (the level's own name when it has none)."""
    word = LEVEL_WORDS.get(level)
    return word() if word else level


def _names(columns: list[str]) -> str:
    """Column names as a phrase: ``A, B and C`` or ``A, B, C and 12 other columns``."""
    cols = [str(c) for c in columns]
    if not cols:
        return ""
    if len(cols) == 1:
        return cols[0]
    if len(cols) <= NAMES_SHOWN + 1:  # "and 1 other column" says less than its name
        return _("{first} and {last}").format(first=", ".join(cols[:-1]), last=cols[-1])
    rest = len(cols) - NAMES_SHOWN
    return ngettext("{first} and {n} other column", "{first} and {n} other columns", rest).format(
        first=", ".join(cols[:NAMES_SHOWN]), n=number(rest))


def _attack_sentences(attack: dict[str, Any], known: list[str]) -> list[str]:
    a, t = attack["attacker_known"], attack["thresholds"]
    unique, persons = a["unique_reidentified"], a["persons_attacked"]
    if unique == 0:
        certainty = _("and never with certainty")
    else:
        certainty = ngettext("and with certainty for {n} person out of {total}",
                             "and with certainty for {n} people out of {total}", unique).format(
            n=number(unique), total=number(persons))
    out = [_("Someone who knows {columns} of a person finds that person's row in {mean} of cases on average, "
             "{certainty} (allowed: at most {max_mean} on average and {max_unique} of people with certainty).")
           .format(columns=_names(known), mean=percent(a["mean_success"]), certainty=certainty,
                   max_mean=percent(t["max_mean_success"]), max_unique=percent(t["max_unique_reidentified_share"]))]
    raw = attack.get("same_attack_on_the_input")
    if raw:
        out.append(_("On the original file the same attack succeeds in {mean} of cases on average and finds "
                     "{unique} people with certainty.").format(mean=percent(raw["mean_success"]),
                                                               unique=number(raw["unique_reidentified"])))
    return out


def _group_sentence(k_reached: int | None, k_target: int | None, below: int, kept: int,
                    columns: list[str] | None = None) -> str:
    if kept == 0:
        return _("No row is left to share: every row had to be removed.")
    if k_target and k_reached is not None and k_reached >= k_target:
        if columns:
            return _("Every combination of {columns} is shared by at least {k} rows (target: {target}).").format(
                columns=_names(columns), k=number(k_reached), target=number(k_target))
        return _("Every combination of what such a person knows is shared by at least {k} rows "
                 "(target: {target}).").format(k=number(k_reached), target=number(k_target))
    if k_target:
        return ngettext("{n} row sits in a group smaller than {target} rows (the target), so it can be singled out.",
                        "{n} rows sit in groups smaller than {target} rows (the target), so they can be singled out.",
                        below).format(n=number(below), target=number(k_target))
    return _("No minimum group size was asked for.")


def _removed_sentence(suppressed: int, records: int, reduced: list[tuple[str, str]]) -> str:
    removed = ngettext("{n} row out of {total} was removed", "{n} rows out of {total} were removed",
                       suppressed).format(n=number(suppressed), total=number(records))
    if not reduced:
        return _("{removed}; the other columns an attacker knows are kept as they were.").format(removed=removed)
    parts = ", ".join(f"{name} → {level}" for name, level in reduced)
    return _("{removed}; most rows keep less detail: {parts}.").format(removed=removed, parts=parts)


def _most_common_levels(groups: dict[str, Any]) -> list[tuple[str, str]]:
    """(first column of the group, its most frequent level in words) for groups not kept exact."""
    out = []
    for g in groups.values():
        levels = g.get("levels") or {}
        if not levels:
            continue
        level = max(levels.items(), key=lambda kv: kv[1])[0]
        finest = next(iter(levels))
        if level in ("exact", "day") and level == finest:
            continue
        out.append((str(g["columns"][0]), level_words(level)))
    return out


#: Above this share of its values hidden (``*``) or emptied, a column is reported as mostly lost.
MOSTLY_HIDDEN = 0.5

#: ``generalize`` methods in words (with their parameters).
METHOD_WORDS = {
    "month": lambda p: _("month"), "year": lambda p: _("year"), "departement": lambda p: _("département"),
    "age_band": lambda p: _("age band of {n} years").format(n=number(p.get("width") or 10)),
    "band": lambda p: (_("bands of {n}").format(n=number(p["width"])) if p.get("width") else _("bands")),
    "round": lambda p: _("rounded to {n}").format(n=number(p.get("step") or 1)),
    "top_bottom": lambda p: _("extreme values capped"),
    "prefix": lambda p: _("first {n} characters").format(n=number(p.get("length") or 2)),
    "hierarchy": lambda p: _("hierarchy level {n}").format(n=number(p.get("level", 1))),
}


def _fake_words(entity: str | None) -> str:
    kind = (entity or "").upper()
    if "FIRST_NAME" in kind:
        return _("replaced by a consistent fake first name")
    if "LAST_NAME" in kind or kind == "PERSON":
        return _("replaced by a consistent fake name")
    return _("replaced by a consistent fake value of the same kind")


def action_words(info: dict[str, Any]) -> str:
    """What the policy did to a column (its manifest record: ``action``, ``params``, ``entity``), in words."""
    action, params = info.get("action"), info.get("params") or {}
    if action == "keep":
        return _("kept as is")
    if action == "drop":
        return _("dropped from the file")
    if action == "suppress":
        return _("removed (every value hidden)")
    if action == "generalize":
        method = METHOD_WORDS.get(params.get("method") or "")
        return method(params) if method else _("generalised")
    if action == "fake":
        return _fake_words(info.get("entity"))
    if action == "pseudonymize":
        return _("replaced by a keyed pseudonym (the same value always gets the same one)")
    if action == "shift_dates":
        return _("shifted by up to {n} days, by the same amount for one person").format(
            n=number(params.get("max_days", 180)))
    if action == "noise":
        if params.get("relative") is not None:
            return _("noise of up to ±{share} added").format(share=percent(params["relative"]))
        return _("noise of up to ±{n} added").format(n=number(params.get("absolute") or 0))
    if action == "redact":
        if params.get("mode") == "tag":
            return _("identifying passages replaced by tags")
        return _("identifying passages replaced by fakes of their kind")
    return str(action)


def _levels_words(levels: dict[str, float]) -> str:
    """Released levels in words, the most frequent first: ``month (52,0 %), hidden (*) (48,0 %)``."""
    ordered = sorted(levels.items(), key=lambda kv: -kv[1])
    if len(ordered) == 1:
        return level_words(ordered[0][0])
    return ", ".join(f"{level_words(name)} ({percent(share)})" for name, share in ordered if share > 0)


def column_utility(release: dict[str, Any]) -> list[dict[str, Any]]:
    """Per released column: what was done (in words: the policy's action, or the levels the
    whole-record privacy step released it at) and, of the values present in the input, the shares
    written unchanged, changed (generalised, replaced, shifted...) and hidden (``*`` or emptied).
    ``mostly_hidden`` when more than :data:`MOSTLY_HIDDEN` of them were hidden by something else
    than the policy's own ``suppress``."""
    reached = release.get("reached") or {}
    levels_of: dict[str, dict[str, float]] = {}
    for g in (reached.get("groups") or {}).values():
        levels_of.update(g.get("column_levels") or {})
    swapped = set(((reached.get("swapped") or {}).get("columns")) or [])
    out = []
    for column, info in (release.get("columns") or {}).items():
        action = info.get("action")
        levels = levels_of.get(column)
        if column in swapped:
            done = _("{done}, swapped between rows of the same group").format(
                done=action_words(info) if action != "keep" else _("kept"))
        elif levels and action != "suppress":
            done = _levels_words(levels)
        else:
            done = action_words(info)
        present = int(info.get("present", 0))
        shares: dict[str, float | None] = {"exact": None, "changed": None, "hidden": None}
        if present:
            exact, hidden = int(info.get("exact", 0)) / present, int(info.get("hidden", 0)) / present
            shares = {"exact": round(exact, 4), "changed": round(max(0.0, 1 - exact - hidden), 4),
                      "hidden": round(hidden, 4)}
        mostly = bool(present and action not in ("suppress", "drop") and (shares["hidden"] or 0) > MOSTLY_HIDDEN)
        out.append({"column": str(column), "action": str(action), "done": done, "levels": levels or None,
                    **shares, "mostly_hidden": mostly})
    return out


def _hidden_advice(columns: list[dict[str, Any]]) -> str | None:
    lost = [c["column"] for c in columns if c["mostly_hidden"]]
    if not lost:
        return None
    return _("Most values of {columns} are hidden (*) or empty in the released file. A larger extract keeps more "
             "detail; or review the policy: leave out the columns the course does not need, so that the others "
             "keep theirs.").format(columns=_names(lost))


def _question_advice(report: dict[str, Any]) -> dict[str, str]:
    q = report["questions"]
    single = q["singling_out"]["answer"]
    link = q["linkability"]["answer"]
    inf = q["inference"]
    advice = {}
    empty = report["dataset"]["records_kept"] == 0
    if empty:
        nothing = _("No row is left to measure.")
        return {"singling_out": nothing, "linkability": nothing, "inference": nothing}
    if single in ("yes", "at risk"):
        advice["singling_out"] = _("Some people are alone or nearly alone in their combination: group the "
                                   "columns an attacker knows into wider classes (birth year or age band, "
                                   "département instead of commune), or remove the isolated rows.")
    else:
        advice["singling_out"] = _("Nothing to do: everyone shares their combination with enough other people.")
    if link in ("yes", "at risk"):
        advice["linkability"] = _("Someone who has the original file can link rows back: coarsen the columns "
                                  "an attacker knows further before sharing, and keep the original file private.")
    elif link == "not computed":
        advice["linkability"] = _("Not measured: this needs the original file beside the released one.")
    else:
        advice["linkability"] = _("Linking rows back is unlikely; keep the original file private all the same.")
    if inf["answer"] in ("yes", "at risk"):
        advice["inference"] = _("In many groups everyone has the same value of {column}: anyone who finds a "
                                "person's group learns that value. Release this column in wider classes, or "
                                "make groups larger so each holds several values.").format(
            column=inf.get("worst_attribute") or "")
    elif inf["answer"] == "not computed":
        advice["inference"] = _("Not measured: no sensitive column was named.")
    else:
        advice["inference"] = _("No sensitive value can be deduced with certainty from a person's group.")
    return advice


def build_verdict(report: dict[str, Any], release: dict[str, Any] | None = None) -> dict[str, Any]:
    """The verdict of ``report`` (a risk report), from the run's ``release`` facts when given.

    ``release`` (from ``anon sanitize``): ``released``, ``problems``, ``attacker_knows``,
    ``reached`` and ``attack`` as in the manifest's ``privacy`` section, ``targets`` its targets.
    """
    ds, k = report["dataset"], report["k_anonymity"]
    kept, records = ds["records_kept"], ds["records"]
    reasons: list[str] = []
    todo: list[str] = []
    failed: list[str] = []
    if release is not None:
        attack = release.get("attack")
        reached = release.get("reached") or {}
        known = list(release.get("attacker_knows") or [])
        target = (release.get("targets") or {}).get("k")
        whole = bool(reached.get("groups"))
        if whole:
            k_reached = reached.get("k")
            suppressed = int(reached.get("suppressed_records", 0))
            records = int(reached.get("records", records))
            kept = records - suppressed
            below = 0
        else:
            k_reached, suppressed, below = k["k_achieved"], int(reached.get("suppressed_records", 0)), \
                k["records_below_k"]
            known = known or list(report["parameters"]["quasi_identifiers"])
        if attack:
            reasons += _attack_sentences(attack, known)
            if not attack.get("passed", False):
                failed.append("attack")
        reasons.append(_group_sentence(k_reached, target, below, kept, None if attack else known))
        reasons.append(_removed_sentence(suppressed, records, _most_common_levels(reached.get("groups") or {})))
        if kept == 0:
            failed.append("empty")
        elif target and (k_reached is None or k_reached < target):
            failed.append("k")
        other = [p for p in release.get("problems") or [] if not p.startswith("linkage attack")]
        if other:
            failed.append("verification")
            reasons.append(ngettext("The check of the written file found {n} problem (see the manifest).",
                                    "The check of the written file found {n} problems (see the manifest).",
                                    len(other)).format(n=number(len(other))))
        if not release.get("released", False) and not failed:
            failed.append("verification")
        basis = "release"
    else:
        below, unique = k["records_below_k"], report["prosecutor"]["sample_uniques"]
        reasons.append(_group_sentence(k["k_achieved"], k["k_target"], below, kept,
                                       report["parameters"]["quasi_identifiers"]))
        if kept:
            reasons.append(ngettext("{n} row is alone in its combination of {columns}.",
                                    "{n} rows are alone in their combination of {columns}.", unique).format(
                n=number(unique), columns=_names(report["parameters"]["quasi_identifiers"])))
        if kept == 0:
            failed.append("empty")
        elif not k["satisfied"] or unique:
            failed.append("k")
        basis = "measures"
    inference = report["questions"]["inference"]
    if inference["answer"] == "yes" and kept:
        reasons.append(_("For {column}, {share} of rows have a value shared by their whole group.").format(
            column=inference["worst_attribute"], share=percent(inference["share_certain"])))
    if "attack" in failed:
        todo.append(_("Make the columns an attacker knows coarser (birth year instead of birth date, "
                      "département instead of commune), or leave some of them out of the release in a "
                      "reviewed policy."))
    if "k" in failed or "empty" in failed:
        todo.append(_("The file is too small for the detail it keeps: use a larger extract, or release fewer "
                      "details about each person."))
    if "verification" in failed:
        todo.append(_("Original values were found in the written file: review the policy of the columns the "
                      "manifest names, then run again."))
    columns = column_utility(release) if release is not None else []
    lost = _hidden_advice(columns)
    if lost:
        todo.append(lost)
    usable = not failed
    return {
        "usable_for_training": usable,
        "answer": _("yes") if usable else _("no"),
        "headline": _("This file may be used as training material: {answer}").format(
            answer=_("yes") if usable else _("no")),
        "reasons": reasons,
        "what_to_do": todo,
        "failed": failed,
        "advice": _question_advice(report),
        "columns": columns,
        "basis": basis,
        "language": language(),
    }


def glossary() -> list[tuple[str, str]]:
    """(term, one sentence) for every technical word of the report."""
    return [
        (_("quasi-identifier"), _("A column that does not name a person but helps find them when combined with "
                                  "others: birth date, sex, commune.")),
        (_("group"), _("The rows that share the same values of every quasi-identifier; a person alone in their "
                       "group can be found.")),
        (_("k-anonymity"), _("Every group holds at least k rows, so a person is always confused with at least "
                             "k - 1 others.")),
        (_("suppressed row"), _("A row whose quasi-identifiers are all hidden (*), because it could not join a "
                                "group large enough.")),
        (_("linkage attack"), _("Someone who knows some facts about a person looks for the rows that fit them; "
                                "the success is the chance of picking that person's row.")),
        (_("prosecutor risk"), _("The chance of finding a given person's row when you know they are in the file: "
                                 "one over the size of their group.")),
        (_("journalist risk"), _("The same chance when you do not know whether the person is in the file; it "
                                 "needs the size of the population the file was drawn from.")),
        (_("marketer risk"), _("The share of rows someone would re-identify by matching everyone at once.")),
        (_("population uniques"), _("People who are alone in their group in the whole population, estimated from "
                                    "the file (Pitman, Zayatz, SNB and Dankar models).")),
        (_("ℓ-diversity"), _("Every group holds at least ℓ different values of a sensitive column, so the "
                             "group does not give the value away.")),
        (_("t-closeness"), _("The values of a sensitive column in each group are distributed almost as in the "
                             "whole file (distance at most t).")),
        (_("special unique (SUDA)"), _("A row that is unique on a small combination of columns (a minimal sample "
                                       "unique, MSU); the SUDA score says how risky it is.")),
        (_("TVD"), _("Total variation distance: how much a column's distribution changed, from 0 (same) to 1 "
                     "(nothing in common).")),
        (_("information loss"), _("How much detail a column lost, from 0 (kept as is) to 1 (nothing left).")),
    ]


def add_verdict(report: dict[str, Any], release: dict[str, Any] | None = None) -> dict[str, Any]:
    """Put the verdict (and the release facts it rests on, when given) into ``report``; return it.
    An input's own report (``report["original"]``) gets none: it is not what is shared."""
    if release is not None:
        report["release"] = release
    report["verdict"] = build_verdict(report, release)
    return report
