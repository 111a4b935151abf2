"""``anon check``: the CI gate for course-material repositories (docs/check.md).

Walks files and folders (``.gitignore`` / ``.anonignore``), reads every table they hold (data files,
workbook sheets, notebook outputs, Markdown blocks), and passes a file when its ``anon sanitize``
manifest vouches for its bytes or when no rule fails on its tables.
"""

from anonymizer.check.config import CheckConfig, config_from_dict, load_config
from anonymizer.check.output import JSON_SCHEMA, render
from anonymizer.check.rules import RULES, Finding, evaluate_table, evaluate_text
from anonymizer.check.runner import CheckRun, FileResult, check_file, check_paths, exit_code

__all__ = [
    "JSON_SCHEMA", "RULES", "CheckConfig", "CheckRun", "FileResult", "Finding", "check_file", "check_paths",
    "config_from_dict", "evaluate_table", "evaluate_text", "exit_code", "load_config", "render",
]
