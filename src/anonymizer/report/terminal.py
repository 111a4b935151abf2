"""Terminal summary of a risk report (rich): the numbers a steward needs to sign off, in one screen."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _pct(x: float | None) -> str:
    if x is None:
        return "—"
    if 0 < abs(x) < 0.001:
        return f"{100 * x:.2g} %"
    return f"{100 * x:.1f} %"


def render_terminal(report: dict, console: Console | None = None) -> None:
    """Print the summary: k, risks, population uniques, ℓ/t, SUDA, the three questions, before/after."""
    console = console or Console()
    ds, k, p = report["dataset"], report["k_anonymity"], report["prosecutor"]
    params = report["parameters"]
    console.print(f"[bold]Re-identification risk[/bold] — {ds['records']:,} records "
                  f"({ds['suppressed_records']:,} suppressed), {len(params['quasi_identifiers'])} quasi-identifiers")
    t = Table(show_header=True, header_style="bold")
    t.add_column("measure")
    t.add_column("value", justify="right")
    if report.get("original"):
        t.add_column("input", justify="right")
    o = report.get("original")

    def row(name: str, val: str, orig: str | None = None) -> None:
        # column names are data: a name such as "[bold]x[/bold]" is shown as written
        t.add_row(escape(name), val, *([orig or ""] if o else []))

    ok = "[green]" if k["satisfied"] else "[red]"
    row(f"smallest class (k target {k['k_target']})", f"{ok}{k['k_achieved']}", o and str(o["k_anonymity"]["k_achieved"]))
    row("records below k", f"{k['records_below_k']:,}", o and f"{o['k_anonymity']['records_below_k']:,}")
    row("sample uniques", f"{p['sample_uniques']:,}", o and f"{o['prosecutor']['sample_uniques']:,}")
    row("highest risk (prosecutor)", _pct(p["highest"]), o and _pct(o["prosecutor"]["highest"]))
    row("average risk (prosecutor)", _pct(p["average"]), o and _pct(o["prosecutor"]["average"]))
    row(f"records above {_pct(p['threshold'])}", f"{p['records_above_threshold']:,}",
        o and f"{o['prosecutor']['records_above_threshold']:,}")
    row("journalist risk (highest / average)",
        f"{_pct(report['journalist']['highest'])} / {_pct(report['journalist']['average'])}")
    row("marketer risk", _pct(report["marketer"]["average"]))
    sc = report["small_cells"]
    row(f"classes under {sc['threshold']} (small cells)", f"{sc['classes_under_threshold']:,}",
        o and f"{o['small_cells']['classes_under_threshold']:,}")
    pu = report["population_uniqueness"]
    if pu["computed"]:
        est = ", ".join(f"{m} {_pct(e['share'])}" for m, e in pu["estimates"].items())
        row("population uniques (Dankar)", f"{_pct(pu['dankar']['share'])} [{pu['dankar']['model']}]")
        row("  estimates (share of population)", est)
    sdc = report.get("sdcmicro")
    if sdc:
        how = f"weights '{sdc['weights']}'" if sdc["weights"] else "no weights"
        row(f"global risk (sdcMicro, {how}, missing={sdc['missing']})",
            f"{sdc['global_risk']:.8f} ({sdc['expected_reidentifications']:.4f} re-identifications expected)")
        row("  highest individual risk (sdcMicro)", _pct(sdc["individual_risk"]["highest"]))
    for col, d in report["sensitive"].items():
        tc = d["t_closeness"]
        tt = f"t={tc['equal']['max']:.3f}" + (f" / ordered {tc['ordered']['max']:.3f}" if "ordered" in tc else "")
        row(f"sensitive '{col}'", escape(f"ℓ={d['l_distinct']} (entropy {d['l_entropy']:.2f}, recursive "
            f"{d['l_recursive']['l']}), {tt}"))
    su = report["special_uniques"]
    if su["computed"]:
        row(f"records with an MSU (≤ {su['max_msu_size']} columns)", f"{su['records_with_msu']:,}")
        if su["combinations"]:
            top = su["combinations"][0]
            row("  most frequent MSU", escape(f"{' + '.join(top['columns'])} ({top['records']:,})"))
    console.print(t)
    for key, title in (("singling_out", "Singling out"), ("linkability", "Linkability"), ("inference", "Inference")):
        q = report["questions"][key]
        colour = {"yes": "red", "at risk": "yellow", "no": "green", "low": "green"}.get(q["answer"], "dim")
        console.print(f"[bold]{title}[/bold]: [{colour}]{escape(q['answer'])}[/{colour}] — {escape(q['text'])}",
                      highlight=False)
