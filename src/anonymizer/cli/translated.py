"""``--help`` and click's own messages in the user's language, at no start-up cost.

Click reads a command's help texts when its module is imported, before the language is known
(``--lang`` may come later on the command line). So the texts are written in English and marked
with :func:`~anonymizer.i18n.N_` (the catalog extracts them), and :class:`TranslatedCommand`
translates them when the help is *shown*: the command's docstring, its options' ``help``, its
epilog, and the groups' command list. Click's own words ("Usage:", "Missing argument",
"Show this message and exit.") go through click's ``gettext`` calls, which :func:`translate_click`
points at anon's catalog. The language comes from ``--lang`` anywhere on the command line (read
before click parses it, so ``anon --help --lang fr`` is French too), else ``$ANON_LANG``, else the
locale (:func:`anonymizer.i18n.language`). Column names and values are never translated.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from collections.abc import Iterator

import click

from anonymizer.i18n import LANGUAGES, N_, N_plural, _, language_from_args, ngettext, set_language

#: click's messages a user meets (help layout, usage errors), for the catalog.
CLICK_MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."), N_("Show the version and exit."),
    N_("Error: {message}"), N_("Try '{command} {option}' for help."), N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"), N_("Missing argument"), N_("Missing option"), N_("Missing parameter"),
    N_("No such option {name!r}."), N_("No such command {name!r}."), N_("Missing command."),
    N_("{value!r} is not a valid {number_type}."), N_("{value} is not in the range {range}."),
    N_("{name} {filename!r} does not exist."), N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."), N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."), N_("file"), N_("directory"), N_("path"), N_("default: {default}"),
    N_("required"), N_("env var: {var}"), N_("Aborted!"), N_("Option {name!r} does not take a value."),
    N_("%(prog)s, version %(version)s"), N_("Positional arguments"),
)
CLICK_PLURALS = (
    N_plural("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    N_plural("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    N_plural("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
)
LANG_HELP = N_("Language of messages, help and reports: fr or en (default: $ANON_LANG, else French when the "
               "locale is French).")


def translate_click() -> None:
    """Route click's ``gettext`` / ``ngettext`` calls (bound in each of its modules) to anon's catalog."""
    for name in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui"):
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = _
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext


def _set_language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        set_language(value)
    return value


def lang_option() -> click.Option:
    """``--lang fr|en``, on the group and on every command (``anon sanitize --lang en --help``)."""
    return click.Option(["--lang"], type=click.Choice(list(LANGUAGES)), is_eager=True, expose_value=False,
                        callback=_set_language, help=LANG_HELP)


def translate(text: str, fields: dict[str, str] | None = None) -> str:
    """A help text in the language in force, its ``{field}``s filled from ``fields``."""
    out = _(text)
    if out == text:  # a docstring: the catalog has it as Python cleans it (its indentation removed)
        out = _(inspect.cleandoc(text))
    for name, value in (fields or {}).items():
        out = out.replace("{" + name + "}", value)
    return out


@contextlib.contextmanager
def translated(command: click.Command) -> Iterator[None]:
    """``command``'s help texts translated for the block, then put back (a test may show the help
    in both languages in one process)."""
    fields = getattr(command, "help_fields", None)
    saved = (command.help, command.epilog, command.short_help)
    params = [(p, p.help) for p in command.params if isinstance(p, click.Option)]
    try:
        command.help, command.epilog, command.short_help = (translate(t, fields) if t else t for t in saved)
        for p, h in params:
            p.help = translate(h, fields) if h else h
        yield
    finally:
        command.help, command.epilog, command.short_help = saved
        for p, h in params:
            p.help = h


class TranslatedMixin:
    """What a command and the group share: translated help, ``--lang`` read before parsing."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated(self):  # type: ignore[arg-type]
            super().format_help(ctx, formatter)  # type: ignore[misc]

    def get_short_help_str(self, limit: int = 45) -> str:
        with translated(self):  # type: ignore[arg-type]
            return super().get_short_help_str(limit)  # type: ignore[misc]

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        lang = language_from_args(args)
        if lang is not None:  # before click parses: `--help` may come first and is eager too
            set_language(lang)
        return super().parse_args(ctx, args)  # type: ignore[misc]


class TranslatedCommand(TranslatedMixin, click.Command):
    """A command whose help is shown in the user's language; ``help_fields`` fills ``{field}``s of
    its help texts (defaults computed in code, such as a time budget)."""

    def __init__(self, *args, help_fields: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.help_fields = help_fields or {}
        if not any(p.name == "lang" for p in self.params):
            self.params.append(lang_option())
