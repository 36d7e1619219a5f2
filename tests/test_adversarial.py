"""Adversarial run against the production set-up (gunicorn, 2 gthread workers, a write key, the
shipped judge, rate limits on, fixtures loaded): slow clients that trickle their headers and anonymous
callers that keep asking for heavy comparisons must not stall liveness or a keyed read; a chunked
body past the size limit is refused whole; gunicorn's own 431 is problem details; a comparison stops
when its client leaves. More slow clients than the server has threads (headers trickled, bodies
trickled or stalled) are closed with 408 in time, and liveness still answers within 1 s.

Target (issue 13): under 8 trickling connections plus 8 anonymous heavy requesters (and 100 idle
connections), ``/healthz`` and a keyed ``/api/v1/conflicts`` answer within 1 s, every time, for 30 s:
``ADVERSARIAL_SECONDS=30 pytest -s tests/test_adversarial.py`` (the suite runs 12 s, to stay within
CI's time).
"""
from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from service.scoring.judge import JUDGE_DIR

from .servers import free_port, gunicorn, wait_for_both_workers

pytestmark = pytest.mark.skipif(not (JUDGE_DIR / "judge.json").exists(), reason="judge model files not shipped")

SECONDS = float(os.environ.get("ADVERSARIAL_SECONDS", "12"))  # the 30 s: ADVERSARIAL_SECONDS=30
IDLE = 100  # connections opened and left silent
KEY = "desk-secret"
CLAIMS = ["Putin rejected a full ceasefire.", "The energy ceasefire was agreed on 18 March.",
          "Ukraine is ready for a 30-day truce.", "Egg prices are coming down fast.",
          "Britain will send troops to Ukraine.", "The rare earths deal is worth 500 billion dollars.",
          "Russia accepts European peacekeepers.", "The Kursk offensive has ended.",
          "Zelensky refused to sign the minerals deal.", "Energy strikes stopped after the call."]


def get(port, path, headers=None, timeout=5.0) -> tuple[int, float]:
    started = time.monotonic()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Connection": "close", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0  # refused or timed out
    return status, time.monotonic() - started


