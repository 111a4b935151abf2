"""``anon check``: the CI gate. Pass/fail every table under the given paths; exit 0 / 1 / 2."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from anonymizer.cli.translated import TranslatedCommand
from anonymizer.i18n import N_, _

EPILOG = N_("""\b
Examples:
  anon check .                                   # the whole repository (honours .gitignore, .anonignore)
  anon check data/ notebooks/ --format sarif -o anon.sarif
  anon check . --format junit -o anon-junit.xml  # GitLab / Jenkins test report
  anon check cours.qmd tp1.ipynb extrait.xlsx    # named files (pre-commit passes staged files)
  anon check . --config anon.toml --no-cache --no-ner

\b
A file passes when the scan finds no direct identifier, no personal data in free
text, and (for a table about people) k >= 5 on the key quasi-identifiers found in
it, record risk <= 0.2 and, for frequency tables, no count under 11. An `anon
sanitize` manifest (<name>.manifest.json, e.g. safe.csv.manifest.json) that vouches for the file's exact bytes
only makes its declared fakes expected: they are checked against sanitize's marks,
and every other rule still applies. Settings: [check] in anon.toml or
[tool.anon.check] in pyproject.toml (see docs/check.md).

\b
A file that cannot be read (or runs over its time / size budget) is UNCHECKED and
fails the gate unless allow_unchecked lists it; binary files, links out of the
repository, FIFOs and devices are SKIPPED (listed, never opened).

\b
Exit codes: 0 every file passes; 1 at least one file fails (even if another is
unchecked); 2 bad usage, or an unchecked file and no failure.
""")


@click.command(cls=TranslatedCommand, epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Settings file (anon.toml or pyproject.toml); default: found by walking up from PATHS."))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit"]), default="text",
              show_default=True, help=N_("Report format."))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help=N_("Write the report to this file (atomic) instead of stdout."))
@click.option("--force", is_flag=True, help=N_("Replace an existing report file."))
@click.option("--no-cache", is_flag=True, help=N_("Re-check every file (neither read nor write the cache)."))
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help=N_("Cache folder (default: $ANON_CACHE_DIR, else $XDG_CACHE_HOME/anon/check or ~/.cache/anon/check); "
                   "never one inside the checked repository."))
@click.option("--no-ner", is_flag=True, help=N_("Skip spaCy name recognition in free text (faster, finds fewer names)."))
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help=N_("Worker processes (default: one per core, at most 4, when 16+ files need checking)."))
@click.option("-q", "--quiet", is_flag=True, help=N_("No progress bar."))
def command(paths: tuple[Path, ...], config_path: Path | None, fmt: str, output: Path | None, force: bool,
            no_cache: bool, cache_dir: Path | None, no_ner: bool, jobs: int | None, quiet: bool) -> None:
    """Fail when a file under PATHS may identify people (tables, XLSX sheets, notebook outputs, Markdown blocks)."""
    from anonymizer.check.config import load_config
    from anonymizer.check.output import render
    from anonymizer.check.runner import check_paths
    from anonymizer.errors import UsageError

    if not paths:
        raise UsageError(_("give at least one file or folder to check (e.g. `anon check .`)"))
    import os

    for p in paths:
        if not os.path.lexists(p):
            raise UsageError(_('{p}: no such file or folder').format(p=p))
    config = load_config(list(paths), config_path)
    if no_ner:
        config.ner = False
    if output is not None:
        from anonymizer.io import check_output_path

        check_output_path(output, force=force, inputs=[p for p in paths if p.is_file()])

    progress = None
    bar = None
    if not quiet and sys.stderr.isatty():
        from rich.markup import escape
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task("checking", total=None)
        bar.start()

        def progress(rel: str) -> None:
            bar.update(task, description=escape(f"checking {rel[-50:]}"), advance=1)  # a path is not markup

    try:
        run = check_paths(list(paths), config, use_cache=not no_cache, jobs=jobs, progress=progress,
                          cache_dir=cache_dir)
    finally:
        if bar is not None:
            bar.stop()
    text = render(run, fmt)
    if output is not None:
        from anonymizer.io import atomic_output

        with atomic_output(output) as fh:
            fh.write(text)
        if fmt != "text":
            click.echo(render(run, "text"), err=True, nl=False)
    else:
        click.echo(text, nl=False)
    sys.exit(run.exit_code())
