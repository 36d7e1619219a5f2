"""Request bodies still being read by the app, with deadlines: the register used to close
slow clients (``service/web/bodies.py`` registers the reads; gunicorn's worker,
``service/gunicorn_worker.py``, checks them from its event loop, where it also gathers headers and
small bodies, so that only larger bodies are read in a thread at all).

A thread reading a body is held by its client. A read is **slow** when, after a second, less of it
has arrived than the minimum data rate asks. Slow reads beyond a cap per process are closed, the
oldest first, so that fast clients always find a free thread; any read past its deadline is closed
too. Closed means a 408 problem response, then the socket shut: the thread blocked reading it sees
the end of the stream.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass

SLOW_AFTER_S = 1.0


@dataclass
class Read:
    started: float
    deadline: float
    received: int = 0


class SlowReads:
    def __init__(self):
        self.reads: dict = {}  # client socket -> Read
        self.lock = threading.Lock()
        self.min_rate, self.cap = 64 * 1024, 4

    def configure(self, min_rate: int, cap: int) -> None:
        self.min_rate, self.cap = min_rate, cap

    def start(self, sock, seconds: float) -> None:
        now = time.monotonic()
        with self.lock:
            self.reads[sock] = Read(now, now + seconds)

    def progress(self, sock, received: int) -> None:
        with self.lock:
            read = self.reads.get(sock)
            if read is not None:
                read.received = received

    def done(self, sock) -> None:
        with self.lock:
            self.reads.pop(sock, None)

    def close_overdue(self, now: float | None = None) -> int:
        """Close the reads past their deadline and the oldest slow ones beyond the cap; how many."""
        now = time.monotonic() if now is None else now
        with self.lock:
            ordered = sorted(self.reads.items(), key=lambda item: item[1].started)
            overdue = [sock for sock, read in ordered if now > read.deadline]
            slow = [sock for sock, read in ordered if now <= read.deadline and self.is_slow(read, now)]
            closing = overdue + slow[:max(0, len(slow) - self.cap)]
            for sock in closing:
                del self.reads[sock]
        for sock in closing:
            refuse_with_408(sock)
        return len(closing)

    def is_slow(self, read: Read, now: float) -> bool:
        late = now - read.started - SLOW_AFTER_S
        return late > 0 and read.received < self.min_rate * late


READS = SlowReads()  # one per process: gunicorn's worker checks it from its event loop


def raw_problem(status: int, title: str, detail: str) -> bytes:
    """A whole HTTP response in RFC 9457 problem details, for answers written straight to a socket
    (before or outside the app), which then closes."""
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    head = (f"HTTP/1.1 {status} {title}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin1") + body


def refuse_with_408(sock) -> None:
    try:
        # never wait on a client that does not read
        sock.send(raw_problem(408, "Request Timeout", "the request did not arrive in time"), socket.MSG_DONTWAIT)
    except OSError:
        pass
    read_away(sock)  # a socket closed with unread bytes resets the connection, and the 408 is lost
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def read_away(sock, at_most: int = 1 << 20) -> None:
    while at_most > 0:
        try:
            part = sock.recv(65536, socket.MSG_DONTWAIT)
        except OSError:
            return
        if not part:
            return
        at_most -= len(part)
