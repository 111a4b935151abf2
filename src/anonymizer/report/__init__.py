"""Rendering of the risk report: JSON (stable schema), self-contained HTML, terminal summary."""

from __future__ import annotations

import json

from anonymizer.report.html import render_html
from anonymizer.report.terminal import render_terminal


def render_json(report: dict) -> str:
    """The report as JSON text (keys in a stable order, UTF-8 kept readable)."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


__all__ = ["render_html", "render_json", "render_terminal"]
