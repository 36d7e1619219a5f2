"""Trained contradiction scorers (NLI), loaded offline from the files shipped under ``model/``.

Specs understood by :func:`build_trained_scorer` (``service.scorers.build_scorer`` delegates here):

* ``fast``      – MLP over frozen all-MiniLM-L6-v2 embeddings + cue features (``model/fast/``).
* ``cross``     – cross-encoder fine-tuned from all-MiniLM-L6-v2 (``model/cross/``).
* ``cascade``   – ``fast`` on every pair; ``cross`` only where ``fast`` finds the pair may be a
  contradiction or an agreement (gate tuned on dev data, :class:`CascadeScorer`).
* ``cross-int8`` – the same cross-encoder with torch dynamic int8 quantisation (faster, ~2 points less).
* ``crossencoder:<hub name or path>`` – any sentence-transformers CrossEncoder NLI model; its
  label order is read from the model config's ``id2label``.

When ``similarities`` (embedding cosines) are passed, pairs below ``UNRELATED_SIM`` are judged
neutral by rule (see the constant's comment).

Symmetric use: claims by two actors have no premise/hypothesis order, so every pair is scored
in both directions, a→b and b→a, and the two calibrated 3-class distributions (entailment,
neutral, contradiction) are combined by :func:`combine_directions`:

* ``contradiction = mean(c_ab, c_ba)``. Contradiction is a symmetric relation, so both directions
  estimate the same event; the mean of two calibrated probabilities stays calibrated-ish and
  halves the variance of a one-direction mistake, whereas ``max`` systematically inflates the
  probability (more false alarms shown to users). The choice was checked on held-out dev data
  (see model/MODEL_CARD.md).
* ``agreement = max(e_ab * (1 - c_ba), e_ba * (1 - c_ab))``: entailment in at least one direction
  *without* contradiction in the other; capped at ``1 - contradiction``.
* ``neutral = 1 - contradiction - agreement``.

Models are loaded lazily, once per process, and inference is batched. Every Judgement carries
the cues of ``service.cues.find_cues(a, b)``.
"""
from __future__ import annotations

import json
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from .cues import cue_features, find_cues
from .scorers import Judgement, judgement_from_probs

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_DIR = Path(os.environ.get("COUNTERCLAIM_MODEL_DIR", Path(__file__).resolve().parent.parent / "model"))
FAST_DIR = MODEL_DIR / "fast"
CROSS_DIR = MODEL_DIR / "cross"
NLI_ORDER = ("entailment", "neutral", "contradiction")  # column order of every 3-class array here

# Unrelated rule (all trained scorers, only when the caller passes ``similarities``): a pair whose
# embedding cosine is below UNRELATED_SIM is about different things and is judged neutral
# ({"neutral": 1.0}) without running a model. The NLI training data (SNLI above all) label two
# descriptions of *different* scenes as contradiction, so the models would otherwise call
# unrelated claims contradictory; the conflict engine only sends similar claims anyway.
UNRELATED_SIM = 0.20
# Cascade gate: a pair goes to the cross-encoder only when the fast stage finds it may be an edge,
# i.e. its symmetric fast contradiction or agreement probability reaches the threshold tuned by
# ``python -m model.cascade`` (model/cascade.json: the largest thresholds that still escalate 95 % of
# the cross-encoder's contradictions and 90 % of its agreements on the calib dev sample). Every
# other pair keeps the fast verdict. Unrelated pairs (above) are neutral without either model.
CASCADE_FILE = MODEL_DIR / "cascade.json"
CASCADE_UNRELATED_SIM = UNRELATED_SIM

_LOCK = threading.Lock()


def _softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def combine_directions(p_ab: np.ndarray, p_ba: np.ndarray) -> list[dict[str, float]]:
    """Symmetric probabilities from two (n, 3) arrays in NLI_ORDER (see module doc)."""
    e1, c1 = p_ab[:, 0], p_ab[:, 2]
    e2, c2 = p_ba[:, 0], p_ba[:, 2]
    contra = (c1 + c2) / 2.0
    agree = np.minimum(np.maximum(e1 * (1.0 - c2), e2 * (1.0 - c1)), 1.0 - contra)
    neutral = np.clip(1.0 - contra - agree, 0.0, 1.0)
    total = contra + agree + neutral
    return [{"contradiction": float(c / t), "agreement": float(a / t), "neutral": float(n / t)}
            for c, a, n, t in zip(contra, agree, neutral, total)]


