"""Start-up: ``serve`` answers at once and says what it is loading, at least every 5 s, until ready;
readiness is separate from liveness."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from service.settings import ROOT
from service.web.startup import LoadingGate, Progress

from .servers import free_port


def call(app, path: str):
    seen = {}

    def start_response(status, headers):
        seen.update(status=status, headers=dict(headers))

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    return seen["status"], seen["headers"], json.loads(body)


def test_while_loading_liveness_answers_and_everything_else_is_503_with_retry_after():
    gate = LoadingGate()
    gate.step = "loading the models"
    status, _, body = call(gate, "/api/v1/healthz")
    assert status.startswith("200") and body == {"status": "starting", "step": "loading the models"}
    for path in ("/api/v1/readyz", "/api/v1/search", "/"):
        status, headers, body = call(gate, path)
        assert status.startswith("503") and headers["Retry-After"] == "5" and "loading the models" in body["detail"]
        assert headers["Content-Type"] == "application/problem+json"
    gate.open(lambda environ, start_response: start_response("204 No Content", []) or [b"{}"])
    assert call(gate, "/api/v1/search")[0].startswith("204")


def test_a_long_step_is_reported_at_least_every_few_seconds():
    lines = []
    progress = Progress(lines.append, every_s=0.1)
    with progress.step("loading the models"):
        time.sleep(0.35)
    assert lines[0].endswith("loading the models …") and sum("still loading the models" in line for line in lines) >= 2


def test_readiness_is_open_and_says_nothing_else(tmp_path, engine):
    from service import create_app

    from .conftest import make_config

    client = create_app(make_config(tmp_path, read_keys=["desk:secret"]), engine=engine).test_client()
    assert client.get("/api/v1/search?q=x").status_code == 401
    ready = client.get("/api/v1/readyz")
    assert ready.status_code == 200 and ready.json == {"ready": True}


def test_serve_answers_at_once_and_reports_progress_until_ready(tmp_path):
    """A first start (fixtures to load) of the shipped judge: every line within 5 s of the last."""
    port = free_port()
    env = {**os.environ, "COUNTERCLAIM_RATE_LIMIT_ENABLED": "false", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "service", "--data-dir", str(tmp_path / "data"), "serve",
                                "--port", str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=lambda: [lines.append((time.monotonic(), line.rstrip())) for line in process.stdout],
                              daemon=True)
    started = time.monotonic()
    reader.start()
    statuses = []
    try:
        while time.monotonic() - started < 300 and not any("ready:" in line for _, line in lines):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/readyz", timeout=2) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
            except OSError:
                pass
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/readyz", timeout=10) as response:
            assert response.status == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
    ready_at = next(t for t, line in lines if "ready:" in line) - started
    print(f"ready {ready_at:.1f} s after start; lines: {[line for _, line in lines]}")
    assert 503 in statuses  # the port answered while loading
    times = [started] + [t for t, line in lines if not line.startswith("{")]
    assert max(b - a for a, b in zip(times, times[1:])) <= 5.5
