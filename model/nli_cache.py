"""The precise stage's probabilities on pairs it has read, kept in the repository, so that a fresh
checkout retrains the judge without labelling its ~90k pairs again (about 2.5 hours on a 2-core CPU;
the label files under ``model/checkpoints/`` do not travel with a clone).

``CachedNLI`` wraps the precise stage and answers ``probs(pairs)`` as it does, reading each (premise,
hypothesis) it has seen from ``model/labels/nli-<model id>.bin``: 20-byte records, a 64-bit hash of the
two texts then the three calibrated probabilities (float32), appended as they are computed, so an
interrupted run keeps what it wrote. The model id hashes the shipped ONNX file's sha256 and the
temperature: another model or calibration never reads these.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from .data import REPO

CACHE_DIR = REPO / "model" / "labels"
RECORD = np.dtype([("key", "<u8"), ("probs", "<f4", (3,))])


def pair_key(premise: str, hypothesis: str) -> int:
    digest = hashlib.blake2b(f"{premise}\x00{hypothesis}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def cache_path(model_dir: Path = REPO / "model" / "precise", folder: Path = CACHE_DIR) -> Path:
    """The cache file of the model in ``model_dir`` (its ONNX sha256 and its temperature)."""
    sha = json.loads((model_dir / "manifest.json").read_text())["sha256"]
    temperature = json.loads((model_dir / "calibration.json").read_text())["temperature"]
    model_id = hashlib.sha256(f"{sha}:{temperature!r}".encode()).hexdigest()[:12]
    return folder / f"nli-{model_id}.bin"


class CachedNLI:
    """``nli.probs`` with every (premise, hypothesis) it has answered kept in ``path``."""

    def __init__(self, nli, path: Path):
        self.nli, self.path = nli, Path(path)
        self.known: dict[int, np.ndarray] = {}
        if self.path.exists():
            raw = self.path.read_bytes()
            whole = len(raw) - len(raw) % RECORD.itemsize  # a record cut short by an interrupted write is dropped
            if whole != len(raw):
                self.path.write_bytes(raw[:whole])
            for record in np.frombuffer(raw[:whole], dtype=RECORD):
                self.known[int(record["key"])] = record["probs"].astype(np.float64)

    def probs(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        keys = [pair_key(a, b) for a, b in pairs]
        todo = {}
        for key, pair in zip(keys, pairs):
            if key not in self.known and key not in todo:
                todo[key] = pair
        if todo:
            fresh = np.asarray(self.nli.probs(list(todo.values())), dtype=np.float64)
            records = np.zeros(len(todo), dtype=RECORD)
            records["key"], records["probs"] = list(todo), fresh
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as f:
                f.write(records.tobytes())
            # what is stored is float32: answer the fresh pairs as a later read will
            self.known.update((key, p.astype(np.float64)) for key, p in zip(todo, records["probs"]))
        return np.stack([self.known[key] for key in keys]) if keys else np.zeros((0, 3))

    def __len__(self) -> int:
        return len(self.known)
