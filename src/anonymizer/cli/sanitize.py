"""``anon sanitize``: parse options, run the engine, print where everything went."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from anonymizer.cli.translated import TranslatedCommand
from anonymizer.errors import PrivacyTargetError, UsageError
from anonymizer.i18n import N_, _, number, percent
from anonymizer.io.registry import WRITABLE, default_extension, extension_conflict
from anonymizer.settings.defaults import TIME_BUDGET

EPILOG = N_("""\b
Examples:
  anon sanitize extract.csv --profile training --key-file secret.key -o training.csv
  anon sanitize extract.csv --policy policy.yaml --key-file secret.key -o training.csv
  ANON_KEY=... anon sanitize extract.parquet --profile pseudonymised -o research.parquet
  anon sanitize adult.csv --hierarchies ../shared/data/adult --k 5 --max-suppression 0.02 -o adult_k5.csv
  anon sanitize big.parquet --workers 2 --key-file secret.key -o safe.parquet   # transforms on 2 cores
  anon sanitize parts/ --engine dask --workers 2 --key-file secret.key -o safe.parquet   # folder of parts out
  anon sanitize 'y*/*.parquet' --engine dask --scheduler tcp://10.0.0.5:8786 --key-file k -o safe.parquet

\b
Writes OUT, OUT's manifest (OUT.manifest.json) and the risk report (OUT.risk.json,
OUT.risk.html). Exit 0 when released, 1 when privacy targets or verification fail
(the file is then kept as <name>.NOT-RELEASED<ext>), 2 on bad input or policy.
""")


class PopulationSize(click.ParamType):
    """``--population``: a whole number of people, or the name of one of ARX's regions (rules/data/populations.csv)."""

    name = "population"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.isdigit() and int(text) >= 1:
            return int(text)
        from anonymizer.resources import rules_path

        table = {}
        for line in rules_path("data", "populations.csv").read_text(encoding="utf-8").splitlines()[2:]:
            region, size = line.split(";")
            table[region] = int(size)
        size = table.get(text.lower().replace("_", "-").replace(" ", "-"))
        if size is None:
            self.fail(_("{value!r} is neither a whole number >= 1 nor a region ({regions})").format(
                value=text, regions=", ".join(table)), param, ctx)
        return size


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


@click.command(cls=TranslatedCommand, epilog=EPILOG, help_fields={"time_budget": f"{TIME_BUDGET:g}"})
@click.argument("data", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help=N_("Output file (default: <input>.<profile><ext> beside the input)."))
@click.option("--profile", default="training", show_default=True,
              help=N_("Shipped profile (training, publication, pseudonymised) or a profile YAML path."))
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Reviewed policy file (from `anon scan --write-policy`). Without it, anon scans and applies the profile."))
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("File holding the secret key (else $ANON_KEY; make one with `anon keygen -o FILE`). Checked "
                   "before the data is read; never stored by anon. Keep it out of the repository and reuse it: "
                   "the same key gives the same fakes and pseudonyms in every release, a lost key cannot."))
@click.option("--weak-key-ok", is_flag=True,
              help=N_("Accept a key estimated below 128 bits (words, dates, repeated patterns): for tests with fixed "
                   "keys only. Make real keys with `anon keygen -o FILE`."))
@click.option("--strict/--no-strict", default=None, help=N_("Fail closed on kept identifiers (default: the profile's)."))
@click.option("--k", type=click.IntRange(min=1), help=N_("k-anonymity target on the key quasi-identifiers."))
@click.option("--l", "l_", type=float, help=N_("l-diversity target (with --sensitive)."))
@click.option("--l-variant", type=click.Choice(["distinct", "entropy", "recursive"]))
@click.option("--c", "c_", type=float, help=N_("c of recursive (c,l)-diversity."))
@click.option("--t", "t_", type=click.FloatRange(0, 1), help=N_("t-closeness target (with --sensitive)."))
@click.option("--l-estimator", type=click.Choice(["shannon", "grassberger"]),
              help=N_("Entropy estimator of --l-variant entropy (default shannon; ARX's Grassberger)."))
@click.option("--t-variant", "--t-distance", "t_variant", type=click.Choice(["equal", "ordered", "hierarchical"]),
              help=N_("t-closeness ground distance (default equal; hierarchical uses the sensitive column's hierarchy)."))
@click.option("--beta", type=click.FloatRange(min=0, min_open=True), help=N_("beta-likeness target (with --sensitive)."))
@click.option("--beta-variant", type=click.Choice(["basic", "enhanced"]), help=N_("beta-likeness variant (default enhanced)."))
@click.option("--k-map", type=click.IntRange(min=1), help=N_("k-map target estimated from the population (ARX's KMap "
              "with an estimator; needs --population or --sampling-fraction; --hierarchies mode)."))
