"""Start-up for ``serve``: the port answers at once, and the console says what is loading.

Loading the models and, on a first start, the fixtures takes from seconds to a minute or more. Until
then the port is served by ``LoadingGate``: liveness (``/api/v1/healthz``) answers 200 with the
step under way, readiness (``/api/v1/readyz``) and every other path 503 problem details with
``Retry-After``; once loaded, the gate hands every request to the app. ``Progress`` prints each step
as it starts and a line at least every ``every_s`` seconds while one runs.
"""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from typing import Callable

PROBLEM_MIME = "application/problem+json"
LIVENESS, READINESS = "/api/v1/healthz", "/api/v1/readyz"


class LoadingGate:
    def __init__(self):
        self.app = None
        self.step = "starting"

    def open(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        if self.app is not None:
            return self.app(environ, start_response)
        if environ.get("PATH_INFO") == LIVENESS:
            return _json(start_response, "200 OK", "application/json", {"status": "starting", "step": self.step})
        return _json(start_response, "503 Service Unavailable", PROBLEM_MIME,
                     {"type": "about:blank", "title": "Starting", "status": 503,
                      "detail": f"the server is still loading ({self.step}); retry in a few seconds"},
                     [("Retry-After", "5")])


def _json(start_response, status: str, mime: str, body: dict, headers: list | None = None):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", mime), ("Content-Length", str(len(data))), *(headers or [])])
    return [data]


class Progress:
    """``with progress.step("loading the models"):`` prints the step, then "still <step> (12 s)" every
    ``every_s`` seconds until it ends; ``gate.step`` follows it."""

    def __init__(self, echo: Callable[[str], None], gate: LoadingGate | None = None, every_s: float = 4.0):
        self.echo, self.gate, self.every_s = echo, gate, every_s
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @contextmanager
    def step(self, what: str):
        if self.gate is not None:
            self.gate.step = what
        self.echo(f"[{self.elapsed():5.1f} s] {what} …")
        done = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(what, done), daemon=True)
        beat.start()
        try:
            yield
        finally:
            done.set()
            beat.join()

    def _heartbeat(self, what: str, done: threading.Event) -> None:
        while not done.wait(self.every_s):
            self.echo(f"[{self.elapsed():5.1f} s] still {what}")
