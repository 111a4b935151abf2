"""``anon risk``: re-identification risk and utility report of a table (terminal, JSON, HTML)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from anonymizer.cli.translated import TranslatedCommand
from anonymizer.errors import UsageError
from anonymizer.i18n import N_, _
from anonymizer.settings.defaults import MAX_RECORD_RISK, REPORT_K, SMALL_CELL

if TYPE_CHECKING:
    from anonymizer.settings import PrivacyTargets

EPILOG = N_("""\b
Examples:
  anon risk extract.csv --qi DTNAIS,SEXE,CODCOM --sensitive AAH_MT
  anon risk safe.csv --policy policy.yaml --sampling-fraction 0.1 --html risk.html
  anon risk safe.csv --qi age,sex,zip --original extract.csv --format json -o risk.json
  anon risk adult.csv --qi sex,age,race --population 3000000 --k 10 --small-cell 5
  anon risk extract.csv --scan scan.json            # roles found by anon scan --format json

\b
Roles: --qi/--sensitive, or a policy file (read as `anon sanitize` reads it: its
privacy.quasi_identifiers and privacy.sensitive, and its k / small_cell / max_record_risk
unless --k / --small-cell / --threshold are given), or a scan report (findings with role
quasi_identifier|sensitive); the first source given wins.
Missing cells ("", NaN, only '*') are a value of their own; records with every quasi-identifier
missing count as suppressed. The report never shows a value from the data.
""")


def _split(text: str | None) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()] if text else []


def table_columns(data: Path) -> list[str]:
    """The column names of DATA (a file, or a folder or glob of parts: the first part's), from its header."""
    from anonymizer.io import iter_batches

    first = data
    if not any(ch in str(data) for ch in "*?["):  # a FIFO, a device, a link loop: refused before opening
        from anonymizer.fsfaults import regular_file

        regular_file(data, folders=True)
    if not data.is_file():
        from anonymizer.io.parts import list_files

        first = list_files(data)[1][0]
    _meta, batches = iter_batches(first, batch_rows=1)
    return [str(c) for c in next(batches).columns]


def roles_from_policy(path: Path, columns: list[str]) -> tuple[list[str], list[str], PrivacyTargets]:
    """The quasi-identifier and sensitive columns ``anon sanitize`` takes from this policy for a
    table of ``columns`` (the same loader and plan: ``load_policy`` + ``build_plan``), and its targets."""
    from anonymizer.policy import build_plan, load_policy

    plan = build_plan(columns, load_policy(path), origin=str(path))
    qi, sens = plan.key_columns()
    return qi, sens, plan.privacy


def roles_from_scan(path: Path) -> tuple[list[str], list[str]]:
    """Quasi-identifier and sensitive columns found by ``anon scan`` (its JSON report's findings)."""
    import json

    from anonymizer.configfiles import read_config_text

    text = read_config_text(path, "scan report")
    try:
        doc = json.loads(text)
    except ValueError:
        raise UsageError(_('{path}: not a JSON scan report').format(path=path)) from None
    findings = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(findings, list):
        raise UsageError(_("{path}: no 'findings' list in the scan report").format(path=path))
    qi = [str(f["column"]) for f in findings if isinstance(f, dict) and f.get("role") == "quasi_identifier"]
    sens = [str(f["column"]) for f in findings if isinstance(f, dict) and f.get("role") == "sensitive"]
    return qi, sens


@click.command(cls=TranslatedCommand, epilog=EPILOG, help_fields={"report_k": str(REPORT_K), "small_cell": str(SMALL_CELL),
                                                                  "max_record_risk": str(MAX_RECORD_RISK)},
                context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--qi", help=N_("Comma-separated quasi-identifier columns."))
@click.option("--sensitive", help=N_("Comma-separated sensitive columns (ℓ-diversity, t-closeness, inference)."))
@click.option("--policy", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Take column roles from a policy file (--qi/--sensitive win when given)."))
@click.option("--scan", "scan_path", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Take column roles from an `anon scan --format json` report (after --policy)."))
@click.option("--population", type=click.IntRange(min=1), help=N_("Population size N the table was drawn from."))
@click.option("--sampling-fraction", type=click.FloatRange(min=0, max=1, min_open=True),
              help=N_("Sampling fraction n/N (alternative to --population)."))
@click.option("--k", "k", type=click.IntRange(min=1),
              help=N_("k-anonymity target [default: the policy's k, else {report_k}]."))
@click.option("--small-cell", type=click.IntRange(min=1),
              help=N_("Small-cell threshold: classes under it are reported [default: the policy's, else "
                      "{small_cell}]."))
@click.option("--threshold", type=click.FloatRange(min=0, max=1, min_open=True),
              help=N_("Record-risk threshold (prosecutor risk above it is counted) [default: the policy's "
                      "max_record_risk, else {max_record_risk}]."))
@click.option("--weights", "weights", metavar="COL",
              help=N_("Column of sampling weights: sdcMicro's f_k, F_k, individual risk (negative binomial), global "
                   "risk and expected re-identifications."))
@click.option("--missing", type=click.Choice(["value", "wildcard"]), default="value", show_default=True,
              help=N_("value: a missing cell is a category of its own (ARX); wildcard: it matches every category "
                   "(sdcMicro), in the weighted-risk section."))
@click.option("--original", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("The input table, rows aligned with DATA: before/after comparison, linkability, utility."))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=N_("Output on stdout."))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help=N_("Also write the JSON report here."))
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Write a self-contained HTML report here."))
@click.option("--force", is_flag=True, help=N_("Overwrite existing report files."))
def command(data: Path, qi: str | None, sensitive: str | None, policy: Path | None, scan_path: Path | None,
            population: int | None,
            sampling_fraction: float | None, k: int | None, small_cell: int | None, threshold: float | None,
            weights: str | None, missing: str, original: Path | None,
            fmt: str, output: Path | None, html_path: Path | None, force: bool) -> None:
    """Measure re-identification risk of DATA: k, prosecutor/journalist/marketer risk, population
    uniques (Pitman, Zayatz, SNB, Dankar), ℓ-diversity, t-closeness, SUDA and the three WP29 questions."""
    from rich.console import Console
    from rich.markup import escape

    from anonymizer.io import check_output_path, read_table
    from anonymizer.report import render_html, render_json, render_terminal
    from anonymizer.risk import risk_report
    from anonymizer.settings import DEFAULT_TARGETS

    qi_cols, sens_cols = _split(qi), _split(sensitive)
    targets = DEFAULT_TARGETS
    sources = []
    if policy is not None:
        p_qi, p_sens, targets = roles_from_policy(policy, table_columns(data))
        sources.append((p_qi, p_sens))
    if scan_path is not None:
        sources.append(roles_from_scan(scan_path))
    for s_qi, s_sens in sources:
        qi_cols = qi_cols or s_qi
        if sensitive is None and not sens_cols:
            sens_cols = [c for c in s_sens if c not in qi_cols]
    if not qi_cols:
        raise UsageError(_("no quasi-identifier: give --qi COLS, a --policy whose privacy.quasi_identifiers names "
                         "columns, or a --scan report with quasi_identifier columns"))
    if population is not None and sampling_fraction is not None:
        raise UsageError(_("give either --population or --sampling-fraction, not both"))
    inputs = [data, original, policy, scan_path]
    outputs = [p for p in (output, html_path) if p is not None]
    for out in outputs:
        check_output_path(out, force=force, inputs=inputs)
    if output is not None and html_path is not None and output.resolve() == html_path.resolve():
        raise UsageError(_("-o and --html name the same file"))

    err = Console(stderr=True)
    with err.status(_("reading the table…")) as status:
        given = {"k": k, "small_cell": small_cell, "threshold": threshold}
        measures = {"population": population, "sampling_fraction": sampling_fraction, **targets.risk_measures(),
                    **{name: v for name, v in given.items() if v is not None}, "weights": weights, "missing": missing}
        if original is None:
            # only the quasi-identifier and sensitive columns are read, batch by batch:
            # files larger than memory work (docs/scaling.md)
            from anonymizer.engine.stream_risk import risk_report_streaming

            report = risk_report_streaming(data, qi_cols, sens_cols,
                                           progress=lambda s: status.update(escape(f"{s}…")),
                                           extra_columns=[weights] if weights else (), **measures)
        else:  # utility compares every common column: read both whole
            table = read_table(data)
            orig_df = read_table(original).df
            status.update("measuring risk…")
            report = risk_report(table.df, qi_cols, sens_cols, original=orig_df,
                                 progress=lambda s: status.update(escape(f"measuring risk: {s}…")), **measures)
    report["source"] = {"data": data.name, "original": original.name if original is not None else None}
    from anonymizer.report.verdict import add_verdict

    add_verdict(report)
    text = render_json(report)
    if output is not None:
        from anonymizer.io import atomic_output

        with atomic_output(output, force=force, inputs=inputs) as fh:
            fh.write(text)
    if html_path is not None:
        from anonymizer.io import atomic_output

        with atomic_output(html_path, force=force, inputs=inputs) as fh:
            fh.write(render_html(report))
    if fmt == "json":
        click.echo(text, nl=False)
    else:
        render_terminal(report, Console())
        for out in outputs:
            click.echo(_('written: {out}').format(out=out))
