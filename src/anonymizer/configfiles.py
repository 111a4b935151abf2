"""Configuration files (policies, profiles, column rules, scan reports) read with limits.

A configuration file is small and written by a person: one larger than ``MAX_CONFIG_BYTES``
or whose YAML aliases would expand it by more than ``MAX_ALIAS_EXPANSION`` nodes (a "billion
laughs" bomb: 1 KB that becomes gigabytes once validated or hashed) is refused at once,
before anything is built from it, so nothing is written either. Inputs that are not regular
files (a FIFO, a device) are refused before they are opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from anonymizer.errors import AnonError, UsageError
from anonymizer.fsfaults import os_fault, regular_file

MAX_CONFIG_BYTES = 32 * 1024 * 1024   # a reviewed policy of a 10,000-column table is a few MB
MAX_ALIAS_EXPANSION = 100_000         # nodes that aliases may add beyond the file's own
# libyaml's parser when PyYAML was built with it: the pure-Python composer took 4 s of a
# 2,000-column policy (18 ms a column). Both compose the same node graph (an alias is the very
# node of its anchor, registered before its children), so the limits below measure the same.
YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_config_bytes(path: str | os.PathLike, what: str, error: type[AnonError] = UsageError,
                      limit: int = MAX_CONFIG_BYTES) -> bytes:
    """The bytes of a small file (at most ``limit``), or ``error`` naming the path and the cause."""
    p = Path(path)
    try:
        st = regular_file(p)
    except AnonError as exc:
        raise error(f"{what}: {exc}") from None
    if st.st_size > limit:
        raise error(f"{p}: {what} too large ({st.st_size:,} bytes; at most {limit:,})")
    try:
        with open(p, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise error(f"{what}: {os_fault(exc, p)}") from None
    if len(raw) > limit:
        raise error(f"{p}: {what} too large (more than {limit:,} bytes)")
    return raw


def read_config_text(path: str | os.PathLike, what: str, error: type[AnonError] = UsageError) -> str:
    """The UTF-8 text of a configuration file, or ``error`` naming the path and the cause."""
    p = Path(path)
    raw = read_config_bytes(p, what, error)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(f"{p}: {what} is not UTF-8 text (first bad byte on line {line})") from None


def _expanded_size(root: yaml.Node) -> tuple[int, int]:
    """(distinct nodes, nodes once every alias is expanded) of a composed YAML document.

    Shared nodes are counted once per use, memoised, so a bomb is measured in linear time;
    a node reachable from itself (``&a [*a]``) expands without end."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if done:
            on_path.discard(nid)
            sizes[nid] = 1 + sum(sizes[id(c)] for c in children)
            continue
        if nid in sizes:
            continue
        if nid in on_path:
            raise RecursionError
        on_path.add(nid)
        stack.append((node, True))
        for c in children:
            if id(c) in on_path:
                raise RecursionError
            if id(c) not in sizes:
                stack.append((c, False))
    return len(sizes), sizes[id(root)]


def parse_yaml(text: str, origin: str, what: str, error: type[AnonError] = UsageError) -> Any:
    """``yaml.safe_load`` with the alias limit: the document is composed, measured, then built."""
    try:
        loader = YAML_LOADER(text)  # the pure-Python reader refuses control characters here
    except yaml.YAMLError as exc:
        raise error(f"{origin}: not valid YAML ({type(exc).__name__})") from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise error(f"{origin}: not valid YAML{where} ({type(exc).__name__})") from None
        if node is None:
            return None
        # An alias names an anchor, and an anchor is written with "&": a text without one has no
        # alias (composing it refused any), so nothing to measure. The walk is Python over every
        # node (1.7 s of a 10,000-column policy); a text with "&" anywhere is measured.
        distinct = expanded = 0
        try:
            if "&" in text:
                distinct, expanded = _expanded_size(node)
        except RecursionError:
            raise error(f"{origin}: {what} refused: a YAML alias refers to itself") from None
        if expanded - distinct > MAX_ALIAS_EXPANSION:
            raise error(f"{origin}: {what} refused: its YAML aliases expand it to {expanded:,} nodes "
                        f"(at most {MAX_ALIAS_EXPANSION:,} more than the file's {distinct:,}; an alias bomb?)")
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as exc:
            raise error(f"{origin}: not valid YAML ({type(exc).__name__})") from None
    finally:
        loader.dispose()


def load_yaml_file(path: str | os.PathLike, what: str, error: type[AnonError] = UsageError) -> Any:
    """Read and parse a YAML configuration file with every limit above."""
    return parse_yaml(read_config_text(path, what, error), str(path), what, error)
