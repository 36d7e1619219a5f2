"""The precise NLI stage at run time: nli-mpnet-base as int8 ONNX (built by ``python -m model.precise``).

The shipped file is split into parts under 50 MB; on first load they are joined, checked against
the manifest's sha256, its int8 weights re-encoded as uint8 (the same products; int8 weights give noise on
x86 CPUs without VNNI: ``unsigned_weights``), and cached as one file (in ``$COUNTERCLAIM_CACHE_DIR`` or
the system temp folder) that later processes open directly.

Each pair runs on its own (``batch_size=1``): the int8 model quantises its activations with one
scale per run (ONNX Runtime's dynamic quantisation), so in a batch a pair's probabilities would
depend on the pairs beside it and on their padding. Measured: up to 0.013 in probability, enough to
move a verdict across the decision threshold, between a pair judged alone (``/compare``) and the
same pair in a job's batch. Running alone costs about 18 % of the precise stage's pairs/s.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from ..cache_files import write_atomically

NLI_ORDER = ("entailment", "neutral", "contradiction")
_JOIN_LOCK = threading.Lock()


def _nli_column(label: str) -> int:
    for i, key in enumerate(("entail", "neutral", "contradict")):
        if key in label.lower():
            return i
    raise ValueError(f"not an NLI label: {label!r}")


def joined_model_file(model_dir: Path, cache_dir: Path | None = None) -> Path:
    """One .onnx file from the shipped parts, verified, its weights made unsigned (``unsigned_weights``) and
    cached (written atomically: a file that exists is whole)."""
    manifest = json.loads((model_dir / "manifest.json").read_text())
    cache_dir = Path(cache_dir or tempfile.gettempdir())
    target = cache_dir / f"counterclaim-precise-{manifest['sha256'][:16]}-u8.onnx"
    with _JOIN_LOCK:
        if target.exists():
            return target
        joined = b"".join((model_dir / f"model.onnx.part-{i}").read_bytes() for i in range(manifest["parts"]))
        if hashlib.sha256(joined).hexdigest() != manifest["sha256"]:
            raise ValueError(f"{model_dir}: model parts do not match manifest.json (corrupt or partial checkout)")
        model = onnx.load_from_string(joined)
        del joined
        unsigned_weights(model)
        write_atomically(target, lambda tmp: tmp.write_bytes(model.SerializeToString()))
    return target


def unsigned_weights(model: onnx.ModelProto) -> int:
    """Shift every int8 weight of a ``MatMulInteger`` and its zero point by +128 into uint8, in place; the product
    (x - x0)(w - w0) is unchanged, so the answers are the same on every CPU. Why: with int8 weights, ONNX Runtime
    multiplies them on x86 CPUs without VNNI by an instruction (VPMADDUBSW) whose 16-bit sums saturate; this
    model's activations overflow it, and every pair came out about 0.50 / 0.30 / 0.19 (an AMD EPYC with AVX2
    only, 2026-12-02) where machines with VNNI gave the calibrated answers. uint8 by uint8 takes a kernel that
    does not saturate. A weight without a zero point gets one (128); a tensor that any other node reads is left
    as it is. Returns the number of tensors changed."""
    weights = {init.name: init for init in model.graph.initializer}
    other_uses = {name for node in model.graph.node for i, name in enumerate(node.input)
                  if name and not (node.op_type == "MatMulInteger" and i in (1, 3))}
    added: dict[str, onnx.TensorProto] = {}
    changed = set()
    for node in model.graph.node:
        if node.op_type != "MatMulInteger" or node.input[1] not in weights:
            continue
        inputs = list(node.input) + [""] * (4 - len(node.input))
        weight, zero_point = weights[inputs[1]], weights.get(inputs[3])
        if weight.data_type != onnx.TensorProto.INT8 and weight.name not in changed:
            continue  # already unsigned
        if (inputs[3] and zero_point is None) or {weight.name, inputs[3]} & other_uses:
            continue  # a zero point computed at run time, or a tensor another node reads as it is
        if zero_point is None:  # an int8 weight's zero point defaults to 0, which is 128 once unsigned
            if weight.name not in added:
                added[weight.name] = model.graph.initializer.add()
                added[weight.name].CopyFrom(numpy_helper.from_array(np.array(0, dtype=np.int8), f"{weight.name}_zero_point"))
            zero_point = added[weight.name]
            inputs[3] = zero_point.name
            del node.input[:]
            node.input.extend(inputs)
        for tensor in (weight, zero_point):
            if tensor.name not in changed:
                shifted = (numpy_helper.to_array(tensor).astype(np.int16) + 128).astype(np.uint8)
                tensor.CopyFrom(numpy_helper.from_array(shifted, tensor.name))
                changed.add(tensor.name)
    return len(changed)


class OnnxNLI:
    """(premise, hypothesis) pairs -> logits or calibrated probabilities in NLI_ORDER."""

    def __init__(self, model_dir: str | Path, threads: int | None = None, temperature: float | None = None,
                 max_length: int = 128, batch_size: int = 1, cache_dir: str | Path | None = None):
        import onnxruntime as ort
        from transformers import AutoTokenizer

        model_dir = Path(model_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads or 0)  # 0: every core
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(joined_model_file(model_dir, cache_dir)), options,
                                            providers=["CPUExecutionProvider"])
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        config = json.loads((model_dir / "config.json").read_text())
        columns = [_nli_column(config["id2label"][str(i)]) for i in range(3)]
        self.order = [columns.index(i) for i in range(3)]  # model column of each NLI_ORDER label
        if temperature is None:
            temperature = json.loads((model_dir / "calibration.json").read_text())["temperature"]
        self.temperature = float(temperature)
        self.max_length, self.batch_size = max_length, batch_size
        self._lock = threading.Lock()  # one run at a time: the session's threads are the CPU budget

    def logits(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        out = np.zeros((len(pairs), 3), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            enc = self.tokenizer([pairs[i][0] for i in idx], [pairs[i][1] for i in idx], truncation=True,
                                 max_length=self.max_length, padding=True, return_tensors="np")
            feed = {"input_ids": enc["input_ids"].astype(np.int64),
                    "attention_mask": enc["attention_mask"].astype(np.int64)}
            with self._lock:
                logits = self.session.run(None, feed)[0]
            out[idx] = logits[:, self.order]
        return out

    def probs(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        z = self.logits(pairs).astype(np.float64) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)
