"""gunicorn settings: ``gunicorn -c service/gunicorn_conf.py service.wsgi:app``.

Workers are not forked from a preloaded app: each loads its own model and index (PyTorch and
FAISS are not fork-safe once their thread pools exist).
"""
from service.settings import load_settings

settings = load_settings()
bind = settings.bind
workers = settings.workers
threads = settings.threads
worker_class = "gthread"
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


def post_fork(server, worker):
    import torch

    torch.set_num_threads(settings.torch_num_threads)
