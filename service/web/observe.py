"""Observability: request ids, structured JSON request logs, and Prometheus ``/metrics``.

Every response carries ``X-Request-ID`` (the caller's, if it sent a sane one). Each request
is logged as one JSON line (never with its headers, so API keys never reach the log).
``/metrics`` serves request counts and latencies per endpoint, plus the sizes of the store,
the edges and the index, the judging queue and the bulk jobs by state. Under gunicorn, set ``PROMETHEUS_MULTIPROC_DIR`` so that the counters
of all workers are summed.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("counterclaim_requests_total", "HTTP requests", ["endpoint", "method", "status"])
LATENCY = Histogram("counterclaim_request_seconds", "HTTP request latency", ["endpoint", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

access_log = logging.getLogger("counterclaim.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": round(record.created, 3), "level": record.levelname.lower(), "logger": record.name,
                 "msg": record.getMessage()}
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_json_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    access_log.handlers[:] = [handler]
    access_log.setLevel(level)
    access_log.propagate = False


class StoreSizes:
    """Collector: sizes read from the store at scrape time (shared by all workers)."""

    def __init__(self, engine):
        self.engine = engine

    def collect(self):
        stats = self.engine.stats()
        yield GaugeMetricFamily("counterclaim_statements", "Statements in the store", value=stats["statements"])
        yield GaugeMetricFamily("counterclaim_index_vectors", "Vectors in this worker's index", value=stats["index"])
        edges = GaugeMetricFamily("counterclaim_edges", "Conflict edges by label", labels=["label"])
        for label, count in stats["edges"].items():
            edges.add_metric([label], count)
        yield edges
        yield GaugeMetricFamily("counterclaim_judging_backlog", "Statements waiting in the judging queue",
                                value=stats["judging_backlog"])
        jobs = GaugeMetricFamily("counterclaim_jobs", "Bulk jobs by state", labels=["state"])
        for state in ("queued", "running", "done", "failed", "cancelled"):
            jobs.add_metric([state], stats["jobs"].get(state, 0))
        yield jobs


def init_observability(app: Flask, engine, multiprocess_dir: str = "") -> None:
    configure_json_logging()
    registry = CollectorRegistry()
    if multiprocess_dir:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=multiprocess_dir)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(StoreSizes(engine))

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response):
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        endpoint = request.endpoint or "unmatched"
        REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
        LATENCY.labels(endpoint, request.method).observe(elapsed)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers["X-Worker-PID"] = str(os.getpid())
        access_log.info("request", extra={"fields": {
            "request_id": g.get("request_id"), "method": request.method, "path": request.path,
            "endpoint": endpoint, "status": response.status_code, "ms": round(elapsed * 1000, 2),
            "caller": getattr(request, "api_key_name", None)}})
        return response

    @app.get("/metrics")
    def metrics():
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
