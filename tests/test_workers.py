"""Several gunicorn workers over one store: a write through any worker is visible to all at once."""
from __future__ import annotations

import json
import time
import urllib.request

from .servers import free_port, gunicorn, post, wait_for_both_workers


def test_write_through_one_worker_is_seen_by_every_worker_at_once(tmp_path):
    port = free_port()
    with gunicorn(tmp_path, port, scorer="cues", write_keys="[]"):
        pids = wait_for_both_workers(port, tmp_path)
        for round_ in range(5):
            text = f"The harbour toll will triple next spring, round {round_}."
            sid = post(port, "/api/v1/statements", {"actor": "Port Authority", "text": text})["items"][0]["id"]
            written = time.monotonic()
            seen_by = set()
            # every answer after the write must hold it (a stale one fails at once); the kernel, not the
            # service, decides which worker takes each request, so on a loaded machine the second worker
            # may take none for a while: wait up to 10 s for both to have answered
            while time.monotonic() - written < 10.0 and len(seen_by) < 2:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/search?q=harbour+toll+triple&k=10",
                                                 headers={"Connection": "close"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    hits = json.loads(response.read())["items"]
                    if any(h["statement"]["id"] == sid for h in hits):
                        seen_by.add(response.headers.get("X-Worker-PID"))
                    else:
                        raise AssertionError(f"worker {response.headers.get('X-Worker-PID')} served a stale index")
            assert seen_by == pids, f"round {round_}: answered by {seen_by} of {pids} within 10 s"
