"""Self-contained HTML rendering of a risk report: one file, no script, no network, inline SVG plots.

Everything shown comes from the report dict, which holds column names, counts and shares only;
every string is HTML-escaped (column names come from the data's header).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.html"
BLUE, ORANGE = "#3b6fb6", "#d98e04"


def _pct(x: float | None) -> str:
    if x is None:
        return "—"
    if 0 < abs(x) < 0.001:
        return f"{100 * x:.2g} %"
    return f"{100 * x:.1f} %"


def _num(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.0f}"
    return f"{x:,}"


def _table(headers: list[str], rows: list[list], numeric_cols: tuple[int, ...] | None = None) -> str:
    """An HTML table; ``numeric_cols`` are right-aligned (default: every column but the first)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            num = (i >= 1) if numeric_cols is None else (i in numeric_cols)
            cls = ' class="n"' if num else ""
            cells.append(f"<td{cls}>{escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def bar_chart(labels: list[str], series: list[tuple[str, list[float], str]], *, title: str, y_label: str,
              width: int = 520, height: int = 240) -> str:
    """A grouped bar chart as inline SVG (one group per label, one bar per series)."""
    left, bottom, top, right = 56, 48, 24, 10
    pw, ph = width - left - right, height - top - bottom
    vmax = max([max(vals) if vals else 0 for _, vals, _ in series] + [1e-12])
    ng, ns = max(len(labels), 1), max(len(series), 1)
    gw = pw / ng
    bw = gw * 0.8 / ns
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#888"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#888"/>']
    for frac in (0, 0.5, 1):
        y = top + ph - frac * ph
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
                     f'{escape(_num(vmax * frac if vmax >= 1 else round(vmax * frac, 3)))}</text>')
    for gi, lab in enumerate(labels):
        x0 = left + gi * gw + gw * 0.1
        for si, (_, vals, color) in enumerate(series):
            v = vals[gi] if gi < len(vals) else 0
            h = ph * v / vmax
            parts.append(f'<rect x="{x0 + si * bw:.1f}" y="{top + ph - h:.1f}" width="{bw * 0.95:.1f}" '
                         f'height="{h:.1f}" fill="{color}"><title>{escape(lab)}: {escape(_num(v))}</title></rect>')
        parts.append(f'<text x="{left + gi * gw + gw / 2:.1f}" y="{top + ph + 14}" font-size="10" '
                     f'text-anchor="middle">{escape(lab)}</text>')
    parts.append(f'<text x="{left + pw / 2}" y="{height - 6}" font-size="11" text-anchor="middle">{escape(title)}</text>')
    parts.append(f'<text x="12" y="{top + ph / 2}" font-size="11" text-anchor="middle" '
                 f'transform="rotate(-90 12 {top + ph / 2})">{escape(y_label)}</text>')
    lx = left + 8
    for name, _, color in series if len(series) > 1 else []:
        parts.append(f'<rect x="{lx}" y="4" width="10" height="10" fill="{color}"/>'
                     f'<text x="{lx + 14}" y="13" font-size="11">{escape(name)}</text>')
        lx += 14 + 8 * len(name) + 10
    parts.append("</svg>")
    return "".join(parts)


def _card(value: str, label: str, level: str) -> str:
    return f'<div class="card {level}"><div class="v">{escape(value)}</div><div class="l">{escape(label)}</div></div>'


def _plots(rep: dict) -> str:
    orig = rep.get("original")
    hist = rep["k_anonymity"]["histogram"]
    labels = [h["sizes"] for h in hist]
    series = [("after" if orig else "records", [h["records"] for h in hist], BLUE)]
    if orig:
        series.insert(0, ("before", [h["records"] for h in orig["k_anonymity"]["histogram"]], ORANGE))
    fig1 = bar_chart(labels, series, title="class size (records sharing the same quasi-identifiers)",
                     y_label="records")
    dist = rep["prosecutor"]["distribution"]
    rlabels = [f"≤{d['to']:g}" for d in dist]
    rseries = [("after" if orig else "records", [d["records"] for d in dist], BLUE)]
    if orig:
        rseries.insert(0, ("before", [d["records"] for d in orig["prosecutor"]["distribution"]], ORANGE))
    fig2 = bar_chart(rlabels, rseries, title="re-identification risk of a record (1 / class size)",
                     y_label="records")
    return (f'<div class="plots"><figure>{fig1}<figcaption>Records by size of their group. Groups of 1 are '
            f'unique people.</figcaption></figure><figure>{fig2}<figcaption>Records by prosecutor risk.'
            f'</figcaption></figure></div>')


