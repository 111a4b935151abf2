"""Self-contained HTML rendering of a risk report: one file, no script, no network, inline SVG plots.

Everything shown comes from the report dict, which holds column names, counts and shares only;
every string is HTML-escaped (column names come from the data's header).
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from string import Template

from anonymizer.i18n import _, language, number, percent

TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.html"
BLUE, ORANGE = "#3b6fb6", "#d98e04"


def _pct(x: float | None) -> str:
    return percent(x)


def _num(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, float) and not x.is_integer():
        if abs(x) >= 1000:
            return number(x)
        digits = max(0, 3 - int(math.floor(math.log10(abs(x))))) if x else 0  # four significant digits
        return number(x, min(digits, 6)).rstrip("0").rstrip(",.") if digits else number(x)
    return number(int(x))


def _dec(x: float | None, decimals: int) -> str:
    return number(x, decimals)


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
        for si, (_name, vals, color) in enumerate(series):
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
    for name, _vals, color in series if len(series) > 1 else []:
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
    series = [(_("after") if orig else _("records"), [h["records"] for h in hist], BLUE)]
    if orig:
        series.insert(0, (_("before"), [h["records"] for h in orig["k_anonymity"]["histogram"]], ORANGE))
    fig1 = bar_chart(labels, series, title=_("group size (records sharing the same quasi-identifiers)"),
                     y_label=_("records"))
    dist = rep["prosecutor"]["distribution"]
    rlabels = [f"≤{_num(float(d['to']))}" for d in dist]
    rseries = [(_("after") if orig else _("records"), [d["records"] for d in dist], BLUE)]
    if orig:
        rseries.insert(0, (_("before"), [d["records"] for d in orig["prosecutor"]["distribution"]], ORANGE))
    fig2 = bar_chart(rlabels, rseries, title=_("re-identification risk of a record (1 / group size)"),
                     y_label=_("records"))
    cap1 = escape(_("Records by size of their group. Groups of 1 are unique people."))
    cap2 = escape(_("Records by prosecutor risk."))
    return (f'<div class="plots"><figure>{fig1}<figcaption>{cap1}</figcaption></figure><figure>{fig2}'
            f'<figcaption>{cap2}</figcaption></figure></div>')


ANSWERS = {"yes": lambda: _("yes"), "no": lambda: _("no"), "at risk": lambda: _("at risk"), "low": lambda: _("low"),
           "not computed": lambda: _("not computed")}


def answer_words(answer: str) -> str:
    """A question's answer (``yes``, ``at risk``...) in the report's language."""
    word = ANSWERS.get(answer)
    return word() if word else answer


def _questions(rep: dict) -> str:
    out = []
    names = {"singling_out": _("Can a person be singled out?"), "linkability": _("Can records be linked?"),
             "inference": _("Can a value be inferred?")}
    advice = (rep.get("verdict") or {}).get("advice", {})
    for key, title in names.items():
        q = rep["questions"][key]
        cls = "a-" + q["answer"].replace(" ", "-")
        tip = f'<p class="advice">{escape(advice[key])}</p>' if advice.get(key) else ""
        out.append(f'<div class="q"><b class="a {cls}">{escape(answer_words(q["answer"]))}</b> <b>{escape(title)}</b>'
                   f'<p>{escape(q["text"])}</p>{tip}</div>')
    return "".join(out)


def _coverage(rep: dict) -> str:
    """What the release gate's attacker was assumed to know, and what was left out (and why)."""
    cov = rep.get("coverage")
    if not cov:
        return ""
    a = rep["attack"]["attacker_known"]
    known = cov["attacker_knows"]
    said = (_("The attack assumed the attacker knows {n} column(s): {columns}. It attacked {people} people (a sample).")
            if a.get("sampled") else
            _("The attack assumed the attacker knows {n} column(s): {columns}. It attacked {people} people."))
    parts = [f"<p>{escape(said.format(n=len(known), columns=', '.join(known), people=number(a['persons_attacked'])))}</p>"]
    if cov["swapped"]:
        parts.append("<p>" + escape(_("Swapped within their groups (values kept, who holds them hidden): {columns}.")
                                    .format(columns=", ".join(cov["swapped"]))) + "</p>")
    if cov["left_out"]:
        items = "".join(f"<li>{escape(c)}: {escape(why)}</li>" for c, why in sorted(cov["left_out"].items()))
        parts.append(f"<p>{escape(_('Quasi-identifiers not covered:'))}</p><ul>{items}</ul>")
    else:
        parts.append(f"<p>{escape(_('Every quasi-identifier of the table is covered.'))}</p>")
    return f"<h2>{escape(_('What the attacker was assumed to know'))}</h2>" + "".join(parts)


