"""Running out of memory is said as such, in one line, with a non-zero exit — never a traceback,
and never blamed on the file (pyarrow's ArrowMemoryError used to come out as "malformed CSV")."""

from __future__ import annotations

import pyarrow as pa
import pytest

from anonymizer.errors import InputError, caused_by_memory


def _converted(error: BaseException) -> InputError:
    try:
        try:
            raise error
        except pa.ArrowException:
            raise InputError("data.csv: malformed CSV") from None
    except InputError as exc:
        return exc


def test_caused_by_memory_follows_the_chain():
    assert caused_by_memory(pa.ArrowMemoryError("malloc of size 1048576 failed"))
    assert caused_by_memory(MemoryError())
    assert caused_by_memory(_converted(pa.ArrowMemoryError("malloc failed")))
    assert not caused_by_memory(_converted(pa.ArrowInvalid("CSV parse error: expected 3 columns")))
    assert not caused_by_memory(InputError("data.csv: not found"))
    assert not caused_by_memory(None)


@pytest.fixture
def tiny_csv(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("SEXE;DTNAIS;CODPOST\n1;01/02/1980;33000\n2;03/04/1990;33100\n", encoding="utf-8")
    return path


def _arrow_out_of_memory(monkeypatch):
    import anonymizer.io.csvio as csvio

    def fail(*_a, **_k):
        raise pa.ArrowMemoryError("malloc of size 1048576 failed")

    monkeypatch.setattr(csvio.pacsv, "open_csv", fail)
    monkeypatch.setattr(csvio.pacsv, "read_csv", fail)


def _one_line_out_of_memory(result) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("anon: error: out of memory"), result.stderr
    assert "malformed" not in result.stderr and "Traceback" not in result.stderr


def test_risk_says_out_of_memory_not_malformed(run_cli, tiny_csv, monkeypatch):
    _arrow_out_of_memory(monkeypatch)
    _one_line_out_of_memory(run_cli("risk", tiny_csv, "--qi", "SEXE,DTNAIS", "--format", "json"))


def test_a_bare_memory_error_is_one_line_too(run_cli, tiny_csv, monkeypatch):
    import anonymizer.cli.convert as convert

    def fail(*_a, **_k):
        raise MemoryError

    monkeypatch.setattr(convert, "iter_batches", fail)
    out = tiny_csv.with_name("out.csv")
    result = run_cli("convert", tiny_csv, "-o", out)
    _one_line_out_of_memory(result)
    assert not out.exists()


def test_check_reports_the_file_as_unchecked_for_lack_of_memory(run_cli, tiny_csv, monkeypatch):
    import anonymizer.check.runner as runner

    def fail(*_a, **_k):
        raise MemoryError

    monkeypatch.setattr(runner, "evaluate_table", fail)
    result = run_cli("check", tiny_csv, "--format", "json")
    assert result.exit_code == 2  # an unchecked file is not a passed file
    assert "out of memory" in result.output and "internal error" not in result.output
