"""Several gunicorn workers over one store: a write through any worker is visible to all at once."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from service.config import ROOT

from .test_durability import free_port, post


def get(port, path) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return json.loads(response.read())


def burst(port, path, size: int = 6) -> list[tuple[str, bytes]]:
    """``size`` simultaneous requests on fresh connections, so that both workers take some."""
    def one(_):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Connection": "close"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers.get("X-Worker-PID"), response.read()
    with ThreadPoolExecutor(size) as pool:
        return list(pool.map(one, range(size)))


def test_write_through_one_worker_is_seen_by_every_worker_within_a_second(tmp_path):
    port = free_port()
    env = {**os.environ, "COUNTERCLAIM_DATA_DIR": str(tmp_path / "data"), "COUNTERCLAIM_WORKERS": "2",
           "COUNTERCLAIM_BIND": f"127.0.0.1:{port}", "COUNTERCLAIM_SCORER": '"cues"', "COUNTERCLAIM_WRITE_KEYS": "[]",
           # With long keep-alive one idle worker tends to accept every new connection; the short
           # one lets both workers answer, which this test needs to see.
           "COUNTERCLAIM_KEEPALIVE": "2"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "service/gunicorn_conf.py", "service.wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        pids = set()
        deadline = time.time() + 180
        while len(pids) < 2 and time.time() < deadline:  # wait until both workers answer
            try:
                pids |= {pid for pid, _ in burst(port, "/api/v1/healthz")}
            except OSError:
                time.sleep(0.3)
        assert len(pids) == 2, "both workers should answer"
        for round_ in range(5):
            text = f"The harbour toll will triple next spring, round {round_}."
            sid = post(port, "/api/v1/statements", {"actor": "Port Authority", "text": text})["items"][0]["id"]
            written = time.monotonic()
            seen_by = set()
            while time.monotonic() - written < 1.0 and len(seen_by) < 2:
                for pid, body in burst(port, "/api/v1/search?q=harbour+toll+triple&k=10"):
                    if not any(h["statement"]["id"] == sid for h in json.loads(body)["items"]):
                        raise AssertionError(f"worker {pid} served a stale index")
                    seen_by.add(pid)
            assert seen_by == pids, f"round {round_}: seen by {seen_by} of {pids} within 1 s"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
