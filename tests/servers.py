"""Real server processes for the tests that need them (crash safety, many nodes on one database)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from service.settings import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_dir, port, database_url: str = "", judging: str = "inline") -> subprocess.Popen:
    """``serve`` on ``port``; conflicts judged inside the requests unless ``judging="background"``."""
    env = {**os.environ, "COUNTERCLAIM_SCORER": "cues", "COUNTERCLAIM_WRITE_KEYS": "[]",
           "COUNTERCLAIM_DATABASE_URL": database_url, "COUNTERCLAIM_JUDGING": judging,
           "COUNTERCLAIM_RATE_LIMIT_ENABLED": "false"}  # these tests fire many requests from one address
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "--data-dir", str(data_dir), "serve", "--no-fixtures", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=2)
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
