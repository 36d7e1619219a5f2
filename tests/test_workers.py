"""Several gunicorn workers over one store: a write through any worker is visible to all at once."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

from service.settings import ROOT

from .test_durability import free_port, post


def test_write_through_one_worker_is_seen_by_every_worker_within_a_second(tmp_path):
    port = free_port()
    env = {**os.environ, "COUNTERCLAIM_DATA_DIR": str(tmp_path / "data"), "COUNTERCLAIM_WORKERS": "2",
           "COUNTERCLAIM_BIND": f"127.0.0.1:{port}", "COUNTERCLAIM_SCORER": "cues", "COUNTERCLAIM_WRITE_KEYS": "[]"}
    # The server's log goes to a file: an unread pipe fills up (one JSON line per request) and
    # blocks the workers that write to it.
    log = open(tmp_path / "gunicorn.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "service/gunicorn_conf.py", "service.wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        pids = set()
        deadline = time.time() + 180
        while len(pids) < 2 and time.time() < deadline:  # wait until both workers answer
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/healthz", headers={"Connection": "close"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    pids.add(response.headers.get("X-Worker-PID"))
            except OSError:
                time.sleep(0.3)
        assert len(pids) == 2, "both workers should answer: " + (tmp_path / "gunicorn.log").read_text()[-2000:]
        for round_ in range(5):
            text = f"The harbour toll will triple next spring, round {round_}."
            sid = post(port, "/api/v1/statements", {"actor": "Port Authority", "text": text})["items"][0]["id"]
            written = time.monotonic()
            seen_by = set()
            while time.monotonic() - written < 1.0 and len(seen_by) < 2:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/search?q=harbour+toll+triple&k=10",
                                                 headers={"Connection": "close"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    hits = json.loads(response.read())["items"]
                    if any(h["statement"]["id"] == sid for h in hits):
                        seen_by.add(response.headers.get("X-Worker-PID"))
                    else:
                        raise AssertionError(f"worker {response.headers.get('X-Worker-PID')} served a stale index")
            assert seen_by == pids, f"round {round_}: seen by {seen_by} of {pids} within 1 s"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
