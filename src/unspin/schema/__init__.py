"""The JSON Schema of an analysis (``analysis.schema.json``) and a validator.

>>> from unspin.schema import load_schema, validate
>>> load_schema()["properties"]["schema"]["const"]
'1.3'
>>> validate(analysis.to_dict())          # doctest: +SKIP
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any

__all__ = ["SCHEMA_FILE", "load_schema", "validate"]

#: File name of the schema inside this package.
SCHEMA_FILE = "analysis.schema.json"


@functools.lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    raw = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(raw)


def load_schema() -> dict[str, Any]:
    """The analysis JSON Schema (draft 2020-12) as a dict (a fresh copy)."""
    return copy.deepcopy(_schema())


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = _schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate(data: dict[str, Any]) -> None:
    """Check ``data`` (e.g. ``Analysis.to_dict()``) against the schema.

    Raises :class:`jsonschema.ValidationError` for the most relevant error
    when ``data`` does not conform. Only the JSON shape is checked; the
    offsets rule ``text[start:end] == span.text`` is beyond JSON Schema.

    ``jsonschema`` is a test extra, not a runtime dependency of unspin: it is
    imported here, on first call, and an :class:`ImportError` is raised if it
    is not installed (``pip install 'unspin[test]'``).
    """
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(data))
    if error is not None:
        raise error
