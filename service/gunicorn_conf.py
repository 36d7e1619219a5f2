"""gunicorn settings: ``gunicorn -c service/gunicorn_conf.py service.wsgi:app``.

Workers are not forked from a preloaded app: each loads its own model and index (PyTorch and
FAISS are not fork-safe once their thread pools exist).
"""
import multiprocessing
import os

bind = os.environ.get("COUNTERCLAIM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("COUNTERCLAIM_WORKERS", min(4, multiprocessing.cpu_count())))
threads = int(os.environ.get("COUNTERCLAIM_THREADS", 4))
worker_class = "gthread"
preload_app = False
timeout = 120
# Seconds an idle client connection is kept. Behind heavy keep-alive clients raise it (75 s removed
# the resets seen in the load test); with a long one, though, one idle worker tends to take every
# new connection, so the default stays at gunicorn's 2 s.
keepalive = int(os.environ.get("COUNTERCLAIM_KEEPALIVE", 2))
graceful_timeout = 30
# No runtime control socket: any process of the same user could resize or stop the server through it.
control_socket_disable = True
accesslog = None  # the app writes structured JSON request logs itself
raw_env = [f"TORCH_NUM_THREADS={os.environ.get('TORCH_NUM_THREADS', 1)}"]


def post_fork(server, worker):
    import torch

    torch.set_num_threads(int(os.environ.get("TORCH_NUM_THREADS", 1)))
