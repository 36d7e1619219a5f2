"""Request bodies without a length (``Transfer-Encoding: chunked``) are held to the same size limit as
the others.

Werkzeug caps such a stream at the limit and stops reading without a word, so a 9 MiB chunked body
was cut at 8 MiB and its valid start stored. This WSGI middleware reads a length-less body up to the
limit plus one byte: past the limit the answer is 413 problem details; otherwise the body is handed
on with its length, like any other.
"""
from __future__ import annotations

import io
import json
from typing import Callable

PROBLEM_MIME = "application/problem+json"


class BoundedChunkedBodies:
    def __init__(self, app, limit_for: Callable[[str], int]):
        self.app, self.limit_for = app, limit_for  # limit_for(path) -> bytes allowed

    def __call__(self, environ, start_response):
        if not _length_less_body(environ):
            return self.app(environ, start_response)
        limit = self.limit_for(environ.get("PATH_INFO", ""))
        body = _read_at_most(environ["wsgi.input"], limit + 1)
        if len(body) > limit:
            return _too_large(environ, start_response, limit)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False
        return self.app(environ, start_response)


def _length_less_body(environ) -> bool:
    """A body that ends where the server says (chunked), not at a Content-Length. A request with
    neither is left alone: on some servers its input is the raw socket, and reading it would wait."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return True  # Transfer-Encoding wins over any Content-Length (RFC 9112), as Werkzeug reads it
    if environ.get("CONTENT_LENGTH"):
        return False
    return bool(environ.get("wsgi.input_terminated") and environ.get("REQUEST_METHOD") in ("POST", "PUT", "PATCH"))


def _read_at_most(stream, size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        part = stream.read(min(left, 1 << 16))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _too_large(environ, start_response, limit: int):
    body = json.dumps({"type": "about:blank", "title": "Request Entity Too Large", "status": 413,
                       "detail": f"the request body is larger than {limit} bytes",
                       "instance": environ.get("PATH_INFO", "")}).encode()
    start_response("413 Request Entity Too Large", [("Content-Type", PROBLEM_MIME), ("Content-Length", str(len(body))),
                                                    ("Connection", "close")])
    return [body]