def _questions(rep: dict) -> str:
    out = []
    names = {"singling_out": "Can a person be singled out?", "linkability": "Can records be linked?",
             "inference": "Can a value be inferred?"}
    for key, title in names.items():
        q = rep["questions"][key]
        cls = "a-" + q["answer"].replace(" ", "-")
        out.append(f'<div class="q"><b class="a {cls}">{escape(q["answer"])}</b> <b>{escape(title)}</b>'
                   f'<p>{escape(q["text"])}</p></div>')
    return "".join(out)


def _coverage(rep: dict) -> str:
    """What the release gate's attacker was assumed to know, and what was left out (and why)."""
    cov = rep.get("coverage")
    if not cov:
        return ""
    a = rep["attack"]["attacker_known"]
    parts = [f"<p>The attack assumed the attacker knows {len(cov['attacker_knows'])} column(s): "
             f"{escape(', '.join(cov['attacker_knows']))}. It attacked {a['persons_attacked']:,} people"
             f"{' (a sample)' if a.get('sampled') else ''}.</p>"]
    if cov["swapped"]:
        parts.append(f"<p>Swapped within their groups (values kept, who holds them hidden): "
                     f"{escape(', '.join(cov['swapped']))}.</p>")
    if cov["left_out"]:
        items = "".join(f"<li>{escape(c)}: {escape(why)}</li>" for c, why in sorted(cov["left_out"].items()))
        parts.append(f"<p>Quasi-identifiers not covered:</p><ul>{items}</ul>")
    else:
        parts.append("<p>Every quasi-identifier of the table is covered.</p>")
    return "<h2>What the attacker was assumed to know</h2>" + "".join(parts)


def _comparison(rep: dict) -> str:
    orig = rep.get("original")
    if not orig:
        return ""
    rows = []
    pairs = [
        ("smallest class (k)", orig["k_anonymity"]["k_achieved"], rep["k_anonymity"]["k_achieved"]),
        ("records below k", orig["k_anonymity"]["records_below_k"], rep["k_anonymity"]["records_below_k"]),
        ("sample uniques", orig["prosecutor"]["sample_uniques"], rep["prosecutor"]["sample_uniques"]),
        ("highest risk", orig["prosecutor"]["highest"], rep["prosecutor"]["highest"]),
        ("average risk", orig["prosecutor"]["average"], rep["prosecutor"]["average"]),
        ("records above threshold", orig["prosecutor"]["records_above_threshold"],
         rep["prosecutor"]["records_above_threshold"]),
        ("small cells", orig["small_cells"]["classes_under_threshold"], rep["small_cells"]["classes_under_threshold"]),
    ]
    for name, a, b in pairs:
        fmt = _pct if name.endswith("risk") else _num
        rows.append([name, fmt(a), fmt(b)])
    html = "<h2>Before / after</h2>" + _table(["measure", "input", "output"], rows)
    util = rep.get("utility")
    if util:
        urows = []
        for col, u in util["columns"].items():
            urows.append([col, _num(u["distinct_before"]), _num(u["distinct_after"]),
                          _pct(u.get("share_changed")), _num(u["suppressed_cells"]),
                          _pct(u.get("information_loss")), f"{u['tvd']:.3f}"])
        html += ("<h2>Utility: what the data still supports</h2>"
                 f"<p>{_num(util['records_removed'])} records removed; columns dropped: "
                 f"{escape(', '.join(util['columns_dropped']) or 'none')}.</p>"
                 + _table(["column", "distinct before", "distinct after", "cells changed", "suppressed cells",
                           "information loss", "distribution distance (TVD)"], urows))
    return html


