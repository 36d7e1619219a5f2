"""gunicorn's threaded worker, which gives a thread only to a request that has arrived
(``worker_class`` in gunicorn_conf.py).

gthread hands a connection to a worker thread as soon as it has a byte to read, and the thread then
reads the headers (and the app the body) with a blocking socket and no time limit. A client that
trickles one header line every few seconds holds a thread for as long as it likes: a few dozen such
connections took every thread and stalled ``/healthz``. Capping or timing out the threads' reads is
not enough: clients that reconnect keep the pool's queue full of them.

Here a connection waits in the worker's event loop, where it costs no thread, until its request is
all in the socket's buffer (headers, and a body of up to ``GATHER_BODY_MAX`` bytes), as an event-driven
proxy (nginx) would buffer it. One that is not all in ``header_timeout_s`` after it was accepted (or
woke from keep-alive) gets 408 and is closed. Larger bodies are read by the app, held to a minimum
data rate and a cap on slow reads (``service/web/slow_clients.py``); a read of the body or a write of
the answer that makes no progress for ``client_io_timeout_s`` ends the request.
"""
from __future__ import annotations

import re
import selectors
import socket
import threading
import time
from functools import partial

from gunicorn.workers.gthread import ThreadWorker

from service.settings import load_settings
from service.web.slow_clients import READS, refuse_with_408

GATHER_BODY_MAX = 64 * 1024  # a body up to this size is waited for in the event loop (fits a socket buffer)
PEEK_BYTES = 128 * 1024
RECHECK_EVERY_S = 0.05  # requests that arrive in pieces are looked at again this often
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r\n]*chunked", re.IGNORECASE)
EXPECT_CONTINUE = re.compile(rb"\r\nexpect:[ \t]*100-continue", re.IGNORECASE)


class GuardedThreadWorker(ThreadWorker):
    def init_process(self):
        settings = load_settings()
        self.header_timeout_s = settings.header_timeout_s
        self.client_io_timeout_s = settings.client_io_timeout_s
        READS.configure(settings.body_min_rate, settings.slow_connections_max or max(1, self.cfg.threads // 4))
        READS.watch()
        self.gathering: dict = {}  # connection -> deadline: its request is not all in yet
        self.partial: set = set()  # of those, the ones with some bytes in (re-checked on a timer)
        threading.Thread(target=self.tick, name="gathering-recheck", daemon=True).start()
        super().init_process()  # runs the worker's loop; returns only at exit

    def tick(self) -> None:
        while True:
            time.sleep(RECHECK_EVERY_S)
            self.method_queue.defer(self.recheck_gathering)  # on the loop's thread, like all connection state

    # -- main loop thread ------------------------------------------------------------------
    def enqueue_req(self, conn):
        if conn.parser is not None and conn.parser.unreader.buf.getvalue():
            return super().enqueue_req(conn)  # the next request is already read ahead into the parser
        self.gathering[conn] = time.monotonic() + self.header_timeout_s
        self.look_at(conn)

    def look_at(self, conn) -> None:
        state = arrival(conn.sock)
        if state == "in":
            self.stop_gathering(conn)
            conn.data_ready = True  # gthread's handle() then does not wait for data again
            super().enqueue_req(conn)
        elif state == "gone":
            self.stop_gathering(conn)
            self.nr_conns -= 1
            conn.close()
        elif state == "empty":
            self.partial.discard(conn)
            self.watch_readable(conn)
        else:  # "partial": readable already, so the poller would wake at once: the timer looks again
            self.unwatch_readable(conn)
            self.partial.add(conn)

    def recheck_gathering(self) -> None:
        now = time.monotonic()
        for conn, deadline in list(self.gathering.items()):
            if now > deadline:
                self.stop_gathering(conn)
                refuse_with_408(conn.sock)
                self.nr_conns -= 1
                conn.close()
            elif conn in self.partial:
                self.look_at(conn)

    def watch_readable(self, conn) -> None:
        conn.sock.setblocking(False)
        try:
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_gathering_readable, conn))
        except KeyError:
            pass  # registered already

    def unwatch_readable(self, conn) -> None:
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def on_gathering_readable(self, conn, _client):
        self.look_at(conn)

    def stop_gathering(self, conn) -> None:
        self.unwatch_readable(conn)
        self.gathering.pop(conn, None)
        self.partial.discard(conn)

    # -- worker threads ----------------------------------------------------------------------
    def handle_request(self, req, conn):
        if self.client_io_timeout_s:
            conn.sock.settimeout(self.client_io_timeout_s)  # gthread makes the socket blocking again for the next request
        return super().handle_request(req, conn)


def arrival(sock) -> str:
    """How much of the next request is in the socket's buffer: ``in`` (all of it, or so much that
    gunicorn must judge it: oversized headers, a large body), ``partial``, ``empty`` or ``gone``."""
    try:
        data = sock.recv(PEEK_BYTES, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except (BlockingIOError, InterruptedError):
        return "empty"
    except OSError:
        return "gone"
    if not data:
        return "gone"
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return "in" if len(data) >= PEEK_BYTES else "partial"
    head, body = data[:end], len(data) - end - 4
    if EXPECT_CONTINUE.search(head):
        return "in"  # the client sends its body once told to go on
    if CHUNKED.search(head):
        return "in" if body >= GATHER_BODY_MAX or b"\r\n0\r\n\r\n" in data[end:] else "partial"
    length = CONTENT_LENGTH.search(head)
    wanted = min(int(length.group(1)), GATHER_BODY_MAX) if length else 0
    return "in" if body >= wanted else "partial"
