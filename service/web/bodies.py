"""Request bodies are read whole before the app sees them, bounded in size and in time.

* Size: Werkzeug caps a body without a length (``Transfer-Encoding: chunked``) at the limit and stops
  reading without a word, so a 9 MiB chunked body was cut at 8 MiB and its valid start stored. Here a
  length-less body is read up to the limit plus one byte: past the limit the answer is 413 problem
  details; otherwise the body is handed on with its length, like any other.
* Time: a client that trickles its body holds a server thread. A body must keep up a minimum data
  rate after a grace period (Kestrel's ``MinRequestBodyDataRate``; nginx's ``client_body_timeout``);
  one that falls behind, or stalls a read past the server's socket timeout, gets 408; under gunicorn
  the watchdog of ``slow_clients`` also closes the slow ones beyond a cap.
"""
from __future__ import annotations

import io
import json
import time
from typing import Callable

from .slow_clients import READS

PROBLEM_MIME = "application/problem+json"


class BodyTooSlow(Exception):
    pass


class BoundedBodies:
    def __init__(self, app, limit_for: Callable[[str], int], min_rate: int = 0, grace_s: float = 30.0):
        self.app, self.limit_for = app, limit_for  # limit_for(path) -> bytes allowed
        self.min_rate, self.grace_s = min_rate, grace_s  # bytes/s after grace_s (0: no minimum)

    def __call__(self, environ, start_response):
        limit = self.limit_for(environ.get("PATH_INFO", ""))
        length_less, length = _length_less_body(environ), _content_length(environ)
        if length_less:
            size = limit + 1
        elif 0 < length <= limit:
            size = length
        else:
            return self.app(environ, start_response)  # no body, or one Flask refuses by its length alone
        client = environ.get("gunicorn.socket")  # under gunicorn, its watchdog holds the read to a deadline
        if client is not None:
            READS.start(client, self.grace_s + (size / self.min_rate if self.min_rate else 3600.0))
        try:
            body = self.read_at_most(environ["wsgi.input"], size, client)
        except (BodyTooSlow, TimeoutError):
            return _problem(environ, start_response, 408, "Request Timeout", "the request body arrived too slowly "
                            f"(at least {self.min_rate} bytes/s after {self.grace_s:g} s)")
        finally:
            if client is not None:
                READS.done(client)
        if len(body) > limit:
            return _problem(environ, start_response, 413, "Request Entity Too Large",
                            f"the request body is larger than {limit} bytes")
        if len(body) < size and not length_less:
            return _problem(environ, start_response, 400, "Bad Request", "the request body ended before its Content-Length")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = False
        return self.app(environ, start_response)

    def read_at_most(self, stream, size: int, client=None) -> bytes:
        parts, left, started = [], size, time.monotonic()
        while left > 0:
            part = stream.read(min(left, 1 << 16))
            if not part:
                break
            parts.append(part)
            left -= len(part)
            if client is not None:
                READS.progress(client, size - left)
            if self.min_rate and time.monotonic() - started > self.grace_s + (size - left) / self.min_rate:
                raise BodyTooSlow()
        return b"".join(parts)


def _length_less_body(environ) -> bool:
    """A body that ends where the server says (chunked), not at a Content-Length. A request with
    neither is left alone: on some servers its input is the raw socket, and reading it would wait."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return True  # Transfer-Encoding wins over any Content-Length (RFC 9112), as Werkzeug reads it
    if environ.get("CONTENT_LENGTH"):
        return False
    return bool(environ.get("wsgi.input_terminated") and environ.get("REQUEST_METHOD") in ("POST", "PUT", "PATCH"))


def _content_length(environ) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _problem(environ, start_response, status: int, title: str, detail: str):
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail,
                       "instance": environ.get("PATH_INFO", "")}).encode()
    start_response(f"{status} {title}", [("Content-Type", PROBLEM_MIME), ("Content-Length", str(len(body))),
                                         ("Connection", "close")])
    return [body]
