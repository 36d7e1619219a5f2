"""Executors: where the judging of a worker runs.

Each executor is presented to the engine as a scorer (``judge(pairs, similarities, dates)``,
``name``): it cuts the pairs into slices and judges them on its workers, each of which loaded
the model once. So the engine's code (candidates, edges, job results) is the same whatever runs
the model.

- ``LocalPool`` (default): a pool of processes on this machine (``JOB_WORKERS``, by default all
  cores but one, which is left for reads). Processes are spawned, not forked (ONNX Runtime and
  FAISS thread pools do not survive a fork), and each runs its model on one thread.
- ``RayActors`` (``RAY_ADDRESS`` set): one Ray actor per worker, each holding a model, fed slices
  through an ``ActorPool``; ``RAY_GPUS_PER_WORKER`` asks Ray for GPUs per actor. ``RAY_ADDRESS=auto``
  joins the running cluster (``ray start --head`` on one machine, ``ray start --address=…`` on the
  others); ``local`` starts a Ray instance inside this process (tests, one machine).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Iterable, Sequence

log = logging.getLogger(__name__)

SLICE = 8  # pairs per task: small, so that workers finish a chunk together (the model runs one pair at a time)


class Judging:
    """What runs in each worker: the configured scorer and the embedder, on one thread (a worker is
    one core's worth of judging), at lower CPU priority so that reads on the machine go first."""

    def __init__(self, settings_dump: dict):
        from ..embed import get_embedder
        from ..scoring.registry import build_scorer
        from ..settings import Settings

        settings = Settings.model_validate({**settings_dump, "onnx_threads": 1, "embed_threads": 1})
        os.nice(settings.judging_niceness)
        self.embedder = get_embedder(settings.embed_model, settings.embed_batch_size, settings.embed_threads,
                                     settings.cache_dir)
        self.scorer = build_scorer(settings.scorer, self.embedder, settings)

    def judge(self, pairs, similarities, dates) -> list:
        return self.scorer.judge(pairs, similarities, dates)

    def similarities_and_judgements(self, pairs, similarities, dates) -> list[tuple]:
        """(cosine, judgement) of each pair: the embeddings are computed here too, beside the model."""
        cosines = self.embedder.pair_similarities(pairs)
        return list(zip(cosines, self.scorer.judge(pairs, cosines, dates)))


def slices(pairs: Sequence, similarities: Sequence | None, dates: Sequence | None) -> list[tuple]:
    """(pairs, similarities, dates) of each task; a part not given stays None."""
    pairs = list(pairs)
    cut = lambda values, i: None if values is None else list(values)[i:i + SLICE]
    return [(pairs[i:i + SLICE], cut(similarities, i), cut(dates, i)) for i in range(0, len(pairs), SLICE)]


class _SlicingScorer:
    """A scorer whose pairs are judged in slices on the workers, in parallel."""

    name = ""

    def judge(self, pairs, similarities=None, dates=None) -> list:
        return self._gather("judge", pairs, similarities, dates)

    def similarities_and_judgements(self, pairs) -> list[tuple]:
        """(cosine, judgement) per pair, both computed on the workers (``Engine.compare_pairs`` asks for
        this when it can, so that a pairs job spreads its embedding too)."""
        return self._gather("similarities_and_judgements", pairs, None, None)

    def _gather(self, method: str, pairs, similarities, dates) -> list:
        out: list = []
        for part in self._map(method, slices(pairs, similarities, dates)):
            out += part
        return out

    def _map(self, method: str, parts: list[tuple]) -> Iterable[list]:
        raise NotImplementedError


# -- local process pool ------------------------------------------------------------------------
_process_judging: Judging | None = None


def _load_process_judging(settings_dump: dict, parent: int) -> None:
    global _process_judging
    _exit_with_parent(parent)
    _process_judging = Judging(settings_dump)


def _exit_with_parent(parent: int) -> None:
    """A pool process outlives a parent killed with -9 (nothing tells it): it watches and leaves.
    ``parent`` is the pool owner's pid as the owner saw it, so that a process whose parent died
    before it started leaves too."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _run_in_process(method: str, part: tuple) -> list:
    return getattr(_process_judging, method)(*part)


class LocalPool(_SlicingScorer):
    def __init__(self, settings, workers: int):
        self.name, self.workers = settings.scorer, workers
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_load_process_judging, initargs=(settings.model_dump(), os.getpid()))

    def _map(self, method, parts):
        return self.pool.map(partial(_run_in_process, method), parts)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


# -- Ray ---------------------------------------------------------------------------------------
class RayActors(_SlicingScorer):
    def __init__(self, settings, workers: int):
        import ray
        from ray.util import ActorPool

        if not ray.is_initialized():
            if settings.ray_address == "local":
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=settings.ray_address, log_to_driver=False)
        actor = ray.remote(num_cpus=1, num_gpus=settings.ray_gpus_per_worker)(Judging)
        self.name, self.workers = settings.scorer, workers
        self.actors = [actor.remote(settings.model_dump()) for _ in range(workers)]
        self.pool = ActorPool(self.actors)

    def _map(self, method, parts):
        return self.pool.map(lambda actor, part: getattr(actor, method).remote(*part), parts)

    def close(self) -> None:
        import ray

        for actor in self.actors:
            ray.kill(actor)


# -- the judging a request must do itself (/compare) ------------------------------------------------
class JudgingBusy(RuntimeError):
    """Every /compare slot of this API worker is taken: the caller should retry later (or submit a job)."""


class RequestJudging:
    """Where ``/compare`` judges, and how many at once. With ``COMPARE_IN_POOL`` (default), in a pool
    process of this API worker, started on first use and running at lower CPU priority, so that the
    searches this process serves meanwhile go first (a low-priority *thread* would not do: it would
    hold the GIL while the OS makes it wait); otherwise in the request's thread. At most
    ``COMPARE_SLOTS`` requests judge at once per API worker; one that finds no slot within
    ``COMPARE_WAIT_S`` is refused (503 with Retry-After) rather than queued, so that requests waiting
    on judging never take every thread that reads need."""

    def __init__(self, settings):
        self.settings = settings
        self._pool: LocalPool | None = None
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(settings.compare_slots)

    def scorer(self, engine):
        if not self.settings.compare_in_pool:
            return engine.scorer
        with self._lock:
            if self._pool is None:
                self._pool = LocalPool(self.settings, 1)
        return self._pool

    def take_slot(self) -> None:
        if not self._slots.acquire(timeout=self.settings.compare_wait_s):
            raise JudgingBusy(f"all {self.settings.compare_slots} judging slots of this server process are busy")

    def release_slot(self) -> None:
        self._slots.release()


def build_executor(settings, workers: int | None = None):
    """Ray actors when ``RAY_ADDRESS`` is set, else the local process pool."""
    workers = workers or settings.job_workers
    if settings.ray_address:
        log.info("judging on Ray (%s), %d workers", settings.ray_address, workers)
        return RayActors(settings, workers)
    log.info("judging on a local pool of %d processes", workers)
    return LocalPool(settings, workers)
