"""JSON API errors: {"error": {"code", "message", "field"}} with a 4xx status."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def error_response(status: int, code: str, message: str, field: str | None = None) -> tuple[Response, int]:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "field": field}}
    return jsonify(body), status


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/console/api/", "/health"))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> tuple[Response, int]:
        return error_response(exc.status, exc.code, exc.message, exc.field)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Any:
        if not _wants_json():
            return exc
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or code)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        app.logger.exception("unhandled error on %s", request.path)
        if _wants_json():
            return error_response(500, "internal", "internal error; the request was logged")
        return "Internal error; it was logged.", 500
