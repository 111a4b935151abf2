"""Keeping the catalogs in step with the code: extract every ``_()`` / ``ngettext()`` message (and
those marked for later, ``N_()`` / ``N_plural()``: help texts),
merge them into ``locale/<lang>/LC_MESSAGES/anon.po`` and compile ``anon.mo``.

    python -m anonymizer.i18n_catalog          # update the .po files (new messages get an empty
                                               # translation), then compile them
    python -m anonymizer.i18n_catalog --check  # exit 1 when a message is missing or untranslated

Messages are read from the syntax tree, so those inside f-strings are found too (``xgettext``
misses them). The .mo files are written here, byte for byte in GNU gettext's format, so neither
``msgfmt`` nor Babel is needed to build; ``tests/test_i18n.py`` fails on a missing message.
"""

from __future__ import annotations

import ast
import re
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

from anonymizer.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

PACKAGE = Path(__file__).resolve().parent
_FIELD = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)[^{}]*\}")


@dataclass
class Message:
    msgid: str
    plural: str | None = None
    where: str = ""


def extract(root: Path = PACKAGE) -> dict[str, Message]:
    """Every message the code translates, by msgid (first place it occurs)."""
    found: dict[str, Message] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and _is_click_command(node) and ast.get_docstring(node):
                doc = ast.get_docstring(node)  # a command's help: shown translated by cli.translated
                found.setdefault(doc, Message(doc, None, f"{path.relative_to(root.parent)}:{node.lineno}"))
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            args = node.args
            strings = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            if node.func.id in ("_", "N_") and len(args) == 1 and len(strings) == 1:
                found.setdefault(strings[0], Message(strings[0], None, where))
            elif node.func.id in ("ngettext", "N_plural") and len(strings) >= 2:
                found.setdefault(strings[0], Message(strings[0], strings[1], where))
    return found


def _is_click_command(node: ast.FunctionDef) -> bool:
    """Whether a function is decorated by ``click.command(...)`` / ``click.group(...)``."""
    for dec in node.decorator_list:
        func = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(func, ast.Attribute) and func.attr in ("command", "group"):
            return True
    return False


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def read_po(path: Path) -> dict[str, list[str]]:
    """msgid -> its translations (one, or one per plural form) from a .po file."""
    entries: dict[str, list[str]] = {}
    msgid = plural = None
    strs: dict[int, str] = {}
    field: tuple[str, int] | None = None

    def flush() -> None:
        if msgid is not None and msgid != "":
            entries[msgid] = [strs.get(i, "") for i in range(max(strs) + 1)] if strs else [""]

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line and msgid is not None:
                flush()
                msgid, plural, strs, field = None, None, {}, None
            continue
        if line.startswith("msgid_plural "):
            plural, field = _unquote(line[13:]), ("plural", 0)
        elif line.startswith("msgid "):
            if msgid is not None:
                flush()
                plural, strs = None, {}
            msgid, field = _unquote(line[6:]), ("msgid", 0)
        elif line.startswith("msgstr["):
            i = int(line[7:line.index("]")])
            strs[i], field = _unquote(line[line.index("]") + 2:]), ("msgstr", i)
        elif line.startswith("msgstr "):
            strs[0], field = _unquote(line[7:]), ("msgstr", 0)
        elif line.startswith('"') and field is not None:
            more = _unquote(line)
            if field[0] == "msgid":
                msgid = (msgid or "") + more
            elif field[0] == "plural":
                plural = (plural or "") + more
            else:
                strs[field[1]] = strs.get(field[1], "") + more
    return entries


HEADER = {
    "fr": ('Project-Id-Version: anon\nLanguage: fr\nMIME-Version: 1.0\n'
           'Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n'
           'Plural-Forms: nplurals=2; plural=(n > 1);\n'),
}


def write_po(path: Path, lang: str, messages: dict[str, Message], old: dict[str, list[str]]) -> None:
    """The .po of ``lang``: every extracted message, its translation kept from ``old``."""
    lines = [f"# anon messages, {lang}. Update with: python -m anonymizer.i18n_catalog", 'msgid ""',
             "msgstr " + _quote(HEADER[lang]), ""]
    for msgid in sorted(messages):
        m = messages[msgid]
        have = old.get(msgid, [])
        lines.append(f"#: {m.where}")
        if "{" in msgid:
            lines.append("#, python-brace-format")
        lines.append("msgid " + _quote(msgid))
        if m.plural is not None:
            lines.append("msgid_plural " + _quote(m.plural))
            for i in range(2):
                lines.append(f"msgstr[{i}] " + _quote(have[i] if i < len(have) else ""))
        else:
            lines.append("msgstr " + _quote(have[0] if have else ""))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def write_mo(po: Path, mo: Path, lang: str) -> None:
    """Compile ``po`` into GNU gettext's binary format (what :mod:`gettext` reads)."""
    pairs: dict[bytes, bytes] = {b"": HEADER[lang].encode("utf-8")}
    plurals = {m.msgid: m.plural for m in extract().values() if m.plural}
    for msgid, strs in read_po(po).items():
        if not any(strs):
            continue
        key = msgid if msgid not in plurals else f"{msgid}\0{plurals[msgid]}"
        pairs[key.encode("utf-8")] = "\0".join(strs).encode("utf-8")
    keys = sorted(pairs)
    ids = b"".join(k + b"\0" for k in keys)
    strs = b"".join(pairs[k] + b"\0" for k in keys)
    n = len(keys)
    start = 7 * 4 + 16 * n
    offsets, pos = [], 0
    for k in keys:
        offsets.append((len(k), start + pos))
        pos += len(k) + 1
    str_start = start + len(ids)
    toffsets, pos = [], 0
    for k in keys:
        toffsets.append((len(pairs[k]), str_start + pos))
        pos += len(pairs[k]) + 1
    out = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    out += b"".join(struct.pack("<2I", *o) for o in offsets)
    out += b"".join(struct.pack("<2I", *o) for o in toffsets)
    mo.write_bytes(out + ids + strs)


def fields(text: str) -> set[str]:
    """The named ``{fields}`` of a message: a translation must use the same."""
    return set(_FIELD.findall(text))


def problems(lang: str) -> list[str]:
    """Messages missing, untranslated or with other fields in ``lang``'s catalog."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    have = read_po(po) if po.exists() else {}
    out = []
    for msgid, m in extract().items():
        strs = have.get(msgid)
        if not strs or not all(strs):
            out.append(f"{lang}: no translation of {msgid!r} ({m.where})")
            continue
        wanted = fields(msgid) | (fields(m.plural) if m.plural else set())
        for s in strs:
            if fields(s) - wanted:
                out.append(f"{lang}: the translation of {msgid!r} uses unknown fields {sorted(fields(s) - wanted)}")
    return out


def main(argv: list[str]) -> int:
    messages = extract()
    for lang in LANGUAGES:
        if lang == "en":
            continue
        folder = LOCALE_DIR / lang / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        po = folder / f"{DOMAIN}.po"
        if "--check" not in argv:
            write_po(po, lang, messages, read_po(po) if po.exists() else {})
            write_mo(po, folder / f"{DOMAIN}.mo", lang)
    bad = [p for lang in LANGUAGES if lang != "en" for p in problems(lang)]
    for p in bad:
        print(p, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
