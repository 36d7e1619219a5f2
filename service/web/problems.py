"""RFC 9457 problem details: every API error is ``application/problem+json``.

``ApiProblem`` is raised by views; Werkzeug's HTTP errors (404, 405, 413 …) and validation
errors are turned into the same shape, so a client handles one format.
"""
from __future__ import annotations

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from ..storage.base import StorageUnavailable, TransientConflict

PROBLEM_MIME = "application/problem+json"


class ApiProblem(Exception):
    def __init__(self, status: int, title: str, detail: str | None = None, errors: list | None = None,
                 headers: dict | None = None):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors
        self.headers = headers or {}


def problem_response(status: int, title: str, detail: str | None = None, errors: list | None = None,
                     headers: dict | None = None) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "instance": request.path}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIME)
    response.headers.update(headers or {})
    return response


def register_problem_handlers(app: Flask) -> None:
    @app.errorhandler(ApiProblem)
    def _api_problem(exc: ApiProblem):
        return problem_response(exc.status, exc.title, exc.detail, exc.errors, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code and exc.code >= 400 and not request.path.startswith("/api/"):
            return exc  # the web page keeps Werkzeug's HTML errors
        return problem_response(exc.code or 500, exc.name, exc.description)

    @app.errorhandler(StorageUnavailable)
    @app.errorhandler(TransientConflict)
    def _storage_unavailable(exc: Exception):
        app.logger.warning("storage unavailable: %s", exc)
        return problem_response(503, "Service Unavailable",
                                "the database cannot be reached or is busy; nothing was written, retry later",
                                headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return problem_response(500, "Internal Server Error", "the error was logged")
