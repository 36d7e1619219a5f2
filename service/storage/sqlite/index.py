"""FAISS vector index over statement vectors, derived from the SQLite store and saved beside it.

The index maps FAISS ids to the store's statement ``vid``. Its metadata file records the
embedding model, the dimension, the number of vectors and the last change-log sequence it
applied, so that:

- an index built with another model or dimension is refused (``IndexMismatch``), not used;
- an index that is behind the store (another worker wrote, or the process crashed before
  saving) catches up from the change log (``sync``);
- a missing or damaged index is rebuilt from the vectors stored in SQLite (``rebuild``);
- a file whose (id, vector) pairs no longer match the checksum saved with it (shuffled, truncated,
  overwritten), or whose vectors differ from the store's on a sample, is rebuilt too: an index that
  answers with the wrong statements is worse than a slow start.

Files are written to a temporary name and renamed into place, so a crash never leaves a
half-written index.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

import faiss
import numpy as np

INDEX_FILE = "statements.faiss"
META_FILE = "statements.json"


class IndexMismatch(RuntimeError):
    """The saved index was built with another embedding model or dimension."""


# FAISS spreads a search over its queries: with fewer than this many (a reader's query), other
# threads have nothing to do but spin, and one query took 17 ms instead of 8 at 100k on 2 cores.
FEW_QUERIES = 16
# Vectors compared with the store's at start-up: a wrong id map shows on a few.
VERIFY_SAMPLE = 64


@contextmanager
def _one_omp_thread():
    """FAISS calls made by this thread run on one OpenMP thread (OpenMP keeps the setting per thread)."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


