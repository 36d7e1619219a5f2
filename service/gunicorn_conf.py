"""gunicorn settings: ``gunicorn -c service/gunicorn_conf.py service.wsgi:app``.

Workers are not forked from a preloaded app: each loads its own models and index (ONNX Runtime and
FAISS are not fork-safe once their thread pools exist); each embeds on ``worker_embed_threads`` threads.
"""

from gunicorn import util

from service.settings import load_settings
from service.web.slow_clients import raw_problem

settings = load_settings()
bind = settings.bind
workers = settings.workers
threads = settings.threads
worker_class = "service.gunicorn_worker.GuardedThreadWorker"  # gthread with deadlines for slow clients
preload_app = False
timeout = 120
# Seconds an idle client connection is kept. Behind heavy keep-alive clients raise it (75 s removed
# the resets seen in the load test); with a long one, though, one idle worker tends to take every
# new connection, so the default stays at gunicorn's 2 s.
keepalive = settings.keepalive
graceful_timeout = 30
# No runtime control socket: any process of the same user could resize or stop the server through it.
control_socket_disable = True
accesslog = None  # the app writes structured JSON request logs itself


def when_ready(server):
    """Judging leaves the request path: the master starts one judging worker beside the API workers
    (``python -m service worker``: the queue of new statements, then bulk jobs)."""
    if settings.judging == "background" and settings.start_judging_worker:
        import subprocess
        import sys

        server.judging_worker = subprocess.Popen([sys.executable, "-m", "service", "worker"])
        server.log.info("judging worker started (pid %s)", server.judging_worker.pid)


def on_exit(server):
    process = getattr(server, "judging_worker", None)
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except Exception:
            process.kill()


def _problem_error(sock, status_int, reason, mesg):
    """gunicorn's own errors (431 for oversized headers, 414, 400 for a malformed request), which it
    answers before the app sees the request, in the app's RFC 9457 shape instead of an HTML page."""
    util.write_nonblock(sock, raw_problem(status_int, reason, mesg))


# gunicorn has no hook for these answers; its workers call util.write_error, so this module (which the
# master imports before forking the workers) replaces it.
util.write_error = _problem_error