@click.option("--k-map-estimator", type=click.Choice(["poisson", "zero-truncated-poisson"]),
              help=N_("Population cell-size estimator of --k-map (default poisson, as ARX)."))
@click.option("--significance", type=click.FloatRange(0, 1), help=N_("Significance level of --k-map (default 0.01)."))
@click.option("--population", type=PopulationSize(), metavar="N|REGION",
              help=N_("Population size N the table was drawn from, or one of ARX's regions (usa, france, "
                      "european-union...)."))
@click.option("--sampling-fraction", type=click.FloatRange(0, 1, min_open=True),
              help=N_("Sampling fraction n/N (alternative to --population)."))
@click.option("--delta-presence", metavar="DMIN,DMAX", help=N_("delta-presence (ARX's DPresence): DATA is a research "
              "subset of --population-table; each class's share of it must lie in [DMIN, DMAX] (--hierarchies mode)."))
@click.option("--population-table", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help=N_("The population table DATA was drawn from (delta-presence)."))
@click.option("--max-average-risk", type=click.FloatRange(0, 1), help=N_("Highest average re-identification risk "
              "of the released records (ARX's AverageReidentificationRisk; --hierarchies mode)."))
@click.option("--max-sample-uniques", type=click.FloatRange(0, 1), help=N_("Highest share of released records alone "
              "in their class (ARX's SampleUniqueness; --hierarchies mode)."))
@click.option("--max-population-uniques", type=click.FloatRange(0, 1), help=N_("Highest estimated share of the "
              "population unique on the quasi-identifiers (ARX's PopulationUniqueness; needs --population or "
              "--sampling-fraction; --hierarchies mode)."))
@click.option("--population-model", type=click.Choice(["pitman", "zayatz", "snb", "dankar"]),
              help=N_("Estimator of --max-population-uniques (default dankar, as ARX)."))
@click.option("--time-budget", type=click.FloatRange(min=0.1), help=N_("Seconds for the optimal search before the "
              "documented heuristic takes over (the report then says exact: false) [default: the policy's, else "
              "{time_budget}, in every mode; docs/search.md]."))
@click.option("--max-suppression", type=click.FloatRange(0, 1), help=N_("Largest share of records that may be suppressed."))
@click.option("--metric", type=click.Choice(["loss", "entropy", "entropy-mono", "discernibility", "dm-star", "precision",
                                            "precision-mono", "aecs", "height"]),
              help=N_("Information loss the search minimises (ARX's definitions, docs/search.md)."))
@click.option("--gs-factor", type=click.FloatRange(0, 1),
              help=N_("Loss's gs-factor (ARX): 0.5 weighs generalisation and suppression alike [default 0.5]."))
@click.option("--hierarchies", "hierarchies_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help=N_("ARX hierarchies folder: every <x>_hierarchy_<COL>.csv declares COL a quasi-identifier."))
@click.option("--sensitive", help=N_("Comma-separated sensitive columns (l-diversity, t-closeness, risk report)."))
@click.option("--insensitive", help=N_("Comma-separated columns kept as they are (hierarchies mode)."))
@click.option("--to", "out_format", type=click.Choice(WRITABLE),
              help=N_("Output format (default: the input's)."))
@click.option("--delimiter", help=N_("Force the input CSV delimiter."))
@click.option("--encoding", help=N_("Force the input encoding."))
@click.option("--no-report", is_flag=True, help=N_("Skip the risk report."))
@click.option("--no-rescan", is_flag=True, help=N_("Skip the re-scan of the output (the leak search always runs)."))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=N_("Summary on stdout: text, or the manifest as JSON."))
@click.option("--keep-formulas", is_flag=True,
              help=N_("CSV output: keep cells starting with =, +, -, @, tab or CR as they are. By default they "
                   "get a leading ' so a spreadsheet shows them instead of running them (CSV injection); plain "
                   "numbers such as -12,5 are never changed. See docs/security.md."))
@click.option("--force", is_flag=True, help=N_("Replace existing output files."))
@click.option("--batch-rows", type=click.IntRange(min=1), default=None,
              help=N_("Rows per batch (default: about 5 million cells, 27,600 rows of a 181-column table; 50,000 "
                   "per partition with --engine dask): memory grows with it, results do not depend on it."))
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help=N_("local: stream batches in this process. dask: partitions on a Dask cluster; DATA may be a "
                   "folder or glob of CSV/Parquet parts and OUT is written as a folder of parts (see docs/scaling.md)."))
@click.option("--scheduler", metavar="ADDRESS", help=N_("Dask scheduler of an existing cluster (tcp://host:8786); "
              "default: a local cluster of --workers processes."))
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help=N_("Processes. local (default 1): passes 2 and 3 (transforms, leak search) over N processes, output identical, "
                   "memory about N+1 times pass 2's. dask (default 2): workers of the local cluster "
                   "(without --scheduler)."))
