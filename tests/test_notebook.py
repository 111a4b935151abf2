"""examples/quickstart.ipynb runs from top to bottom (its code cells in order, in one namespace,
as a kernel would: nbclient is not a dependency of the project)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "quickstart.ipynb"


def run_notebook(path: Path) -> dict:
    """Execute the notebook's code cells in order in one namespace; returns the namespace.
    Only Python code cells are supported: a cell starting with ``!`` or ``%`` is an error."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["nbformat"] == 4
    namespace: dict = {"__name__": "__main__"}
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        assert not source.lstrip().startswith(("!", "%")), f"cell {i}: shell and magic lines are not run here"
        exec(compile(source, f"{path.name}[cell {i}]", "exec"), namespace)  # noqa: S102
    return namespace


def test_quickstart_notebook_runs_and_releases(monkeypatch):
    monkeypatch.delenv("ANON_KEY", raising=False)
    ns = run_notebook(NOTEBOOK)
    df, result = ns["df"], ns["result"]
    assert result.released and result.manifest["released"] is True
    assert isinstance(result.data, pd.DataFrame) and list(result.data.columns) == list(df.columns)
    released = set(result.data["NIR"].astype(str)) | set(result.data["MAIL"].astype(str))
    originals = {v for v in [*df["NIR"], *df["MAIL"]] if v}  # missing e-mails are ""
    assert originals and not released & originals, "an original NIR or e-mail was released"
    assert ns["roles"]["NIR"] == "identifier"
    assert ns["risk"]["k_anonymity"]["k_achieved"] == int(df.groupby(["SEXE", "DTNAIS", "CODCOM"]).size().min())


def test_the_notebook_keeps_no_outputs():
    """Committed without outputs: a stored output could hold values of the example data."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
