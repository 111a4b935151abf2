"""Shared fixtures: where the public benchmark data lives and an in-process CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Tests read anon's English messages; a French locale on the machine must not change them (the
# tests of the French texts set ANON_LANG themselves). Subprocesses inherit it.
os.environ["ANON_LANG"] = "en"


def shared_data_dir() -> Path:
    """``../shared/data`` beside the checkout (CI puts it there), or $ANON_SHARED_DATA."""
    env = os.environ.get("ANON_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "adult" / "adult.csv").exists():
        pytest.skip(f"public benchmark data not found at {path} (set ANON_SHARED_DATA to its folder)")
    return path


@pytest.fixture
def run_cli():
    """Run ``anon ARGS...`` in-process and return click's Result (exit_code, stdout, stderr)."""
    from click.testing import CliRunner

    from anonymizer.cli.main import cli

    def _run(*args: str, env: dict[str, str] | None = None, input: str | None = None):
        return CliRunner().invoke(cli, [str(a) for a in args], env=env, input=input)

    return _run


#: Whole files of long tests (killed runs, brute-force searches, Dask clusters, end-to-end
#: releases, the NER model on whole extracts, 10,000-column tables): marked ``slow`` so ``make
#: test`` stays under three minutes; ``make test-all`` (and CI, ``.ci/run``) runs them too.
#: Measured with ``pytest --durations=0`` (and per file: the NER model load alone costs 10-20 s).
SLOW_FILES = frozenset({
    "engine/test_kill.py", "privacy/test_search_bruteforce.py", "scale/test_dask_engine.py",
    "privacy/test_search_arx.py", "engine/test_training_e2e.py", "engine/test_no_real_identity.py",
    "check/test_check_gate.py", "engine/test_freetext_levels.py", "test_memory.py",
    "io/test_io_property.py", "synth/test_synth_determinism.py", "attack/test_linkage.py",
    "privacy/test_arx_metrics_cli.py", "privacy/test_arx_dpresence_cli.py",
    "privacy/test_search_unlimited_cli.py",
    "detect/test_wide.py", "detect/test_ground_truth.py", "detect/test_vocab_recycle.py",
    "detect/test_french_headers.py", "engine/test_wide_sanitize.py", "detect/test_token_match_demo.py",
})

#: Single long tests of files whose other tests stay fast (file -> test names; a parametrized
#: test is named whole, or one case as ``name[case]``).
SLOW_TESTS: dict[str, frozenset[str]] = {
    "check/test_check_rules.py": frozenset({"test_names_in_a_comment_field_need_the_ner_pass"}),
    "check/test_check_trust.py": frozenset({
        "test_dev_zero_link_fifo_and_link_loops_each_get_a_clear_result_at_once",
        "test_a_300_sheet_workbook_is_read_sheet_by_sheet_within_budget", "test_one_odd_sheet_among_300_is_checked_alone",
        "test_a_file_over_its_time_budget_is_unchecked_not_hung"}),
    "engine/test_sanitize.py": frozenset({
        "test_a_failing_worker_fails_the_run_and_publishes_nothing", "test_same_key_same_bytes_other_key_other_tokens",
        "test_progress_counts_rows_per_pass_and_the_cli_prints_throughput"}),
    # the same bytes whatever the batch size: engine/test_sanitize.py's small-batch test stays fast
    "scale/test_streaming.py": frozenset({"test_local_engine_small_batches_same_bytes"}),
    # property tests with hundreds of generated dates each (the parser's other properties stay fast)
    "values/test_dates.py": frozenset({"test_every_date_the_recognizer_finds_is_parsed_to_the_same_day",
                                       "test_every_year_less_date_the_recognizer_finds_is_a_day_and_month_of_the_calendar"}),
    "faults/test_reading.py": frozenset({"test_mixed_utf8_and_cp1252_is_refused_with_the_line_of_the_first_bad_byte",
                                         "test_a_five_megabyte_cell_is_read"}),
    "faults/test_keys.py": frozenset({"test_the_manifest_fingerprint_is_salted_per_release"}),
    # ARX's six risk-based optima on the whole of Adult (5-40 s each); the small checks stay fast
    "privacy/test_arx_riskbased_cli.py": frozenset({
        "test_risk_based_models_match_arx", "test_search_finds_the_exhaustive_optimum[dankar-0.0]",
        "test_search_finds_the_exhaustive_optimum[dankar-0.02]"}),
    # --help stays fast (its imports are what the test guards); the commands on a table are slow
    "test_startup.py": frozenset({"test_a_table_without_free_text_is_scanned_and_measured_without_presidio_or_spacy",
                                  "test_a_sanitize_without_free_text_imports_neither_presidio_nor_spacy",
                                  "test_stop_words_are_spacys_without_importing_its_french_language"}),
    # the fault corpus: one case per kind of fault stays fast (the decompression bombs, a minute each
    # under load, are all slow), the same fault in every command is slow
    "faults/test_corpus.py": frozenset(
        f"test_fault_is_one_line_with_its_exit_code_and_nothing_written[{case}]" for case in (
            "convert-fifo", "risk-fifo", "scan-device", "policy-fifo", "sanitize-loop", "convert-loop", "risk-loop",
            "convert-nodir", "generate-nodir", "scan-nodir", "risk-nodir", "sanitize-long", "generate-long",
            "convert-ro", "scan-ro", "risk-ro", "check-ro", "generate-ro", "convert-fsize-xlsx", "sanitize-fsize",
            "generate-fsize", "sanitize-bomb", "risk-bomb", "scan-bomb-profile", "scan-headerless", "convert-headerless"))
    # SIGTERM stays fast (its 143), SIGINT's 130 is slow; the markup test runs the NER scan
    | {"test_a_signal_gives_its_conventional_exit_code_and_publishes_nothing[2-130]",
       "test_rich_markup_in_column_names_is_shown_as_written"},
}


def pytest_collection_modifyitems(config, items) -> None:
    tests = REPO / "tests"
    for item in items:
        try:
            rel = Path(str(item.fspath)).resolve().relative_to(tests).as_posix()
        except ValueError:
            continue
        slow = SLOW_TESTS.get(rel, frozenset())
        if rel in SLOW_FILES or item.name in slow or item.name.split("[")[0] in slow:
            item.add_marker(pytest.mark.slow)
