"""Running out of memory is said as such, in one line, with a non-zero exit — never a traceback,
and never blamed on the file (pyarrow's ArrowMemoryError used to come out as "malformed CSV")."""

from __future__ import annotations

import errno

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


def test_a_library_that_cannot_be_mapped_or_enomem_is_memory_too():
    # what `anon risk` raised under ulimit -v 300 MiB: pyarrow.parquet's lazy import re-raised
    # the loader's error as "not built with support for the Parquet file format"
    try:
        try:
            raise ImportError("/x/_parquet.so: failed to map segment from shared object")
        except ImportError as inner:
            raise ImportError("The pyarrow installation is not built with support for Parquet") from inner
    except ImportError as exc:
        assert caused_by_memory(exc)
    assert caused_by_memory(OSError(errno.ENOMEM, "Cannot allocate memory"))
    assert not caused_by_memory(OSError(errno.ENOENT, "No such file or directory"))
    assert not caused_by_memory(ImportError("No module named 'dask'"))


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
    def fail(*_a, **_k):
        raise MemoryError

    monkeypatch.setattr("anonymizer.io.iter_batches", fail)  # convert imports it when run
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


def _main_exit(argv: list[str], capsys) -> tuple[int, str]:
    from anonymizer.cli.main import main

    with pytest.raises(SystemExit) as info:
        main([str(a) for a in argv])
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("error, code, says", [
    (ValueError("could not convert '1 85 05 78 006 084 36' to float"), 3, "internal error (ValueError)"),
    (RuntimeError("can't start new thread"), 2, "out of memory"),
])
def test_an_unexpected_exception_is_one_line_without_its_message(tiny_csv, monkeypatch, capsys, error, code, says):
    def fail(*_a, **_k):
        raise error

    monkeypatch.setattr("anonymizer.io.iter_batches", fail)  # convert imports it when run
    monkeypatch.delenv("ANON_DEBUG", raising=False)
    got, err = _main_exit(["convert", tiny_csv, "-o", tiny_csv.with_name("out.parquet")], capsys)
    assert got == code
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("anon: error: ") and says in lines[0], err
    assert "85 05 78" not in err and "Traceback" not in err  # a library message may quote a cell
    assert not tiny_csv.with_name("out.parquet").exists()


def test_anon_debug_lets_the_traceback_through(tiny_csv, monkeypatch):
    from anonymizer.cli.main import main

    def fail(*_a, **_k):
        raise ValueError("boom")

    monkeypatch.setattr("anonymizer.io.iter_batches", fail)  # convert imports it when run
    monkeypatch.setenv("ANON_DEBUG", "1")
    with pytest.raises(ValueError, match="boom"):
        main(["convert", str(tiny_csv), "-o", str(tiny_csv.with_name("out.parquet"))])
