"""The base of every typed setting: strict pydantic models that fail closed, and the one-line error.

A key the model does not know is an error, never ignored: ``generalize {"tp": 90}`` would
otherwise mean no top-coding, a privacy tool failing open. Values are type-checked strictly
(``k: "5"`` is refused, as the JSON Schema did). Errors become one line naming the file, the
path in it and the key, never the value found there (a policy's values may quote the data it
was written for).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from anonymizer.errors import AnonError, PolicyError
from anonymizer.i18n import N_, _

_TYPE_WORDS = {
    "int_type": N_("must be an integer"), "int_parsing": N_("must be an integer"), "int_from_float": N_("must be an integer"),
    "float_type": N_("must be a number"), "float_parsing": N_("must be a number"), "bool_type": N_("must be true or false"),
    "bool_parsing": N_("must be true or false"), "string_type": N_("must be a text"), "list_type": N_("must be a list"),
    "dict_type": N_("must be a mapping"), "model_type": N_("must be a mapping"), "model_attributes_type": N_("must be a mapping"),
    "date_type": N_("must be a date"), "none_required": N_("must be null"), "finite_number": N_("must be a finite number"),
}
_BOUNDS = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}


def suggestion(key: str, known: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest known key, or ``""``."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return _(" (did you mean '{key}'?)").format(key=close[0]) if close else ""


class StrictModel(BaseModel):
    """Unknown keys are refused (with the closest known key), types are checked strictly."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for key in data:
                if key not in cls.model_fields:
                    message = cls.unknown_key(str(key)) + suggestion(str(key), list(cls.model_fields))
                    raise PydanticCustomError("unknown_key", "{message}", {"message": message})
        return data

    @classmethod
    def unknown_key(cls, key: str) -> str:
        return _("unknown key '{key}'").format(key=key)

    @classmethod
    def field_default(cls, name: str) -> Any:
        """The declared default of field ``name`` (the one place it is written)."""
        return cls.model_fields[name].get_default(call_default_factory=True)


def _path(loc: tuple, data: Any) -> list[str]:
    """The part of ``loc`` that walks through ``data`` (union and validator tags are dropped)."""
    out: list[str] = []
    node = data
    for part in loc:
        in_map = isinstance(node, Mapping) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_map or in_list):
            break
        node = node[part]
        out.append(str(part))
    return out


def describe(exc: ValidationError, data: Any) -> tuple[str, str]:
    """(path, reason) of the first error, in words that never quote the value."""
    err = exc.errors(include_url=False, include_input=False)[0]
    loc, kind, ctx = tuple(err.get("loc") or ()), err["type"], err.get("ctx") or {}
    path = _path(loc, data)
    if kind == "missing":
        return "/".join(path), _("'{key}' is required").format(key=loc[-1])
    if kind in _TYPE_WORDS:
        reason = _(_TYPE_WORDS[kind])
    elif kind in _BOUNDS:
        bound = next(iter(ctx.values()), "")
        reason = _("must be {op} {bound}").format(op=_BOUNDS[kind], bound=bound)
    elif kind in ("literal_error", "enum"):
        reason = _("must be one of {names}").format(
            names=str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", "))
    elif kind == "value_error":
        reason = str(err["msg"]).removeprefix("Value error, ")
    else:
        reason = str(err["msg"])
    return "/".join(path), reason


def check(model: type[StrictModel], data: Any, *, origin: str, where: str = "",
          error: type[AnonError] = PolicyError, context: dict[str, Any] | None = None) -> Any:
    """``model`` validated from ``data``, or ``error`` with one line ``origin: path: reason``."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        path, reason = describe(exc, data)
        full = "/".join(p for p in (where, path) if p) or _("top level")
        raise error(_("{origin}: {where}: {reason}").format(origin=origin, where=full, reason=reason)) from None


class ActionParams(StrictModel):
    """The parameters a column action reads from a policy, declared next to the action's code.

    Subclasses name ``action``; ``context`` (pydantic validation context) carries the column's
    ``entity`` where it is known, for checks that depend on it (generalize's default method).
    Parameters the engine injects at run time (``redact``'s ``detector``) are not fields: a
    policy file cannot set them.
    """

    action: ClassVar[str] = ""

    @classmethod
    def unknown_key(cls, key: str) -> str:
        return f"unknown parameter '{key}' of {cls.action}" + ("" if cls.model_fields else " (it takes none)")

    @classmethod
    def fail(cls, message: str) -> PydanticCustomError:
        """An error from a model validator, about this action's parameters (names keys, not values)."""
        return PydanticCustomError("action_param", "{message}", {"message": f"{cls.action}: {message}"})
