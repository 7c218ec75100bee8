"""Request body validation helpers that raise ApiError naming the bad field."""

from __future__ import annotations

import re
from typing import Any

from flask import request

from handoff.errors import ApiError

_ID = re.compile(r"^[A-Za-z0-9_.:\-]+$")


def json_body() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send a JSON body (Content-Type: application/json)")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_json", "the body must be a JSON object")
    return body


def text(body: dict[str, Any], field: str, max_chars: int, required: bool = True) -> str | None:
    value = body.get(field)
    if value is None:
        if required:
            raise ApiError(400, "missing_field", f"'{field}' is required", field)
        return None
    if not isinstance(value, str):
        raise ApiError(400, "bad_type", f"'{field}' must be a string", field)
    value = value.strip()
    if required and not value:
        raise ApiError(400, "empty", f"'{field}' must not be empty", field)
    if len(value) > max_chars:
        raise ApiError(400, "too_long", f"'{field}' is longer than {max_chars} characters", field)
    return value


def identifier(body: dict[str, Any], field: str, max_chars: int, required: bool = True) -> str | None:
    value = text(body, field, max_chars, required)
    if value is not None and not _ID.match(value):
        raise ApiError(400, "bad_format", f"'{field}' may contain letters, digits and _.:- only", field)
    return value


def integer(body: dict[str, Any], field: str, lo: int, hi: int) -> int:
    value = body.get(field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(400, "bad_type", f"'{field}' must be an integer", field)
    if not lo <= value <= hi:
        raise ApiError(400, "out_of_range", f"'{field}' must be between {lo} and {hi}", field)
    return value


def query_int(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "bad_type", f"query parameter '{name}' must be an integer", name) from None
    if not lo <= value <= hi:
        raise ApiError(400, "out_of_range", f"query parameter '{name}' must be between {lo} and {hi}", name)
    return value