def render_html(report: dict) -> str:
    """The report as one self-contained HTML page (no script, no external resource)."""
    p, k, sc = report["prosecutor"], report["k_anonymity"], report["small_cells"]
    ds = report["dataset"]
    params = report["parameters"]
    level_k = "ok" if k["satisfied"] else "bad"
    level_r = "ok" if p["highest"] <= p["threshold"] else ("warn" if p["average"] <= p["threshold"] else "bad")
    cards = "".join([
        _card(_num(k["k_achieved"]), f"smallest group (target k = {k['k_target']})", level_k),
        _card(_num(p["sample_uniques"]), "records unique on the quasi-identifiers", "ok" if not p["sample_uniques"] else "bad"),
        _card(_pct(p["highest"]), "highest re-identification risk", level_r),
        _card(_pct(p["average"]), "average re-identification risk", level_r),
        _card(_num(sc["classes_under_threshold"]), f"groups under {sc['threshold']} (small cells)",
              "ok" if not sc["classes_under_threshold"] else "warn"),
    ])
    body = [f"<h1>Re-identification risk report</h1><p class='sub'>{_num(ds['records'])} records; "
            f"quasi-identifiers: {escape(', '.join(params['quasi_identifiers']))}; sensitive: "
            f"{escape(', '.join(params['sensitive']) or 'none')}.</p>",
            f'<div class="cards">{cards}</div>', "<h2>The three questions (WP29 Opinion 05/2014)</h2>",
            _questions(report), _coverage(report), "<h2>Groups and risk</h2>", _plots(report)]
    body.append("<h2>Risk models</h2>" + _table(["model", "highest", "average", "notes"], [
        ["prosecutor", _pct(p["highest"]), _pct(p["average"]),
         f"{p['records_above_threshold']} records above {_pct(p['threshold'])}"],
        ["journalist", _pct(report["journalist"]["highest"]), _pct(report["journalist"]["average"]),
         report["journalist"]["basis"]],
        ["marketer", "", _pct(report["marketer"]["average"]), "share re-identified if everyone is matched"],
    ], numeric_cols=(1, 2)))
    pu = report["population_uniqueness"]
    if pu["computed"]:
        rows = [[m, _num(e["uniques"]), _pct(e["share"])] for m, e in pu["estimates"].items()]
        rows.append([f"chosen (Dankar et al.): {pu['dankar']['model']}", _num(pu["dankar"]["uniques"]),
                     _pct(pu["dankar"]["share"])])
        body.append(f"<h2>Population uniques</h2><p>Population {_num(pu['population_size'])}, sampling fraction "
                    f"{pu['sampling_fraction']:.4g}, {_num(pu['sample_uniques'])} sample uniques.</p>"
                    + _table(["model", "population uniques", "share of population"], rows))
    else:
        body.append(f"<h2>Population uniques</h2><p>Not computed: {escape(pu['reason'])}.</p>")
    if report["sensitive"]:
        rows = []
        for col, d in report["sensitive"].items():
            t = d["t_closeness"]
            rows.append([col, _num(d["l_distinct"]), f"{d['l_entropy']:.2f}",
                         f"{d['l_recursive']['l']} (c={d['l_recursive']['c']:g})", f"{t['equal']['max']:.3f}",
                         f"{t['ordered']['max']:.3f}" if "ordered" in t else "—",
                         _pct(d["inference"]["share_certain"])])
        body.append("<h2>Sensitive attributes</h2>" + _table(
            ["attribute", "ℓ distinct", "ℓ entropy", "recursive ℓ", "t (equal)", "t (ordered)", "value certain"], rows))
    su = report["special_uniques"]
    if su["computed"]:
        rows = [[" + ".join(c["columns"]), _num(c["size"]), _num(c["records"])] for c in su["combinations"]]
        body.append(f"<h2>Special uniques (SUDA)</h2><p>{_num(su['records_with_msu'])} records are unique on a "
                    f"combination of at most {su['max_msu_size']} quasi-identifiers. Highest SUDA score "
                    f"{_num(su['suda_score']['max'])}, mean DIS-SUDA {su['dis_suda']['mean']:.3g}.</p>"
                    + _table(["columns that make records unique", "size", "records"], rows))
    body.append(_comparison(report))
    body.append(f"<h2>Method</h2><p>{escape(params['missing_rule'])}</p>")
    footer = (f"anon {escape(report['tool']['version'])} — risk report schema {report['schema_version']}. "
              "No value from the data appears in this report: only column names, counts and shares.")
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        title="anon risk report", body="\n".join(body), footer=footer)
