"""gunicorn's threaded worker, which keeps a thread only for a request that has arrived
(``worker_class`` in gunicorn_conf.py).

gthread hands a connection to a worker thread as soon as it has a byte to read, and the thread then
reads the headers (and the app the body) with a blocking socket and no time limit. A client that
trickles one header line every few seconds holds a thread for as long as it likes: a few dozen such
connections took every thread and stalled ``/healthz``. Capping or timing out the threads' reads is
not enough: clients that reconnect keep the pool's queue full of them.

Here the thread reads what has arrived without waiting. When the request is not all in (headers,
and a body of up to ``GATHER_BODY_MAX`` bytes), the bytes are kept with the connection and it goes
back to the worker's event loop, where it costs no thread, until more arrive; as an event-driven
proxy (nginx) would buffer it. A request not all in ``header_timeout_s`` after its first attempt gets
408 and the connection is closed. Larger bodies are read by the app, held to a minimum data rate
and a cap on slow reads (``service/web/slow_clients.py``); a read of the body or a write of the
answer that makes no progress for ``client_io_timeout_s`` ends the request.

The reading is done in the thread, not in the event loop, and it replaces the thread's first read
rather than adding one: every socket call releases the GIL, and with busy threads the loop's thread
waits up to 5 ms (the switch interval) to get it back.
"""
from __future__ import annotations

import re
import select
import selectors
import socket
import time

from gunicorn.workers.gthread import ThreadWorker

from service.settings import load_settings
from service.web.slow_clients import READS, refuse_with_408

GATHER_BODY_MAX = 64 * 1024  # a body up to this size is waited for outside the threads
GATHER_MAX = 128 * 1024  # more than this without the end of the headers: gunicorn refuses it (431)
DEADLINES_EVERY_S = 0.25
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r\n]*chunked", re.IGNORECASE)
EXPECT_CONTINUE = re.compile(rb"\r\nexpect:[ \t]*100-continue", re.IGNORECASE)
GATHER = object()  # handle()'s answer: not all in yet, back to the event loop


class GuardedThreadWorker(ThreadWorker):
    def init_process(self):
        settings = load_settings()
        self.header_timeout_s = settings.header_timeout_s
        self.client_io_timeout_s = settings.client_io_timeout_s
        READS.configure(settings.body_min_rate, settings.slow_connections_max or max(1, self.cfg.threads // 4))
        # Connections whose request is not all in, waiting for more bytes. An edge-triggered epoll says
        # when more come; the level-triggered poller would wake at once, again and again, for the bytes
        # already there. Only the loop's thread touches these.
        self.waiting: dict = {}  # fd -> connection
        self.more_bytes = select.epoll()
        self.deadlines_checked = 0.0
        super().init_process()  # runs the worker's loop; returns only at exit

    def run(self):
        self.poller.register(self.more_bytes.fileno(), selectors.EVENT_READ, self.on_more_bytes)
        super().run()

    # -- worker threads ----------------------------------------------------------------------
    def handle(self, conn):
        if not self.cfg.is_ssl and not read_ahead(conn):
            state = gather(conn, time.monotonic() + self.header_timeout_s)
            if state == "gone":
                return False
            if state != "in":
                return GATHER
            conn.data_ready = True  # gthread's handle() then does not wait for data again
            conn.init()
            conn.parser.unreader.unread(conn.gathered)
            conn.gathered, conn.gather_deadline = b"", None
        return super().handle(conn)

    def handle_request(self, req, conn):
        if self.client_io_timeout_s:
            conn.sock.settimeout(self.client_io_timeout_s)  # gthread makes the socket blocking again for the next request
        return super().handle_request(req, conn)

    # -- the event loop's thread -------------------------------------------------------------
    def finish_request(self, conn, fs):
        if self.alive and not fs.cancelled() and fs.exception() is None and fs.result() is GATHER:
            conn.sock.setblocking(False)
            self.waiting[conn.sock.fileno()] = conn
            # registered after the thread's read: bytes that came meanwhile are reported at once
            self.more_bytes.register(conn.sock.fileno(), select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLET)
            return
        super().finish_request(conn, fs)

    def on_more_bytes(self, _fileobj):
        for fd, _ in self.more_bytes.poll(0):
            conn = self.stop_waiting(fd)
            if conn is not None:
                self.enqueue_req(conn)

    def murder_pending(self):
        """The loop calls this after each round of events (at least once a second): the deadlines are
        checked here too, without a timer thread (each extra thread that wakes competes for the GIL)."""
        super().murder_pending()
        now = time.monotonic()
        if now - self.deadlines_checked >= DEADLINES_EVERY_S:
            self.deadlines_checked = now
            self.close_overdue(now)
            READS.close_overdue(now)

    def close_overdue(self, now: float) -> None:
        for fd, conn in list(self.waiting.items()):
            if now > conn.gather_deadline:
                self.stop_waiting(fd)
                refuse_with_408(conn.sock)
                self.nr_conns -= 1
                conn.close()

    def stop_waiting(self, fd: int):
        conn = self.waiting.pop(fd, None)
        if conn is not None:
            self.more_bytes.unregister(fd)
        return conn


def read_ahead(conn) -> bool:
    """The next request is already in the parser's buffer (read ahead while draining a body)."""
    return conn.parser is not None and bool(conn.parser.unreader.buf.getvalue())


def gather(conn, deadline: float) -> str:
    """Read what has arrived of the next request, without waiting, into ``conn.gathered``; then say
    how much of it is in (``arrival``), or ``gone`` when the client closed or broke the connection."""
    if getattr(conn, "gather_deadline", None) is None:
        conn.gathered, conn.gather_deadline = b"", deadline
    while len(conn.gathered) < GATHER_MAX:
        try:
            part = conn.sock.recv(GATHER_MAX - len(conn.gathered), socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            break
        except OSError:
            return "gone"
        if not part:
            return "gone" if not conn.gathered else "in"  # a half-closed client may still want its answer
        conn.gathered += part
        if arrival(conn.gathered) == "in":
            break
    return arrival(conn.gathered)


def arrival(data: bytes) -> str:
    """How much of a request ``data`` holds: ``in`` (all of it, or so much that gunicorn must judge
    it: oversized headers, a large body), ``partial`` or ``empty``."""
    if not data:
        return "empty"
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return "in" if len(data) >= GATHER_MAX else "partial"
    head, body = data[:end], len(data) - end - 4
    if EXPECT_CONTINUE.search(head):
        return "in"  # the client sends its body once told to go on
    if CHUNKED.search(head):
        return "in" if body >= GATHER_BODY_MAX or b"\r\n0\r\n\r\n" in data[end:] else "partial"
    length = CONTENT_LENGTH.search(head)
    wanted = min(int(length.group(1)), GATHER_BODY_MAX) if length else 0
    return "in" if body >= wanted else "partial"
