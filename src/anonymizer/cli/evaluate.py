"""``anon evaluate``: every quality metric of one given transformation (ARX hierarchies and levels).

What ARX's API gives with ``ARXLattice.getNode(levels)`` and its quality models, on the command line:
the levels are applied, the classes that violate the privacy models are suppressed (within
``--max-suppression``), and each metric of ``anonymizer.privacy.metrics`` is printed.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from anonymizer.cli.translated import TranslatedCommand
from anonymizer.errors import UsageError
from anonymizer.i18n import N_, _

EPILOG = N_("""\b
Examples:
  anon evaluate adult.csv --hierarchies ../shared/data/adult --levels 0,3,0,0,2,1,1,1,0 --k 5
  anon evaluate adult.csv --hierarchies DIR --levels age=3,sex=0,... --sensitive occupation --l 2 --format json

\b
--levels: one level per quasi-identifier in the table's column order (the sensitive column left out,
as ARX lists them), or COLUMN=LEVEL pairs. The output names columns and gives counts and metric values only.
""")


def parse_levels(text: str, qis: list[str]) -> dict[str, int]:
    """``a,b,c`` (column order) or ``col=a,col2=b`` into {column: level}."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    try:
        if all("=" in p for p in parts):
            levels = {k.strip(): int(v) for k, v in (p.split("=", 1) for p in parts)}
        else:
            values = [int(p) for p in parts]
            if len(values) != len(qis):
                raise UsageError(_('--levels gives {values} level(s) for {qis} quasi-identifier(s): {qis2}').format(values=len(values), qis=len(qis), qis2=', '.join(qis)))
            levels = dict(zip(qis, values, strict=True))
    except ValueError:
        raise UsageError(_("--levels must be whole numbers (a,b,c or column=level,...)")) from None
    unknown = [c for c in levels if c not in qis]
    if unknown or len(levels) != len(qis):
        raise UsageError(_('--levels must give one level for each quasi-identifier: {qis}').format(qis=', '.join(qis)))
    return levels


@click.command(cls=TranslatedCommand, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--hierarchies", "hierarchies_dir", required=True,
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help=N_("ARX hierarchies folder: every <x>_hierarchy_<COL>.csv declares COL a quasi-identifier."))
@click.option("--levels", required=True, help=N_("The transformation: a,b,c (column order) or COL=LEVEL,..."))
@click.option("--sensitive", help=N_("Sensitive column (l, t, beta); its hierarchy is not a quasi-identifier."))
@click.option("--k", type=click.IntRange(min=1))
@click.option("--l", "l_", type=float)
@click.option("--l-variant", type=click.Choice(["distinct", "entropy", "recursive"]), default="distinct")
@click.option("--l-estimator", type=click.Choice(["shannon", "grassberger"]), default="shannon")
@click.option("--c", "c_", type=float)
@click.option("--t", "t_", type=click.FloatRange(0, 1))
@click.option("--t-variant", "--t-distance", "t_variant", type=click.Choice(["equal", "ordered", "hierarchical"]),
              default="equal")
@click.option("--beta", type=click.FloatRange(min=0, min_open=True))
@click.option("--beta-variant", type=click.Choice(["basic", "enhanced"]), default="enhanced")
@click.option("--k-map", type=click.IntRange(min=1), help=N_("k-map estimated from the population (ARX's KMap)."))
@click.option("--k-map-estimator", type=click.Choice(["poisson", "zero-truncated-poisson"]), default="poisson",
              show_default=True)
@click.option("--significance", type=click.FloatRange(0, 1), default=0.01, show_default=True)
@click.option("--population", type=click.IntRange(min=1), help=N_("Population size N (k-map)."))
@click.option("--sampling-fraction", type=click.FloatRange(0, 1, min_open=True), help=N_("n/N instead of --population."))
@click.option("--max-suppression", type=click.FloatRange(0, 1), default=1.0, show_default=True,
              help=N_("Largest share of records the violating classes may hold (feasible or not is printed)."))
@click.option("--gs-factor", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help=N_("Loss's gs-factor (ARX's createLossMetric(gsFactor))."))
@click.option("--delimiter", help=N_("Force the input CSV delimiter."))
@click.option("--encoding", help=N_("Force the input encoding."))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(data: Path, hierarchies_dir: Path, levels: str, sensitive: str | None, k: int | None, l_: float | None,
            l_variant: str, l_estimator: str, c_: float | None, t_: float | None, t_variant: str,
            beta: float | None, beta_variant: str, k_map: int | None, k_map_estimator: str, significance: float,
            population: int | None, sampling_fraction: float | None, max_suppression: float, gs_factor: float, delimiter: str | None,
            encoding: str | None, fmt: str) -> None:
    """Score one generalisation of DATA: classes, suppressed records and every quality metric (ARX's definitions)."""
    from anonymizer.io import read_table
    from anonymizer.privacy import evaluate_all, load_hierarchies

    opts = {k2: v for k2, v in {"delimiter": delimiter, "encoding": encoding}.items() if v}
    df = read_table(data, **opts).df
    hierarchies = {c: h for c, h in load_hierarchies(hierarchies_dir).items() if c in df.columns}
    qis = [c for c in df.columns if c in hierarchies and c != sensitive]
    if not qis:
        raise UsageError(_('{hierarchies_dir}: no *_hierarchy_<column>.csv matches a quasi-identifier column of the table').format(hierarchies_dir=hierarchies_dir))
    given = parse_levels(levels, qis)
    models = {"k": k, "l": l_, "l_variant": l_variant, "l_estimator": l_estimator, "c": c_, "t": t_,
              "t_variant": t_variant, "beta": beta, "beta_variant": beta_variant, "sensitive": sensitive}
    if k_map is not None:
        from anonymizer.privacy.job import _population
        from anonymizer.privacy.models import kmap_derived_k

        derived = kmap_derived_k(k_map, len(df), _population(len(df), population, sampling_fraction), significance,
                                 k_map_estimator)
        models["k"] = max(k or 1, derived)
    if models["k"] is None and l_ is None and t_ is None and beta is None:
        models["k"] = 1  # no model: every class is kept, the metrics of the bare generalisation
    out = evaluate_all(df, hierarchies, given, max_suppression=max_suppression, gs_factor=gs_factor, **models)
    if fmt == "json":
        click.echo(json.dumps(out, indent=2))
        return
    click.echo(_('transformation : {items}').format(items=', '.join(f'{q}={v}' for q, v in out['levels'].items())))
    click.echo(_('records        : {records:,}; {classes:,} classes kept (smallest {smallest_class:,}); {suppressed_records:,} suppressed (at most {max_suppressed_records:,}): {value}').format(records=out['records'], classes=out['classes'], smallest_class=out['smallest_class'], suppressed_records=out['suppressed_records'], max_suppressed_records=out['max_suppressed_records'], value='feasible' if out['feasible'] else 'NOT feasible'))
    for name, value in out["metrics"].items():
        click.echo(f"{name:<18} {value!r}")
