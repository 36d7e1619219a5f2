"""Real server processes for the tests that need them (crash safety, many nodes on one database,
production gunicorn under races and attack)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from service.settings import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir, port, database_url: str = "", judging: str = "inline") -> subprocess.Popen:
    """``serve`` on ``port``, once ready; conflicts judged inside the requests unless ``judging="background"``."""
    env = {**os.environ, "COUNTERCLAIM_SCORER": "cues", "COUNTERCLAIM_WRITE_KEYS": "[]",
           "COUNTERCLAIM_DATABASE_URL": database_url, "COUNTERCLAIM_JUDGING": judging,
           "COUNTERCLAIM_RATE_LIMIT_ENABLED": "false"}  # these tests fire many requests from one address
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "--data-dir", str(data_dir), "serve", "--no-fixtures", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/readyz", timeout=2)
            return process
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("server did not start")


def post(port, path, body) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def get(port, path) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
        return json.loads(response.read())


@contextmanager
def gunicorn(tmp_path: Path, port: int, **settings) -> Iterator[subprocess.Popen]:
    """Production gunicorn (``service/gunicorn_conf.py``, 2 workers) on ``port`` over ``tmp_path/data``,
    stopped on exit; ``settings`` are ``COUNTERCLAIM_*`` overrides (``scorer="cues"``). Its log goes to
    ``tmp_path/gunicorn.log``: an unread pipe fills up (one JSON line per request) and blocks the
    workers that write to it."""
    env = {**os.environ, "COUNTERCLAIM_DATA_DIR": str(tmp_path / "data"), "COUNTERCLAIM_WORKERS": "2",
           "COUNTERCLAIM_BIND": f"127.0.0.1:{port}", **{f"COUNTERCLAIM_{k.upper()}": str(v) for k, v in settings.items()}}
    with open(tmp_path / "gunicorn.log", "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "service/gunicorn_conf.py", "service.wsgi:app"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            yield server
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_for_both_workers(port: int, tmp_path: Path, path: str = "/api/v1/healthz", deadline_s: float = 180.0,
                          timeout: float = 5.0) -> set[str]:
    """The pids of gunicorn's two workers, once each has answered ``path`` (a new connection each
    time, so that both get one); fails with the end of the server's log if they do not."""
    pids, deadline = set(), time.time() + deadline_s
    while len(pids) < 2 and time.time() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Connection": "close"})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                pids.add(response.headers.get("X-Worker-PID"))
        except OSError:
            time.sleep(0.3)
    assert len(pids) == 2, "both workers should answer: " + (tmp_path / "gunicorn.log").read_text()[-2000:]
    return pids