class VectorIndex:
    """Exact inner-product search (cosine on unit vectors) with statement vids as ids."""

    def __init__(self, model: str, dim: int):
        self.model = model
        self.dim = dim
        self.seq = 0  # last change-log sequence number applied
        self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self._ids: set[int] = set()  # kept beside FAISS so that an add need not list every id
        self._lock = threading.RLock()

    # -- contents ----------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> set[int]:
        with self._lock:
            return set(self._ids)

    def add(self, vids: np.ndarray, vectors: np.ndarray) -> None:
        if len(vids) == 0:
            return
        with self._lock:
            keep = np.array([v not in self._ids for v in vids.tolist()], dtype=bool)
            if keep.any():
                self._index.add_with_ids(np.ascontiguousarray(vectors[keep], dtype=np.float32),
                                         np.ascontiguousarray(vids[keep], dtype=np.int64))
                self._ids.update(vids[keep].tolist())

    def remove(self, vids) -> None:
        vids = np.asarray(list(vids), dtype=np.int64)
        if len(vids):
            with self._lock:
                self._index.remove_ids(vids)
                self._ids.difference_update(vids.tolist())

    def vectors_of(self, vids) -> np.ndarray:
        with self._lock:
            return np.vstack([self._index.reconstruct(int(v)) for v in vids]) if len(vids) else np.zeros((0, self.dim))

    def checksum(self) -> str:
        """sha256 of the (id, vector) pairs in id order: any reordering or change of the file shows."""
        with self._lock:
            ids = faiss.vector_to_array(self._index.id_map)
            vectors = self._index.index.reconstruct_n(0, len(self)) if len(self) else np.zeros((0, self.dim), np.float32)
        order = np.argsort(ids, kind="stable")
        digest = hashlib.sha256(np.ascontiguousarray(ids[order]).tobytes())
        digest.update(np.ascontiguousarray(vectors[order], dtype=np.float32).tobytes())
        return digest.hexdigest()

    def verify_against(self, store, sample: int = VERIFY_SAMPLE) -> None:
        """Raise ``IndexMismatch`` unless a random sample of vectors equals the store's (the truth)."""
        vids = random.sample(sorted(self.ids()), min(sample, len(self)))
        stored = store.vectors_for(vids)
        ours = self.vectors_of(vids)
        for vid, vector in zip(vids, ours):
            if vid in stored and not np.allclose(stored[vid], vector, atol=1e-6):
                raise IndexMismatch(f"vector {vid} in the index differs from the store's")

    def search(self, queries: np.ndarray, k: int, before: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (similarities, vids) for each query row, only vids below ``before`` if given;
        missing slots have vid -1."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        with self._lock:
            k = max(1, min(k, len(self))) if len(self) else 1
            if not len(self):
                return np.zeros((len(queries), 1), np.float32), -np.ones((len(queries), 1), np.int64)
            with _one_omp_thread() if len(queries) < FEW_QUERIES else nullcontext():
                if before is None:
                    return self._index.search(queries, k)
                selector = faiss.IDSelectorRange(0, int(before))  # held here: FAISS does not own it
                return self._index.search(queries, k, params=faiss.SearchParameters(sel=selector))

    # -- keeping up with the store -----------------------------------------------------
    def sync(self, store) -> int:
        """Apply the store's change log since ``self.seq``, page by page; returns how many changes were applied."""
        applied = 0
        with self._lock:
            while changes := store.changes_after(self.seq):
                added = [vid for _, op, vid in changes if op == "add"]
                removed = {vid for _, op, vid in changes if op == "remove"}
                vectors = store.vectors_for(v for v in added if v not in removed)
                if vectors:
                    vids = np.array(sorted(vectors), dtype=np.int64)
                    self.add(vids, np.vstack([vectors[v] for v in vids.tolist()]))
                self.remove(removed)
                self.seq = changes[-1][0]
                applied += len(changes)
        return applied

    def repair(self, store) -> dict:
        """Make the index hold exactly the store's vectors: add the missing, drop the orphans."""
        with self._lock:
            self.seq = store.last_change()
            stored, present = store.vector_ids(), self.ids()
            missing, orphans = stored - present, present - stored
            vectors = store.vectors_for(missing)
            if vectors:
                vids = np.array(sorted(vectors), dtype=np.int64)
                self.add(vids, np.vstack([vectors[v] for v in vids.tolist()]))
            self.remove(orphans)
            return {"added": len(missing), "removed": len(orphans), "total": len(self)}

    @classmethod
    def rebuild(cls, store, model: str, dim: int) -> "VectorIndex":
        index = cls(model, dim)
        index.seq = store.last_change()
        vids, matrix = store.vectors(model)
        if matrix is not None:
            index.add(vids, matrix)
        return index

    # -- persistence -------------------------------------------------------------------
    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            meta = {"model": self.model, "dim": self.dim, "count": len(self), "seq": self.seq,
                    "checksum": self.checksum()}
            _atomic_write(directory / INDEX_FILE, faiss.serialize_index(self._index).tobytes())
            _atomic_write(directory / META_FILE, json.dumps(meta, indent=2).encode())

    @classmethod
    def load(cls, directory: str | Path, model: str, dim: int) -> "VectorIndex":
        """Load a saved index; raises ``IndexMismatch`` if it was built for another model/dim."""
        directory = Path(directory)
        meta = json.loads((directory / META_FILE).read_text())
        if meta.get("model") != model or meta.get("dim") != dim:
            raise IndexMismatch(
                f"index in {directory} was built with {meta.get('model')!r} (dim {meta.get('dim')}), "
                f"not {model!r} (dim {dim}); run `python -m service reindex`"
            )
        raw = np.frombuffer((directory / INDEX_FILE).read_bytes(), dtype=np.uint8)
        index = cls(model, dim)
        index._index = faiss.deserialize_index(raw)
        index._ids = set(faiss.vector_to_array(index._index.id_map).tolist())
        if len(index) != meta.get("count"):
            raise IndexMismatch(f"index file holds {len(index)} vectors, its metadata says {meta.get('count')}")
        if index.checksum() != meta.get("checksum"):
            raise IndexMismatch("index file does not match the checksum saved with it")
        index.seq = int(meta.get("seq", 0))
        return index


def open_index(store, directory: str | Path, model: str, dim: int) -> tuple[VectorIndex, str]:
    """The saved index brought up to date with the store, or a fresh rebuild; says which."""
    try:
        index = VectorIndex.load(directory, model, dim)
        index.verify_against(store)
        index.sync(store)
        report = index.repair(store)
        how = "loaded" if not (report["added"] or report["removed"]) else f"loaded and repaired {report}"
    except (FileNotFoundError, IndexMismatch, ValueError, RuntimeError, json.JSONDecodeError) as exc:
        index = VectorIndex.rebuild(store, model, dim)
        how = f"rebuilt ({type(exc).__name__}: {exc})"
    index.save(directory)
    return index, how


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