def _verdict(rep: dict) -> str:
    v = rep.get("verdict")
    if not v:
        return ""
    level = "ok" if v["usable_for_training"] else "bad"
    reasons = "".join(f"<p>{escape(r)}</p>" for r in v["reasons"])
    todo = ""
    if v["what_to_do"]:
        todo = (f"<h3>{escape(_('What to do'))}</h3><ul>"
                + "".join(f"<li>{escape(t)}</li>" for t in v["what_to_do"]) + "</ul>")
    return f'<section class="verdict {level}"><h2>{escape(v["headline"])}</h2>{reasons}{todo}</section>'


def _kept(rep: dict) -> str:
    """Per column: what was done and how much of it remains, mostly hidden columns marked."""
    columns = (rep.get("verdict") or {}).get("columns")
    if not columns:
        return ""
    rows = []
    for c in columns:
        warn = _("mostly hidden") if c["mostly_hidden"] else ""
        rows.append([c["column"], c["done"], _pct(c["exact"]), _pct(c["changed"]), _pct(c["hidden"]), warn])
    intro = _("Of the values present in the input: the share written unchanged, changed (generalised, replaced, "
              "shifted) and hidden (* or emptied).")
    return (f"<h2>{escape(_('What each column keeps'))}</h2><p>{escape(intro)}</p>"
            + _table([_("column"), _("what was done"), _("unchanged"), _("changed"), _("hidden"), _("warning")], rows,
                     numeric_cols=(2, 3, 4)))


def _glossary() -> str:
    from anonymizer.report.verdict import glossary

    items = "".join(f"<dt>{escape(term)}</dt><dd>{escape(text)}</dd>" for term, text in glossary())
    return f"<h2>{escape(_('Glossary'))}</h2><dl class=\"glossary\">{items}</dl>"


def _comparison(rep: dict) -> str:
    orig = rep.get("original")
    if not orig:
        return ""
    rows = []
    pairs = [
        (_("smallest group (k)"), orig["k_anonymity"]["k_achieved"], rep["k_anonymity"]["k_achieved"], _num),
        (_("records below k"), orig["k_anonymity"]["records_below_k"], rep["k_anonymity"]["records_below_k"], _num),
        (_("records alone in their group"), orig["prosecutor"]["sample_uniques"], rep["prosecutor"]["sample_uniques"],
         _num),
        (_("highest risk"), orig["prosecutor"]["highest"], rep["prosecutor"]["highest"], _pct),
        (_("average risk"), orig["prosecutor"]["average"], rep["prosecutor"]["average"], _pct),
        (_("records above the risk threshold"), orig["prosecutor"]["records_above_threshold"],
         rep["prosecutor"]["records_above_threshold"], _num),
        (_("small groups"), orig["small_cells"]["classes_under_threshold"],
         rep["small_cells"]["classes_under_threshold"], _num),
    ]
    for name, a, b, fmt in pairs:
        rows.append([name, fmt(a), fmt(b)])
    html = f"<h2>{escape(_('Before / after'))}</h2>" + _table([_("measure"), _("input"), _("output")], rows)
    util = rep.get("utility")
    if util:
        urows = []
        for col, u in util["columns"].items():
            urows.append([col, _num(u["distinct_before"]), _num(u["distinct_after"]),
                          _pct(u.get("share_changed")), _num(u["suppressed_cells"]),
                          _pct(u.get("information_loss")), _dec(u["tvd"], 3)])
        dropped = ", ".join(util["columns_dropped"]) or _("none")
        removed = _("{n} records removed; columns dropped: {columns}.").format(n=_num(util["records_removed"]),
                                                                              columns=dropped)
        html += (f"<h2>{escape(_('Utility: what the data still supports'))}</h2>"
                 f"<p>{escape(removed)}</p>"
                 + _table([_("column"), _("distinct values before"), _("distinct values after"), _("cells changed"),
                           _("hidden cells"), _("information loss"), _("distribution distance (TVD)")], urows))
    return html


