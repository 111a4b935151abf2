"""Terminal summary of a risk report (rich): the numbers a steward needs to sign off, in one screen."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from anonymizer.i18n import _, number, percent


def _pct(x: float | None) -> str:
    return percent(x)


def _n(x: int | None) -> str:
    return number(x)


def render_verdict(verdict: dict, console: Console) -> None:
    """The verdict first: the answer in colour, its reasons, what to do when it is no."""
    colour = "green" if verdict["usable_for_training"] else "red"
    console.print(f"[bold {colour}]{escape(verdict['headline'])}[/bold {colour}]", highlight=False)
    for line in verdict["reasons"]:
        console.print(f"  {escape(line)}", highlight=False)
    changed = [c for c in verdict.get("columns") or [] if c["action"] != "keep" or c["exact"] not in (1.0, None)]
    if changed:  # the columns kept as they were are not listed: the HTML report has every column
        t = Table(show_header=True, header_style="bold", title=_("What each column keeps"))
        for name, justify in ((_("column"), "left"), (_("what was done"), "left"), (_("unchanged"), "right"),
                              (_("changed"), "right"), (_("hidden"), "right")):
            t.add_column(name, justify=justify)  # type: ignore[arg-type]
        for c in changed:
            style = "yellow" if c["mostly_hidden"] else ""
            t.add_row(escape(c["column"]), escape(c["done"] + (" — " + _("mostly hidden") if c["mostly_hidden"] else "")),
                      _pct(c["exact"]), _pct(c["changed"]), _pct(c["hidden"]), style=style)
        console.print(t)
    if verdict["what_to_do"]:
        console.print(f"[bold]{escape(_('What to do'))}[/bold]", highlight=False)
        for line in verdict["what_to_do"]:
            console.print(f"  • {escape(line)}", highlight=False)
    console.print()


def render_terminal(report: dict, console: Console | None = None) -> None:
    """Print the verdict, then the summary: k, risks, population uniques, ℓ/t, SUDA, the three
    questions with their advice, before/after."""
    console = console or Console()
    if report.get("verdict"):
        render_verdict(report["verdict"], console)
    ds, k, p = report["dataset"], report["k_anonymity"], report["prosecutor"]
    params = report["parameters"]
    console.print(f"[bold]{escape(_('Re-identification risk'))}[/bold] — " + escape(
        _("{n} records ({hidden} with every quasi-identifier hidden), {q} quasi-identifiers").format(
            n=_n(ds["records"]), hidden=_n(ds["suppressed_records"]), q=_n(len(params["quasi_identifiers"])))),
        highlight=False)
    t = Table(show_header=True, header_style="bold")
    t.add_column(_("measure"))
    t.add_column(_("value"), justify="right")
    if report.get("original"):
        t.add_column(_("input"), justify="right")
    o = report.get("original")
    empty = ds["records_kept"] == 0

    def row(name: str, val: str, orig: str | None = None) -> None:
        t.add_row(escape(name), escape(val), *([escape(orig or "")] if o else []))

    ok = "green" if k["satisfied"] else "red"
    t.add_row(escape(_("smallest group (target k = {k})").format(k=_n(k["k_target"]))),
              f"[{ok}]{'—' if empty else _n(k['k_achieved'])}[/{ok}]", *([_n(o["k_anonymity"]["k_achieved"])] if o else []))
    row(_("records below k"), _n(k["records_below_k"]), o and _n(o["k_anonymity"]["records_below_k"]))
    row(_("records alone in their group"), _n(p["sample_uniques"]), o and _n(o["prosecutor"]["sample_uniques"]))
    row(_("highest risk (prosecutor)"), _pct(p["highest"]), o and _pct(o["prosecutor"]["highest"]))
    row(_("average risk (prosecutor)"), _pct(p["average"]), o and _pct(o["prosecutor"]["average"]))
    row(_("records above {threshold}").format(threshold=_pct(p["threshold"])), _n(p["records_above_threshold"]),
        o and _n(o["prosecutor"]["records_above_threshold"]))
    row(_("journalist risk (highest / average)"),
        f"{_pct(report['journalist']['highest'])} / {_pct(report['journalist']['average'])}")
    row(_("marketer risk"), _pct(report["marketer"]["average"]))
    sc = report["small_cells"]
    row(_("groups under {n} records (small groups)").format(n=_n(sc["threshold"])), _n(sc["classes_under_threshold"]),
        o and _n(o["small_cells"]["classes_under_threshold"]))
    pu = report["population_uniqueness"]
    if pu["computed"]:
        est = ", ".join(f"{m} {_pct(e['share'])}" for m, e in pu["estimates"].items())
        row(_("population uniques (Dankar)"), f"{_pct(pu['dankar']['share'])} [{pu['dankar']['model']}]")
        row("  " + _("estimates (share of population)"), est)
    sdc = report.get("sdcmicro")
    if sdc:
        how = f"weights '{sdc['weights']}'" if sdc["weights"] else "no weights"
        row(f"global risk (sdcMicro, {how}, missing={sdc['missing']})",
            f"{sdc['global_risk']:.8f} ({sdc['expected_reidentifications']:.4f} re-identifications expected)")
        row("  highest individual risk (sdcMicro)", _pct(sdc["individual_risk"]["highest"]))
    for col, d in report["sensitive"].items():
        tc = d["t_closeness"]
        tt = f"t={number(tc['equal']['max'], 3)}" + (
            f" / {_('ordered')} {number(tc['ordered']['max'], 3)}" if "ordered" in tc else "")
        row(_("sensitive '{column}'").format(column=col),
            _("ℓ={l} (entropy {entropy}, recursive {recursive}), {t}").format(
                l=_n(d["l_distinct"]), entropy=number(d["l_entropy"], 2), recursive=d["l_recursive"]["l"], t=tt))
    su = report["special_uniques"]
    if su["computed"]:
        row(_("records with an MSU (≤ {n} columns)").format(n=su["max_msu_size"]), _n(su["records_with_msu"]))
        if su["combinations"]:
            top = su["combinations"][0]
            row("  " + _("most frequent MSU"), f"{' + '.join(top['columns'])} ({_n(top['records'])})")
    console.print(t)
    from anonymizer.report.html import answer_words

    titles = (("singling_out", _("Singling out")), ("linkability", _("Linkability")), ("inference", _("Inference")))
    for key, title in titles:
        q = report["questions"][key]
        colour = {"yes": "red", "at risk": "yellow", "no": "green", "low": "green"}.get(q["answer"], "dim")
        console.print(f"[bold]{escape(title)}[/bold]: [{colour}]{escape(answer_words(q['answer']))}[/{colour}] — "
                      f"{escape(q['text'])}", highlight=False)
        advice = (report.get("verdict") or {}).get("advice", {}).get(key)
        if advice:
            console.print(f"  → {escape(advice)}", highlight=False)