def command(data: Path, output: Path | None, profile: str, policy_path: Path | None, key_file: Path | None,
            weak_key_ok: bool,
            strict: bool | None, k: int | None, l_: float | None, l_variant: str | None, c_: float | None,
            t_: float | None, t_variant: str | None, l_estimator: str | None, beta: float | None,
            beta_variant: str | None, k_map: int | None, k_map_estimator: str | None, significance: float | None,
            population: int | None, sampling_fraction: float | None, delta_presence: str | None,
            population_table: Path | None, max_average_risk: float | None, max_sample_uniques: float | None,
            max_population_uniques: float | None, population_model: str | None, time_budget: float | None, max_suppression: float | None, metric: str | None,
            gs_factor: float | None, hierarchies_dir: Path | None,
            sensitive: str | None, insensitive: str | None, out_format: str | None, delimiter: str | None,
            encoding: str | None, no_report: bool, no_rescan: bool, fmt: str, keep_formulas: bool, force: bool,
            engine: str,
            batch_rows: int | None, scheduler: str | None, workers: int | None) -> None:
    """Write a copy of DATA that is safe for its purpose, plus a manifest and a risk report."""
    from anonymizer.transform.pseudonymize import load_key

    # the key first: a bad or missing one is said before any byte of the data is read
    key = load_key(key_file=key_file, weak_ok=weak_key_ok) if (key_file or _env_key()) else None
    if key_file is not None:
        from anonymizer.keys import file_too_open

        if (warning := file_too_open(key_file)) is not None:
            click.echo(_('anon: warning: {warning}').format(warning=warning), err=True)
    if key is None and hierarchies_dir is None:
        _refuse_without_key(profile, policy_path)

    from rich.console import Console

    from anonymizer.engine.sanitize import SanitizeOptions, sanitize
    from anonymizer.memory import freeze_imports

    freeze_imports()  # the modules just imported: no later full collection walks them again
    if output is None:  # <input>.<profile><the output format's extension>: another format, another name
        ext = default_extension(out_format) if out_format else data.suffix
        output = data.with_name(f"{data.stem}.{Path(profile).stem}{ext}")
    elif (conflict := extension_conflict(output, out_format)) is not None:
        raise UsageError(conflict)
    read_opts = {k2: v for k2, v in {"delimiter": delimiter, "encoding": encoding}.items() if v}
    opts = SanitizeOptions(
        profile=profile, policy_path=policy_path, key=key, strict=strict,
        overrides={"k": k, "l": l_, "l_variant": l_variant, "c": c_, "t": t_, "t_variant": t_variant,
                   "l_estimator": l_estimator, "beta": beta, "beta_variant": beta_variant,
                   "time_budget": time_budget, "max_suppression": max_suppression, "metric": metric,
                   "gs_factor": gs_factor, "k_map": k_map, "k_map_estimator": k_map_estimator,
                   "significance": significance, "population": population, "sampling_fraction": sampling_fraction,
                   "delta_presence": _delta(delta_presence),
                   "population_table": str(population_table) if population_table else None,
                   "max_average_risk": max_average_risk, "max_sample_uniques": max_sample_uniques,
                   "max_population_uniques": max_population_uniques, "population_model": population_model},
        hierarchies_dir=hierarchies_dir, sensitive=_split(sensitive), insensitive=_split(insensitive),
        out_format=out_format, report=not no_report, rescan=not no_rescan, force=force, read_opts=read_opts,
        batch_rows=batch_rows, workers=(workers or 1) if engine == "local" else 1, keep_formulas=keep_formulas,
    )
    err = Console(stderr=True)
    with err.status(_("sanitizing…")) as status:
        if engine == "dask":
            from anonymizer.engine.distributed import sanitize_dask

            result = sanitize_dask(data, output, opts, scheduler=scheduler, workers=workers or 2,
                                   progress=lambda msg: status.update(escape(msg)))
        else:
            result = sanitize(data, output, opts, progress=lambda msg: status.update(escape(msg)))
    if fmt == "json":
        import json

        click.echo(json.dumps(result.manifest, indent=2, ensure_ascii=False))
    else:
        out = Console()
        state = _("[green]released[/green]") if result.released else _("[red]NOT released[/red]")
        out.print(f"{state}: {escape(str(result.output))}")
        out.print(_('manifest   : {value}').format(value=escape(str(result.manifest_path))))
        rows = (result.manifest.get("input") or {}).get("rows") or 0
        total = (result.manifest.get("timings_s") or {}).get("total") or 0
        if total > 0:
            out.print(_('throughput : {rows} rows in {total} s ({value} rows/s)').format(
                rows=number(rows), total=number(total, 1), value=number(rows / total)))
        if result.risk_json:
            out.print(escape(_('risk report: {risk_html} (and {name})').format(risk_html=result.risk_html, name=result.risk_json.name)))
        privacy = result.manifest.get("privacy") or {}
        reached = privacy.get("reached") or {}
        if reached.get("groups"):  # whole-record privacy
            known = privacy.get("attacker_knows") or []
            out.print(_('privacy    : k={k} over the {known} column(s) an attacker knows; {value} record(s) suppressed')
                      .format(k=reached['k'], known=len(known), value=number(reached.get('suppressed_records', 0))))
        elif reached.get("k"):
            out.print(escape(_('privacy    : k={k} on {items}; levels {value}; {value2} record(s) suppressed').format(k=reached['k'], items=', '.join(reached.get('quasi_identifiers', [])), value=reached.get('levels'), value2=reached.get('suppressed_records', 0))))
        elif reached.get("levels"):  # hierarchies mode without k (k-map, delta-presence, risk thresholds)
            out.print(escape(_('privacy    : levels {value}; {value2} record(s) suppressed').format(
                value=reached['levels'], value2=number(reached.get('suppressed_records', 0)))))
        if reached.get("exact") is False:  # the time budget (or the lattice's size) cut the optimal search
            out.print(escape(_("search     : {value}").format(value=reached.get('search') or 'heuristic')))
        attack = privacy.get("attack") or {}
        if attack:
            a, t = attack["attacker_known"], attack["thresholds"]
            line = _("attack     : {mean} mean success (at most {max_mean}), {unique} of {persons} people "
                     "re-identified uniquely (at most {max_unique})").format(
                mean=percent(a["mean_success"]), max_mean=percent(t["max_mean_success"]),
                unique=number(a["unique_reidentified"]), persons=number(a["persons_attacked"]),
                max_unique=percent(t["max_unique_reidentified_share"]))
            raw = attack.get("same_attack_on_the_input")
            if raw:
                line += _("; on the input: {mean}, {unique} unique").format(
                    mean=percent(raw["mean_success"]), unique=number(raw["unique_reidentified"]))
            out.print(line)
        _print_verdict(result.risk_json, out)
    if not result.released:
        problems = "; ".join(result.problems[:5])
        raise PrivacyTargetError(_('verification failed, output not released: {problems}').format(problems=problems))


