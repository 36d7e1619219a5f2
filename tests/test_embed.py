"""The sentence embedder on ONNX Runtime: the same vectors as sentence-transformers, exported once per cache
folder, and a model of another shape refused."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from service import embed
from service.embed import Embedder, bundled_model_path, exported_model_file

TEXTS = [
    "Putin rejected a full ceasefire.",
    "An immediate Ceasefire on all Energy and Infrastructure was agreed upon.",
    "Turnout was 41 percent, the lowest since 1998.",
    "x",
    "",
    "Ünïcödé: the minister's “plan” costs €2.5bn — or so they say…",
    "The ceasefire talks " * 200,  # past the 256-token limit: truncated as sentence-transformers truncates
]


def test_vectors_are_sentence_transformers_own(tmp_path):
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(bundled_model_path(), device="cpu").encode(
        TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    ours = Embedder(cache_dir=tmp_path, batch_size=3).embed(TEXTS)  # batches of mixed lengths: padding must not count
    assert ours.shape == reference.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    assert np.abs(ours - reference).max() < 1e-5
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_the_export_is_made_once_per_cache_folder_and_reused(tmp_path, monkeypatch):
    first = exported_model_file(embed.Path(bundled_model_path()), tmp_path)
    made = first.stat().st_mtime_ns

    def no_second_export(*_):
        raise AssertionError("exported again")

    monkeypatch.setattr(embed, "export_onnx", no_second_export)
    assert exported_model_file(embed.Path(bundled_model_path()), tmp_path) == first
    assert first.stat().st_mtime_ns == made
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no temporary file left behind
    assert Embedder(cache_dir=tmp_path).embed([]).shape == (0, 384)


def test_a_model_pooled_otherwise_is_refused_not_embedded_differently(tmp_path):
    model_dir = tmp_path / "model"
    shutil.copytree(bundled_model_path(), model_dir, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    pooling = model_dir / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    with pytest.raises(ValueError, match="mean pooling"):
        embed._check_pipeline(model_dir)