def _judgements(pairs, p_ab, p_ba) -> list[Judgement]:
    return [judgement_from_probs(probs, [c.as_dict() for c in find_cues(a, b)])
            for (a, b), probs in zip(pairs, combine_directions(p_ab, p_ba))]


def _unrelated(similarities, n: int, threshold: float = UNRELATED_SIM) -> list[bool]:
    if similarities is None:
        return [False] * n
    return [s is not None and float(s) < threshold for s in similarities]


def _unrelated_judgement(a: str, b: str) -> Judgement:
    probs = {"contradiction": 0.0, "agreement": 0.0, "neutral": 1.0}
    return judgement_from_probs(probs, [c.as_dict() for c in find_cues(a, b)])


def _judge_related(pairs, similarities, judge_fn, threshold: float = UNRELATED_SIM) -> list[Judgement]:
    """Run ``judge_fn`` on the related pairs only; unrelated ones get the neutral rule judgement."""
    skip = _unrelated(similarities, len(pairs), threshold)
    keep = [i for i, s in enumerate(skip) if not s]
    out: list[Judgement | None] = [None] * len(pairs)
    if keep:
        for i, j in zip(keep, judge_fn([pairs[i] for i in keep])):
            out[i] = j
    return [j if j is not None else _unrelated_judgement(*pairs[i]) for i, j in enumerate(out)]


