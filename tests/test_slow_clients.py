"""The parts that keep slow clients from holding threads, each on its own: when a request counts as
arrived (gunicorn's worker waits for that in its event loop), the body's minimum data rate, and the
watchdog's deadline and cap. The production server under many slow clients: tests/test_adversarial.py."""
from __future__ import annotations

import io
import json
import socket
import time
from types import SimpleNamespace

import pytest

from service.gunicorn_worker import arrival, gather
from service.web.bodies import BoundedBodies
from service.web.slow_clients import SlowReads


@pytest.fixture
def pair():
    server, client = socket.socketpair()
    server.setblocking(False)
    yield server, client
    server.close()
    client.close()


@pytest.mark.parametrize("sent, expected", [
    (b"", "empty"),
    (b"GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n", "partial"),
    (b"GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n\r\n", "in"),
    (b"POST /api/v1/statements HTTP/1.1\r\nContent-Length: 10\r\n\r\n[1,2", "partial"),
    (b"POST /api/v1/statements HTTP/1.1\r\ncontent-length: 4\r\n\r\n[12]", "in"),
    (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[12]\r\n", "partial"),
    (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[12]\r\n0\r\n\r\n", "in"),
    (b"POST /x HTTP/1.1\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n", "in"),
    (b"POST /x HTTP/1.1\r\nContent-Length: 10000000\r\n\r\n" + b" " * (64 * 1024), "in"),  # then read by the app
    (b"GET /x HTTP/1.1\r\nX-Big: " + b"x" * (128 * 1024), "in"),  # for gunicorn to refuse (431)
])
def test_a_request_counts_as_arrived_only_when_all_of_it_is_in(sent, expected):
    assert arrival(sent) == expected


def test_the_bytes_of_a_request_are_gathered_across_reads_and_a_closed_peer_is_gone(pair):
    server, client = pair
    conn = SimpleNamespace(sock=server, parser=None)
    assert gather(conn, deadline=1.0) == "empty"
    client.sendall(b"POST /api/v1/statements HTTP/1.1\r\nContent-Length: 4\r\n\r\n[1")
    assert gather(conn, deadline=2.0) == "partial"
    client.sendall(b"2]")
    assert gather(conn, deadline=3.0) == "in"
    assert conn.gathered.endswith(b"\r\n\r\n[12]") and conn.gather_deadline == 1.0  # from the first attempt
    closed_server, closed_client = socket.socketpair()
    closed_client.close()
    assert gather(SimpleNamespace(sock=closed_server, parser=None), deadline=1.0) == "gone"
    closed_server.close()


class Trickle(io.RawIOBase):
    """A request body that arrives 10 bytes at a time, 20 ms apart."""

    def __init__(self, size: int):
        self.left = size

    def read(self, size=-1):
        time.sleep(0.02)
        part = min(10, self.left)
        self.left -= part
        return b" " * part


def call(middleware, body, length: int):
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/statements", "CONTENT_LENGTH": str(length),
               "wsgi.input": body}
    answer = b"".join(middleware(environ, start_response))
    return seen["status"], answer


def test_a_body_below_the_minimum_data_rate_gets_408_and_never_reaches_the_app():
    reached = []

    def app(environ, start_response):
        reached.append(environ["wsgi.input"].read())
        start_response("201 Created", [])
        return [b"{}"]

    slow = BoundedBodies(app, lambda path: 1 << 20, min_rate=1000, grace_s=0.1)
    status, answer = call(slow, Trickle(5000), 5000)
    assert status.startswith("408") and json.loads(answer)["status"] == 408 and reached == []
    patient = BoundedBodies(app, lambda path: 1 << 20, min_rate=100, grace_s=5.0)
    status, _ = call(patient, Trickle(100), 100)
    assert status.startswith("201") and reached == [b" " * 100]


def test_a_body_shorter_than_its_content_length_is_refused():
    status, answer = call(BoundedBodies(lambda e, s: [], lambda path: 1 << 20), io.BytesIO(b"[1, 2"), 100)
    assert status.startswith("400") and "Content-Length" in json.loads(answer)["detail"]


def peer_answer(sock) -> bytes:
    sock.settimeout(2)
    return sock.recv(4096)


def test_the_watchdog_closes_reads_past_their_deadline_and_the_oldest_slow_ones_beyond_its_cap():
    reads, pairs = SlowReads(), [socket.socketpair() for _ in range(7)]
    reads.configure(min_rate=1000, cap=4)
    overdue = pairs[0]
    reads.start(overdue[0], seconds=0.5)
    for server, _ in pairs[1:]:
        reads.start(server, seconds=60)
        time.sleep(0.01)  # an order of age
    reads.progress(pairs[6][0], 10_000)  # keeps up with the rate: not slow
    assert reads.close_overdue(time.monotonic()) == 0  # nothing slow within the first second
    assert reads.close_overdue(time.monotonic() + 1.5) == 2  # the overdue one, and 5 slow over a cap of 4: 1
    assert peer_answer(overdue[1]).startswith(b"HTTP/1.1 408 Request Timeout")
    assert peer_answer(pairs[1][1]).startswith(b"HTTP/1.1 408 Request Timeout")  # the oldest slow one
    for server, client in pairs[2:]:
        client.setblocking(False)
        with pytest.raises(BlockingIOError):
            client.recv(10)  # still open, nothing said
    for server, client in pairs:
        server.close()
        client.close()