def render_html(report: dict) -> str:
    """The report as one self-contained HTML page (no script, no external resource), verdict first."""
    p, k, sc = report["prosecutor"], report["k_anonymity"], report["small_cells"]
    ds = report["dataset"]
    params = report["parameters"]
    empty = ds["records_kept"] == 0
    level_k = "ok" if k["satisfied"] else "bad"
    level_r = "ok" if p["highest"] <= p["threshold"] else ("warn" if p["average"] <= p["threshold"] else "bad")
    cards = "".join([
        _card("—" if empty else _num(k["k_achieved"]),
              _("smallest group (target k = {k})").format(k=_num(k["k_target"])), level_k),
        _card(_num(p["sample_uniques"]), _("records alone in their group"), "ok" if not p["sample_uniques"] else "bad"),
        _card(_pct(p["highest"]), _("highest re-identification risk"), level_r),
        _card(_pct(p["average"]), _("average re-identification risk"), level_r),
        _card(_num(sc["classes_under_threshold"]),
              _("groups under {n} records (small groups)").format(n=_num(sc["threshold"])),
              "ok" if not sc["classes_under_threshold"] else "warn"),
    ])
    sub = _("{n} records ({kept} kept, {hidden} with every quasi-identifier hidden); quasi-identifiers: {qi}; "
            "sensitive: {sens}.").format(n=_num(ds["records"]), kept=_num(ds["records_kept"]),
                                         hidden=_num(ds["suppressed_records"]),
                                         qi=", ".join(params["quasi_identifiers"]),
                                         sens=", ".join(params["sensitive"]) or _("none"))
    body = [f"<h1>{escape(_('Re-identification risk report'))}</h1><p class='sub'>{escape(sub)}</p>",
            _verdict(report),
            f'<div class="cards">{cards}</div>', _kept(report),
            f"<h2>{escape(_('The three questions (WP29 Opinion 05/2014)'))}</h2>",
            _questions(report), _coverage(report), f"<h2>{escape(_('Groups and risk'))}</h2>", _plots(report)]
    body.append(f"<h2>{escape(_('Risk models'))}</h2>" + _table([_("model"), _("highest"), _("average"), _("notes")], [
        [_("prosecutor"), _pct(p["highest"]), _pct(p["average"]),
         _("{n} records above {threshold}").format(n=_num(p["records_above_threshold"]), threshold=_pct(p["threshold"]))],
        [_("journalist"), _pct(report["journalist"]["highest"]), _pct(report["journalist"]["average"]),
         report["journalist"]["basis"]],
        [_("marketer"), "", _pct(report["marketer"]["average"]), _("share re-identified if everyone is matched")],
    ], numeric_cols=(1, 2)))
    pu = report["population_uniqueness"]
    title = f"<h2>{escape(_('Population uniques'))}</h2>"
    if pu["computed"]:
        rows = [[m, _num(e["uniques"]), _pct(e["share"])] for m, e in pu["estimates"].items()]
        rows.append([_("chosen (Dankar et al.): {model}").format(model=pu["dankar"]["model"]),
                     _num(pu["dankar"]["uniques"]), _pct(pu["dankar"]["share"])])
        text = _("Population {n}, sampling fraction {f}, {u} records alone in their group.").format(
            n=_num(pu["population_size"]), f=_num(float(pu["sampling_fraction"])), u=_num(pu["sample_uniques"]))
        body.append(f"{title}<p>{escape(text)}</p>"
                    + _table([_("model"), _("population uniques"), _("share of population")], rows))
    else:
        reason = population_reason(pu["reason"])
        body.append(f"{title}<p>{escape(_('Not computed: {reason}.').format(reason=reason))}</p>")
    if report["sensitive"]:
        rows = []
        for col, d in report["sensitive"].items():
            t = d["t_closeness"]
            rows.append([col, _num(d["l_distinct"]), _dec(d["l_entropy"], 2),
                         f"{_num(d['l_recursive']['l'])} (c={_num(float(d['l_recursive']['c']))})",
                         _dec(t["equal"]["max"], 3), _dec(t["ordered"]["max"], 3) if "ordered" in t else "—",
                         _pct(d["inference"]["share_certain"])])
        body.append(f"<h2>{escape(_('Sensitive columns'))}</h2>" + _table(
            [_("column"), _("ℓ distinct"), _("ℓ entropy"), _("recursive ℓ"), _("t (equal)"), _("t (ordered)"),
             _("value certain")], rows))
    su = report["special_uniques"]
    if su["computed"]:
        rows = [[" + ".join(c["columns"]), _num(c["size"]), _num(c["records"])] for c in su["combinations"]]
        text = _("{n} records are unique on a combination of at most {size} quasi-identifiers. Highest SUDA score "
                 "{score}, mean DIS-SUDA {dis}.").format(n=_num(su["records_with_msu"]), size=su["max_msu_size"],
                                                        score=_num(su["suda_score"]["max"]),
                                                        dis=_num(float(su["dis_suda"]["mean"])))
        body.append(f"<h2>{escape(_('Special uniques (SUDA)'))}</h2><p>{escape(text)}</p>"
                    + _table([_("columns that make records unique"), _("size"), _("records")], rows))
    body.append(_comparison(report))
    body.append(f"<h2>{escape(_('Method'))}</h2><p>{escape(params['missing_rule'])}</p>")
    body.append(_glossary())
    footer = _("anon {version}, risk report schema {schema}. No value from the data appears in this report: only "
               "column names, counts and shares.").format(version=report["tool"]["version"],
                                                         schema=report["schema_version"])
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        title=escape(_("anon risk report")), body="\n".join(body), footer=escape(footer), lang=language())


def population_reason(reason: str) -> str:
    """Why population uniques were not computed, in words (the report's ``reason`` is a key)."""
    words = {"no record left": lambda: _("no record left"),
             "population unknown": lambda: _("the size of the population the file was drawn from is not known")}
    word = words.get(reason)
    return word() if word else reason