class _DirectionalScorer:
    """Base: subclasses give calibrated (n, 3) NLI probabilities for ordered pairs."""

    name = "directional"

    def directional_probs(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def symmetric_probs(self, pairs) -> tuple[np.ndarray, np.ndarray]:
        pairs = [(str(a), str(b)) for a, b in pairs]
        both = self.directional_probs(pairs + [(b, a) for a, b in pairs])
        return both[: len(pairs)], both[len(pairs):]

    def judge(self, pairs: Sequence[tuple[str, str]], similarities: Sequence[float] | None = None) -> list[Judgement]:
        pairs = [(str(a), str(b)) for a, b in pairs]
        if not pairs:
            return []
        return _judge_related(pairs, similarities, lambda ps: _judgements(ps, *self.symmetric_probs(ps)))


# ---------------------------------------------------------------- fast stage


@lru_cache(maxsize=1)
def _fast_weights() -> dict:
    path = FAST_DIR / "fast_head.npz"
    if not path.exists():
        raise FileNotFoundError(f"fast stage not shipped: {path} is missing (python -m model.train fast)")
    with np.load(path, allow_pickle=False) as z:
        w = {k: z[k] for k in z.files}
    for key in ("W1", "W2"):
        w[key] = w[key].astype(np.float32)
    return w


class FastScorer(_DirectionalScorer):
    """[u, v, |u-v|, u*v, cue features] → MLP → temperature-scaled softmax."""

    name = "fast"

    def __init__(self):
        self._w = None

    def _weights(self) -> dict:
        if self._w is None:
            with _LOCK:
                self._w = _fast_weights()
        return self._w

    def directional_probs(self, pairs) -> np.ndarray:
        from .embed import get_embedder

        w = self._weights()
        vecs = get_embedder().embed_reusing([t for pair in pairs for t in pair])
        u, v = vecs[0::2], vecs[1::2]
        cues = np.array([cue_features(a, b) for a, b in pairs], dtype=np.float32)
        x = np.hstack([u, v, np.abs(u - v), u * v, cues]).astype(np.float32)
        return _softmax(fast_logits(x, w), float(w["temperature"]))


def fast_logits(x: np.ndarray, w: dict) -> np.ndarray:
    """Logits (before temperature) of the fast head: the mean over its members' MLPs.

    ``W1`` is (members, features, hidden) and ``W2`` (members, hidden, 3); a single-member head
    may also be stored without the leading axis.
    """
    x = ((x - w["mean"]) / w["std"]).astype(np.float32)
    w1, b1, w2, b2 = (np.asarray(w[k], dtype=np.float32) for k in ("W1", "b1", "W2", "b2"))
    if w1.ndim == 2:
        w1, b1, w2, b2 = w1[None], b1[None], w2[None], b2[None]
    return np.mean([np.maximum(x @ w1[m] + b1[m], 0.0) @ w2[m] + b2[m] for m in range(len(w1))], axis=0)


# ---------------------------------------------------------------- cross-encoder


class _TorchNLI:
    """A sequence-classification model + tokenizer, run batched, sorted by length, on CPU."""

    def __init__(self, path: str | Path, int8: bool = False, max_length: int = 128, batch_size: int = 64):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        model = AutoModelForSequenceClassification.from_pretrained(str(path), dtype=torch.float32)
        model.eval()
        if int8:
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        self.model = model
        self.max_length = max_length
        self.batch_size = batch_size
        id2label = {int(k): str(v).lower() for k, v in model.config.id2label.items()}
        self.columns = [_nli_column(id2label[i]) for i in range(len(id2label))]

    def logits(self, pairs) -> np.ndarray:
        torch = self.torch
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        out = np.zeros((len(pairs), 3), dtype=np.float32)
        with torch.inference_mode():
            for s in range(0, len(order), self.batch_size):
                idx = order[s:s + self.batch_size]
                enc = self.tokenizer([pairs[i][0] for i in idx], [pairs[i][1] for i in idx], truncation=True,
                                     max_length=self.max_length, padding=True, return_tensors="pt")
                logits = self.model(**enc).logits.float().numpy()
                out[idx] = logits[:, self.columns]
        return out


def _nli_column(label: str) -> int:
    label = label.lower()
    for i, key in enumerate(("entail", "neutral", "contradict")):
        if key in label:
            return i
    raise ValueError(f"not an NLI label: {label!r}")


def _inverse_columns(columns: list[int]) -> list[int]:
    inv = [0, 0, 0]
    for model_col, nli_col in enumerate(columns):
        inv[nli_col] = model_col
    return inv


@lru_cache(maxsize=2)
def _cross_model(int8: bool) -> tuple[_TorchNLI, float]:
    if not (CROSS_DIR / "config.json").exists():
        raise FileNotFoundError(f"cross-encoder not shipped: {CROSS_DIR} is empty (python -m model.train ship-cross)")
    calib = json.loads((CROSS_DIR / "calibration.json").read_text())
    nli = _TorchNLI(CROSS_DIR, int8=int8)
    nli.columns = _inverse_columns(nli.columns)  # map NLI_ORDER -> model column
    return nli, float(calib["temperature_int8" if int8 else "temperature"])


class CrossScorer(_DirectionalScorer):
    """The shipped cross-encoder; ``int8=True`` applies torch dynamic int8 quantisation at load."""

    name = "cross"

    def __init__(self, int8: bool | None = None):
        if int8 is None:
            int8 = os.environ.get("COUNTERCLAIM_CROSS_INT8", "0") == "1"
        self.int8 = int8

    def directional_probs(self, pairs) -> np.ndarray:
        with _LOCK:
            nli, temperature = _cross_model(self.int8)
        return _softmax(nli.logits(pairs), temperature)


def cascade_thresholds() -> tuple[float, float]:
    """(contradiction, agreement) thresholds of the cascade gate, from model/cascade.json."""
    if not CASCADE_FILE.exists():
        raise FileNotFoundError(f"cascade gate not tuned: {CASCADE_FILE} is missing (python -m model.cascade)")
    tuned = json.loads(CASCADE_FILE.read_text())
    return float(tuned["contradiction_threshold"]), float(tuned["agreement_threshold"])


class CascadeScorer:
    """``fast`` on every pair; ``cross`` on the pairs that ``fast`` finds may be an edge.

    Gate (see CASCADE_FILE above): a pair with a given embedding similarity below
    CASCADE_UNRELATED_SIM is neutral (no model runs); a pair whose symmetric fast contradiction
    or agreement probability reaches its threshold gets the cross-encoder's judgement; every
    other pair keeps the fast verdict.
    """

    name = "cascade"

    def __init__(self, fast: FastScorer | None = None, cross: CrossScorer | None = None,
                 thresholds: tuple[float, float] | None = None, unrelated_similarity: float = CASCADE_UNRELATED_SIM):
        self.fast = fast or FastScorer()
        self.cross = cross or CrossScorer()
        self._thresholds = thresholds  # read from CASCADE_FILE on first use
        self.unrelated_similarity = unrelated_similarity
        self.last_escalated = 0  # how many pairs of the last call went to the cross-encoder
        self.pairs_gated = self.pairs_escalated = 0  # running totals (the benchmark reports their ratio)

    def judge(self, pairs, similarities=None) -> list[Judgement]:
        pairs = [(str(a), str(b)) for a, b in pairs]
        if not pairs:
            return []
        self.last_escalated = 0
        return _judge_related(pairs, similarities, self._judge_related, self.unrelated_similarity)

    @property
    def thresholds(self) -> tuple[float, float]:
        if self._thresholds is None:
            self._thresholds = cascade_thresholds()
        return self._thresholds

    def escalates(self, fast_probs: dict[str, float]) -> bool:
        contradiction_threshold, agreement_threshold = self.thresholds
        return (fast_probs["contradiction"] >= contradiction_threshold
                or fast_probs["agreement"] >= agreement_threshold)

    def _judge_related(self, pairs) -> list[Judgement]:
        quick = self.fast.judge(pairs)
        escalate = [i for i, j in enumerate(quick) if self.escalates(j.probs)]
        self.last_escalated = len(escalate)
        self.pairs_gated += len(pairs)
        self.pairs_escalated += len(escalate)
        if escalate:
            precise = self.cross.judge([pairs[i] for i in escalate])
            for i, j in zip(escalate, precise):
                quick[i] = j
        return quick


# ---------------------------------------------------------------- any hub / local CrossEncoder


@lru_cache(maxsize=4)
def _hub_model(name: str):
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(name, device="cpu")
    config = getattr(model, "config", None) or model.model.config
    id2label = {int(k): str(v).lower() for k, v in config.id2label.items()}
    if len(id2label) != 3:
        raise ValueError(f"{name!r} is not a 3-class NLI cross-encoder (labels: {id2label})")
    columns = [_nli_column(id2label[i]) for i in range(3)]
    return model, _inverse_columns(columns)


class HubCrossEncoderScorer(_DirectionalScorer):
    """Any sentence-transformers CrossEncoder NLI model. Probabilities are its own softmax
    (not re-calibrated by us)."""

    def __init__(self, model_name: str):
        if not model_name:
            raise ValueError("crossencoder: needs a model name or path")
        self.model_name = model_name
        self.name = f"crossencoder:{model_name}"

    def directional_probs(self, pairs) -> np.ndarray:
        import torch

        with _LOCK:
            model, inv = _hub_model(self.model_name)
        logits = np.asarray(model.predict(list(pairs), batch_size=64, activation_fn=torch.nn.Identity(),
                                          convert_to_numpy=True), dtype=np.float32).reshape(len(pairs), -1)
        return _softmax(logits[:, inv])


def build_trained_scorer(spec: str):
    """Scorer for ``fast``, ``cross``, ``cross-int8``, ``cascade`` or ``crossencoder:<name or path>``."""
    spec = (spec or "").strip()
    if spec == "fast":
        return FastScorer()
    if spec == "cross":
        return CrossScorer()
    if spec == "cross-int8":
        return CrossScorer(int8=True)
    if spec == "cascade":
        return CascadeScorer()
    if spec.startswith("crossencoder:"):
        return HubCrossEncoderScorer(spec.split(":", 1)[1].strip())
    raise ValueError(f"unknown scorer {spec!r}: use cues, fast, cross, cross-int8, cascade or crossencoder:<name>")