def _delta(text: str | None) -> list[float] | None:
    """``DMIN,DMAX`` of --delta-presence."""
    if text is None:
        return None
    try:
        low, high = (float(x) for x in text.split(","))
    except ValueError:
        raise UsageError(_("--delta-presence takes DMIN,DMAX, two numbers between 0 and 1 (e.g. 0,0.2)")) from None
    if not 0 <= low <= high <= 1:
        raise UsageError(_("--delta-presence needs 0 <= DMIN <= DMAX <= 1"))
    return [low, high]


def _print_verdict(risk_json: Path | None, console) -> None:
    """The verdict of the run's risk report, printed last so it is what the user reads."""
    if risk_json is None or not risk_json.exists():
        return
    import json

    from anonymizer.report.terminal import render_verdict

    verdict = json.loads(risk_json.read_text(encoding="utf-8")).get("verdict")
    if verdict:
        console.print()
        render_verdict(verdict, console)


def key_needed(profile: str, policy_path: Path | None) -> str | None:
    """Why this run will need a secret key, read from the policy or profile alone (None: it will
    not): an action that pseudonymises, fakes, shifts, noises or redacts is keyed."""
    from anonymizer.transform import KEYED_ACTIONS

    if policy_path is not None:
        from anonymizer.policy import load_policy

        columns = load_policy(policy_path).get("columns") or {}
        keyed = sorted({str(c.get("action")) for c in columns.values() if isinstance(c, dict)} & KEYED_ACTIONS)
        return _("the policy {name} uses {actions}").format(name=policy_path.name, actions=", ".join(keyed)) if keyed else None
    from anonymizer.policy.profiles import load_profile

    roles = load_profile(profile).get("roles") or {}
    actions = set()
    for rules in roles.values():
        actions.add(str((rules.get("default") or {}).get("action")))
        actions |= {str(e.get("action")) for e in (rules.get("entities") or {}).values() if isinstance(e, dict)}
    keyed = sorted(actions & KEYED_ACTIONS)
    return _("the {profile} profile uses {actions}").format(profile=Path(profile).stem,
                                                             actions=", ".join(keyed)) if keyed else None


def _refuse_without_key(profile: str, policy_path: Path | None) -> None:
    why = key_needed(profile, policy_path)
    if why:
        raise UsageError(_('this run needs a secret key ({why}): give --key-file FILE or set ANON_KEY. Make one with `anon keygen -o FILE`, keep it out of the repository and reuse it for every release (README: the secret key)').format(why=why))


def _env_key() -> bool:
    import os

    return bool(os.environ.get("ANON_KEY"))