def trickle(port, stop: threading.Event) -> None:
    """Slowloris: a request whose headers never end, one more header line every 3 s."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(b"GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n")
                while not stop.wait(3.0):
                    sock.sendall(b"X-Slow: 1\r\n")
        except OSError:
            stop.wait(0.5)  # the server closed it: open another


def heavy(port, stop: threading.Event, statuses: Counter, lock: threading.Lock) -> None:
    """Anonymous comparisons, over and over: 10 claims (allowed without a key) and 20 (not)."""
    sent = 0
    while not stop.is_set():
        size, sent = (20 if sent % 5 == 4 else 10), sent + 1
        body = json.dumps({"claims": [{"text": t, "actor": "Anonymous"} for t in (CLAIMS * 2)[:size]], "k": 10}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/compare", data=body,
                                         headers={"Content-Type": "application/json", "Connection": "close"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            time.sleep(0.2)
        except OSError:
            status = 0
        with lock:
            statuses[status] += 1


def post_chunked(port, path, body: bytes) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, body=(body[i:i + 65536] for i in range(0, len(body), 65536)), encode_chunked=True,
                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"})
        return conn.getresponse().status
    finally:
        conn.close()


def send_and_leave(port, path: str, body: bytes, stay_s: float) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer {KEY}"
                     f"\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(stay_s)


def logged_messages(tmp_path) -> list[dict]:
    lines = (tmp_path / "gunicorn.log").read_text(errors="replace").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def statement_count(port) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=10) as response:
        return json.loads(response.read())["statements"]


def test_slow_clients_and_anonymous_heavy_work_do_not_stall_liveness_or_keyed_reads(tmp_path):
    port = free_port()
    stop, lock, heavy_statuses = threading.Event(), threading.Lock(), Counter()
    threads = [threading.Thread(target=trickle, args=(port, stop), daemon=True) for _ in range(8)]
    threads += [threading.Thread(target=heavy, args=(port, stop, heavy_statuses, lock), daemon=True) for _ in range(8)]
    probes = {"/api/v1/healthz": [], "/api/v1/conflicts?q=ceasefire&limit=20": []}
    idle: list[socket.socket] = []
    with gunicorn(tmp_path, port, write_keys=f'["desk:{KEY}"]', load_fixtures="true", scorer="judge",
                  database_url=""):
        wait_for_both_workers(port, tmp_path, path="/api/v1/conflicts?q=ceasefire", deadline_s=240.0, timeout=10.0)
        try:
            # a chunked body past the size limit is refused whole, through gunicorn too
            padded = json.dumps([{"actor": "A", "text": "The bridge opens in May.", "source": "x"}]) + " " * (9 << 20)
            before = statement_count(port)
            assert post_chunked(port, "/api/v1/statements", padded.encode()) == 413
            assert statement_count(port) == before
            # gunicorn's own refusals are problem details too
            oversized = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/healthz", headers={"X-Big": "x" * 10_000})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(oversized, timeout=10)
            assert refused.value.code == 431 and refused.value.headers["Content-Type"] == "application/problem+json"
            assert json.loads(refused.value.read())["status"] == 431
            # a comparison whose client leaves stops judging (not at its 60 s deadline)
            many = json.dumps({"claims": [{"text": t, "actor": "Desk"} for t in CLAIMS * 10], "k": 10}).encode()
            send_and_leave(port, "/api/v1/compare", many, stay_s=2.0)
            left_at, stopped = time.monotonic(), []
            # it stops between claims: on a slow 2-core CPU (AVX2 only, 2026-12-02) one claim's judging took 14.5 s,
            # and over 30 s with a training run on both cores (2026-12-03); the message, not the wait, tells a
            # stop for the client from one at the 60 s deadline
            while not stopped and time.monotonic() - left_at < 50:
                time.sleep(0.5)
                stopped = [m for m in logged_messages(tmp_path) if m["msg"] == "compare stopped: the client left"]
            assert stopped, "judging should stop when the client leaves"
            assert stopped[0]["results"] < len(CLAIMS) * 10
            print(f"comparison stopped {time.monotonic() - left_at:.1f} s after its client left, "
                  f"after {stopped[0]['results']} of {len(CLAIMS) * 10} claims")
            idle += [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(IDLE)]  # say nothing
            for thread in threads:
                thread.start()
            time.sleep(3.0)  # let the slow connections and heavy requests take hold
            ends = time.monotonic() + SECONDS
            while time.monotonic() < ends:
                for path, seen in probes.items():
                    seen.append(get(port, path, headers={"Authorization": f"Bearer {KEY}"}))
                time.sleep(0.5)
        finally:
            stop.set()
            for sock in idle:
                sock.close()
    for path, seen in probes.items():
        worst = max(seconds for _, seconds in seen)
        print(f"{path}: {len(seen)} probes, statuses {dict(Counter(s for s, _ in seen))}, worst {worst * 1000:.0f} ms")
    print(f"anonymous heavy requests: {dict(heavy_statuses)}")
    for path, seen in probes.items():
        assert all(status == 200 for status, _ in seen), path
        assert max(seconds for _, seconds in seen) < 1.0, path
    assert heavy_statuses[401] > 0  # 20 claims without a key: refused


SLOW_SECONDS = float(os.environ.get("SLOW_CLIENT_SECONDS", "8"))
HEADER_TIMEOUT_S, BODY_GRACE_S = 4.0, 2.0


def slow_client(port, kind: str, stop: threading.Event, endings: list, lock: threading.Lock) -> None:
    """One connection after another that never completes its request on time: ``headers`` trickles a
    header line every second; ``body`` sends its headers, then a byte every 0.5 s of a 50 kB body;
    ``stalled`` sends its headers and 10 bytes of the body, then nothing. Records, for each connection
    the server closed, how long it lasted and the status line it got."""
    while not stop.is_set():
        started = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                if kind == "headers":
                    sock.sendall(b"GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n")
                else:
                    sock.sendall(b"POST /api/v1/statements HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: 50000\r\n\r\n" + (b"[" + b" " * 9 if kind == "stalled" else b""))
                sock.settimeout(0.5 if kind == "body" else 1.0)
                answer = b""
                while not stop.is_set():
                    try:
                        chunk = sock.recv(4096)
                    except socket.timeout:
                        if kind != "stalled":
                            sock.sendall(b"X-Slow: 1\r\n" if kind == "headers" else b" ")
                        continue
                    if not chunk:
                        break
                    answer += chunk
        except OSError:
            pass
        if not stop.is_set():
            with lock:
                endings.append((kind, time.monotonic() - started, answer.split(b"\r\n", 1)[0]))


def test_more_slow_clients_than_threads_are_closed_in_time_and_liveness_answers(tmp_path):
    port = free_port()
    stop, lock, endings, seen = threading.Event(), threading.Lock(), [], []
    kinds = ["headers"] * 48 + ["body"] * 16 + ["stalled"] * 8  # gunicorn has 2 x 16 threads
    clients = [threading.Thread(target=slow_client, args=(port, kind, stop, endings, lock), daemon=True) for kind in kinds]
    with gunicorn(tmp_path, port, scorer="cues", database_url="", header_timeout_s=HEADER_TIMEOUT_S,
                  body_grace_s=BODY_GRACE_S, client_io_timeout_s=3):
        wait_for_both_workers(port, tmp_path)
        try:
            for client in clients:
                client.start()
            time.sleep(2.0)
            ends = time.monotonic() + SLOW_SECONDS
            while time.monotonic() < ends:
                seen.append(get(port, "/api/v1/healthz"))
                time.sleep(0.25)
            time.sleep(2.0)
        finally:
            stop.set()
    for kind in ("headers", "body", "stalled"):
        mine = [(seconds, status) for k, seconds, status in endings if k == kind]
        print(f"{kind}: {len(mine)} connections closed, longest {max((s for s, _ in mine), default=0):.1f} s, "
              f"answers {dict(Counter(status for _, status in mine))}")
    print(f"/api/v1/healthz: {len(seen)} probes, statuses {dict(Counter(s for s, _ in seen))}, "
          f"worst {max((s for _, s in seen), default=0) * 1000:.0f} ms")
    assert all(status == 200 for status, _ in seen)
    assert max(seconds for _, seconds in seen) < 1.0
    limits = {"headers": HEADER_TIMEOUT_S, "body": HEADER_TIMEOUT_S, "stalled": HEADER_TIMEOUT_S}
    for kind, limit in limits.items():
        mine = [(seconds, status) for k, seconds, status in endings if k == kind]
        assert mine, kind
        assert all(status == b"HTTP/1.1 408 Request Timeout" for _, status in mine), kind
        # 2.5 s of slack: under the whole suite on 2 cores a slow body was closed at 5.9 s (1.9 s over); a
        # connection the server never closed is not recorded at all (the clients stop first): `assert mine` above
        assert max(seconds for seconds, _ in mine) < limit + 2.5, kind
