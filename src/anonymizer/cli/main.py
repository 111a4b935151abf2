"""The ``anon`` entry point: a tiny group that loads one module per command on demand.

Commands are imported lazily so that ``anon --help`` and light commands start fast
(spaCy and Presidio are only imported by the commands that need them).
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from anonymizer import __version__
from anonymizer.cli.translated import TranslatedMixin, lang_option, translate_click
from anonymizer.errors import OUT_OF_MEMORY, AnonError, caused_by_memory
from anonymizer.i18n import N_

# command name -> module under anonymizer.cli exposing a click command called ``command``
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("generate", N_("Write a fictitious CAF-style beneficiary extract (and its ground truth).")),
    "scan": ("scan", N_("Find identifiers, quasi-identifiers, sensitive columns and PII in free text.")),
    "sanitize": ("sanitize", N_("Apply a profile/policy and privacy targets; write a safe copy, manifest and report.")),
    "risk": ("risk", N_("Measure re-identification risk (k, prosecutor, journalist, l, t, SUDA...).")),
    "check": ("check", N_("CI gate: pass/fail every table under the given paths.")),
    "evaluate": ("evaluate", N_("Score one generalisation (ARX hierarchies, given levels) with every quality metric.")),
    "convert": ("convert", N_("Read a table in any supported format and write it in another (atomic).")),
    "keygen": ("keygen", N_("Write a new random 256-bit secret key to a file readable by you only (0600).")),
}


class CliError(click.ClickException):
    """An :class:`AnonError` on its way out: one line on stderr, the error's exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:  # noqa: D102 - click API
        click.echo(error_line(self.format_message()), err=True)


def error_line(message: str) -> str:
    """``anon: error: <message>``, the one line every failure ends with (translated)."""
    from anonymizer.i18n import _

    return _("anon: error: {message}").format(message=message)


class LazyGroup(TranslatedMixin, click.Group):
    """A click group whose subcommands are imported only when used; its help is translated when shown."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from anonymizer.i18n import language_from_args, set_language

        set_language(language_from_args(args))  # this command line's, else $ANON_LANG / the locale's
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name = COMMANDS[cmd_name][0]
        try:
            module = importlib.import_module(f"anonymizer.cli.{module_name}")
        except ModuleNotFoundError as exc:  # a command not built in this version
            if exc.name == f"anonymizer.cli.{module_name}":
                return None
            raise
        return module.command

    def invoke(self, ctx: click.Context):
        from anonymizer.i18n import _

        try:
            return super().invoke(ctx)
        except AnonError as exc:
            if caused_by_memory(exc):
                raise CliError(_(OUT_OF_MEMORY), 2) from None
            raise CliError(str(exc), exc.exit_code) from None  # translated where it was raised
        except MemoryError:  # never a traceback, even when the machine's limit is reached
            raise CliError(_(OUT_OF_MEMORY), 2) from None
        except OSError as exc:  # permissions, disk full, file too large, a name too long...: the path and why
            if caused_by_memory(exc):
                raise CliError(_(OUT_OF_MEMORY), 2) from None
            from anonymizer.fsfaults import os_fault

            raise CliError(os_fault(exc), 2) from None
        except KeyboardInterrupt as exc:  # before click turns it into "Aborted!" and exit 1
            raise CliError(*interrupted(exc)) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from anonymizer.i18n import _

        rows = [(name, _(COMMANDS[name][1])) for name in self.list_commands(ctx)]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)


EPILOG = N_("""\b
Examples:
  anon generate -o extract.csv                 # fictitious 10,204-row example
  anon scan extract.csv --write-policy policy.yaml
  anon keygen -o secret.key                    # a random 256-bit key, mode 0600
  anon sanitize extract.csv --profile training --key-file secret.key -o safe.csv
  anon risk safe.csv --qi DTNAIS,SEXE,CODCOM --sensitive AAH_MT
  anon check course-material/

\b
Exit codes: 0 done (released, passed), 1 privacy targets or verification failed (nothing
released) or a check found a problem, 2 bad input, policy, usage or an operating-system fault
(permissions, disk full...), 3 an internal error (please report it), 130 interrupted (SIGINT,
Ctrl-C), 143 terminated (SIGTERM). A stopped run publishes nothing.
""")


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="anon")
def cli() -> None:
    """anon: make tabular datasets about people safe to share."""


cli.params.append(lang_option())
translate_click()


# Exit codes of a run stopped by a signal: the shell's convention (128 + the signal's number),
# never 1, which means "verification failed". Documented in `anon --help` and docs/security.md.
EXIT_SIGINT, EXIT_SIGTERM = 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so it unwinds like Ctrl-C."""


def _terminated(_signum, _frame) -> None:
    # SIGTERM (kill, a CI timeout, a batch scheduler) unwinds like Ctrl-C, so temporary and
    # staging files are removed by their context managers instead of being left behind
    raise Terminated


def interrupted(exc: BaseException) -> tuple[str, int]:
    """The line and exit code of a run stopped by SIGINT (130) or SIGTERM (143)."""
    from anonymizer.i18n import _

    if isinstance(exc, Terminated):
        return _("terminated (SIGTERM); nothing was published"), EXIT_SIGTERM
    return _("interrupted (SIGINT); nothing was published"), EXIT_SIGINT


def _exit_now(code: int) -> None:
    """End a run stopped by a signal now. The unwinding has already removed its temporaries; a
    library thread left waiting in the middle of a read (pyarrow's read-ahead) would otherwise
    keep the interpreter from finishing its shutdown, and a terminated run must end."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; expected failures become one line on stderr and a non-zero exit."""
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    if not os.environ.get("ANON_DEBUG"):
        # an error a library meets while it is garbage-collected (openpyxl's writer after a full
        # disk) is printed by Python as a traceback: the run's own one-line error already said it
        sys.unraisablehook = lambda _unraisable: None
    from anonymizer.memory import anon_process, tune_allocator

    tune_allocator()  # before any thread starts: its arena cap applies to every command
    anon_process()  # the process is anon's: a command may freeze its imports for the collector
    try:
        cli.main(args=argv, prog_name="anon")
    except SystemExit as exc:
        if exc.code in (EXIT_SIGINT, EXIT_SIGTERM):
            _exit_now(int(exc.code))
        raise
    except KeyboardInterrupt as exc:
        message, code = interrupted(exc)
        click.echo(error_line(message), err=True)
        _exit_now(code)
    except Exception as exc:  # noqa: BLE001 - the last line of defence, see internal_error
        if os.environ.get("ANON_DEBUG"):
            raise
        message, code = internal_error(exc)
        click.echo(error_line(message), err=True)
        sys.exit(code)


INTERNAL_ERROR_EXIT = 3


def internal_error(exc: BaseException) -> tuple[str, int]:
    """One line for an exception no command expected, and its exit code.

    A traceback would show the exception's message, which may quote a cell of the data (a
    library's parse error does), so only the exception's type is named; ``ANON_DEBUG=1``
    lets it through. A thread that cannot start lacks memory for its stack: that is the
    machine's limit, said as such.
    """
    from anonymizer.i18n import _

    if caused_by_memory(exc) or (isinstance(exc, RuntimeError) and "can't start new thread" in str(exc)):
        return _(OUT_OF_MEMORY), 2
    return (_("internal error ({kind}): the run stopped (no output is left half-written). Please report it; "
              "ANON_DEBUG=1 shows the traceback (it may quote data)").format(kind=type(exc).__name__),
            INTERNAL_ERROR_EXIT)
