"""The precise stage's probabilities on pairs it has read, kept in the repository, so that a fresh
checkout retrains the judge without labelling its ~90k pairs again (about 2.5 hours on a 2-core CPU;
the label files under ``model/checkpoints/`` do not travel with a clone).

``CachedNLI`` wraps the precise stage and answers ``probs(pairs)`` as it does, reading each (premise,
hypothesis) it has seen from ``model/labels/nli-<model id>.bin``: 32-byte records, a 64-bit hash of the
two texts then the three calibrated probabilities as float64, exactly what the model gave, so labels read
back are the labels computed. Records are appended under a file lock as they are computed, so an
interrupted run keeps what it wrote and two processes can share the file; a record cut short by a crash is
padded to a record boundary by the next writer and skipped by readers (it holds no distribution). The model id hashes what decides the answer: the ONNX file's sha256, the tokenizer, the
temperature, the maximum length and the batch size (int8 activations are quantised per run).
Answers differ a little between CPUs (float kernels of other widths move the activations' int8 rounding): on
300 gold pairs, the cache's answers (machines of 2026-11-28 to 12-02) and an AVX2-only AMD EPYC's differ by 0.013
on average (max 0.127), the argmax agreeing on 98 % (2026-12-02, after the weights were made unsigned at load).
"""
from __future__ import annotations

import fcntl
import hashlib
import json
from pathlib import Path

import numpy as np

from .data import REPO

CACHE_DIR = REPO / "model" / "labels"
RECORD = np.dtype([("key", "<u8"), ("probs", "<f8", (3,))])


def pair_key(premise: str, hypothesis: str) -> int:
    digest = hashlib.blake2b(f"{premise}\x00{hypothesis}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def cache_path(model_dir: Path = REPO / "model" / "precise", max_length: int = 128, batch_size: int = 1,
               folder: Path = CACHE_DIR) -> Path:
    """The cache file of the precise stage in ``model_dir`` run with ``max_length`` and ``batch_size``."""
    parts = [json.loads((model_dir / "manifest.json").read_text())["sha256"],
             hashlib.sha256((model_dir / "tokenizer.json").read_bytes()).hexdigest(),
             repr(json.loads((model_dir / "calibration.json").read_text())["temperature"]),
             str(max_length), str(batch_size)]
    return folder / f"nli-{hashlib.sha256(':'.join(parts).encode()).hexdigest()[:12]}.bin"


def cached(nli, model_dir: Path = REPO / "model" / "precise") -> "CachedNLI":
    """``nli`` (an ``OnnxNLI``) behind the cache file of its model and settings."""
    return CachedNLI(nli, cache_path(model_dir, nli.max_length, nli.batch_size))


def read_records(path: Path) -> np.ndarray:
    """The whole records of ``path`` that hold a probability distribution (a record cut short by a crash,
    and padded by the next writer, does not)."""
    raw = path.read_bytes() if path.exists() else b""
    records = np.frombuffer(raw[: len(raw) - len(raw) % RECORD.itemsize], dtype=RECORD)
    probs = records["probs"]
    whole = np.all((probs >= 0) & (probs <= 1), axis=1) & (np.abs(probs.sum(axis=1) - 1) < 1e-6)
    return records[whole]


class CachedNLI:
    """``nli.probs`` with every (premise, hypothesis) it has answered kept in ``path``."""

    def __init__(self, nli, path: Path):
        self.nli, self.path = nli, Path(path)
        self.known = {int(r["key"]): r["probs"].copy() for r in read_records(self.path)}

    def probs(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        keys = [pair_key(a, b) for a, b in pairs]
        todo = {}
        for key, pair in zip(keys, pairs):
            if key not in self.known and key not in todo:
                todo[key] = pair
        if todo:
            fresh = np.asarray(self.nli.probs(list(todo.values())), dtype=np.float64)
            self._append(list(todo), fresh)
            self.known.update(zip(todo, fresh))
        return np.stack([self.known[key] for key in keys]) if keys else np.zeros((0, 3))

    def _append(self, keys: list[int], probs: np.ndarray) -> None:
        records = np.zeros(len(keys), dtype=RECORD)
        records["key"], records["probs"] = keys, probs
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                cut = f.tell() % RECORD.itemsize  # a record cut short by a crash: start on a record boundary
                f.write(b"\x00" * (RECORD.itemsize - cut) if cut else b"")
                f.write(records.tobytes())
                f.flush()
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def __len__(self) -> int:
        return len(self.known)
