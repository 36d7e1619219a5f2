"""Precise stage: nli-mpnet-base (../shared/models/nli-mpnet-base) brought in as one ONNX file for CPU.

    python -m model.precise build        # packed weights -> model/precise/model.onnx (+ tokenizer, config)
    python -m model.precise calibrate    # temperature on the calib dev sample -> model/precise/calibration.json

Why this form:

* ONNX Runtime with dynamic int8 (per-channel weights, activations quantised per batch) runs the
  12-layer MPNet about 2.2x faster than fp32 on this CPU when every Linear is quantised, but that costs
  about two points of accuracy (1,400 reserved SNLI/MNLI dev rows). Most of the loss comes from the FFN
  output projections (GELU activations have outliers that a per-tensor uint8 activation scale
  flattens) and from the first layers: with those twelve projections and every projection of the
  first four layers in float compute, accuracy on 1,200 reserved MNLI dev rows equals fp32's, at
  1.3x fp32's speed (chosen on reserved dev rows, never on the test splits).
* Their weights are still *stored* as int8: the teacher's weights are per-row int8 with fp16 scales
  (the card's packed form), so an int8 tensor and a ``DequantizeLinear`` per projection reproduce
  them exactly while the file stays ~110 MB instead of ~195 MB.
* The file is split into parts under 50 MB (``model.onnx.part-*``) and joined into a cache file on
  first load (``service/scoring/nli_onnx.py``), so no single file in the repository is large.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from .data import DEFAULT_DATA, LABEL_ID, REPO

TEACHER = REPO.parent / "shared" / "models" / "nli-mpnet-base"
SHIP_DIR = REPO / "model" / "precise"
PART_BYTES = 45 * 1024 * 1024
KEEP_FLOAT = ("output/dense/MatMul",)  # FFN down-projections: float compute, int8 storage
FLOAT_LAYERS = 4  # every projection of the first layers too (see the module doc)


def keeps_float(node_name: str) -> bool:
    """Float compute for this MatMul: an FFN down-projection, or any projection of the first layers."""
    layer = re.search(r"/layer\.(\d+)/", node_name)
    return node_name.endswith(KEEP_FLOAT) or bool(layer and int(layer.group(1)) < FLOAT_LAYERS)


def unpacked_model(teacher: Path = TEACHER):
    """The teacher as a float32 transformers model, from its int8-packed parts (see its CARD.md)."""
    import torch
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModelForSequenceClassification

    state = {}
    for part_file in sorted((teacher / "packed").glob("part-*.safetensors")):
        part = load_file(str(part_file))
        for key, value in part.items():
            if key.endswith(".q"):
                state[key[:-2]] = value.float() * part[key[:-2] + ".s"].float()
            elif key.endswith(".h"):
                state[key[:-2]] = value.float()
    model = AutoModelForSequenceClassification.from_config(AutoConfig.from_pretrained(teacher))
    result = model.load_state_dict(state, strict=False)
    if result.missing_keys:
        raise ValueError(f"packed weights lack {result.missing_keys[:5]}")
    return model.float().eval()


def export_float_onnx(model, tokenizer, path: Path) -> None:
    import torch

    class Logits(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).logits

    enc = tokenizer(["A man is sleeping."] * 2, ["A man runs a marathon in the city."] * 2,
                    return_tensors="pt", padding=True)
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "logits": {0: "batch"}}
    torch.onnx.export(Logits(model), (enc["input_ids"], enc["attention_mask"]), str(path),
                      input_names=["input_ids", "attention_mask"], output_names=["logits"],
                      dynamic_axes=axes, opset_version=17, dynamo=False)


def store_float_weights_as_int8(path: Path, out: Path) -> int:
    """Replace the float weight of every KEEP_FLOAT MatMul by int8 + per-column scale + DequantizeLinear."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    inits = {t.name: t for t in model.graph.initializer}
    replaced = 0
    for node in list(model.graph.node):
        if node.op_type != "MatMul" or not keeps_float(node.name) or node.input[1] not in inits:
            continue
        weight = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)  # (in, out)
        scale = np.maximum(np.abs(weight).max(axis=0), 1e-12) / 127.0
        q = np.clip(np.round(weight / scale), -127, 127).astype(np.int8)
        base = node.input[1]
        model.graph.initializer.remove(inits[base])
        model.graph.initializer.extend([numpy_helper.from_array(q, base + "_q"),
                                        numpy_helper.from_array(scale.astype(np.float32), base + "_scale"),
                                        numpy_helper.from_array(np.zeros_like(q[0]), base + "_zero")])
        model.graph.node.insert(list(model.graph.node).index(node), helper.make_node(
            "DequantizeLinear", [base + "_q", base + "_scale", base + "_zero"], [base], axis=1,
            name=node.name + "/dequantize"))
        replaced += 1
    onnx.save(model, str(out))
    return replaced


def build(teacher: Path = TEACHER, out_dir: Path = SHIP_DIR, log=print) -> dict:
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(teacher))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        export_float_onnx(unpacked_model(teacher), tokenizer, tmp / "float.onnx")
        import onnx

        names = [n.name for n in onnx.load(str(tmp / "float.onnx"), load_external_data=False).graph.node
                 if n.op_type in ("MatMul", "Gemm")]
        keep = [n for n in names if keeps_float(n) or "classifier" in n]
        quantize_dynamic(str(tmp / "float.onnx"), str(tmp / "int8.onnx"), weight_type=QuantType.QInt8,
                         per_channel=True, nodes_to_exclude=keep)
        replaced = store_float_weights_as_int8(tmp / "int8.onnx", tmp / "model.onnx")
        blob = (tmp / "model.onnx").read_bytes()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("model.onnx.part-*"):
        old.unlink()
    parts = [blob[i:i + PART_BYTES] for i in range(0, len(blob), PART_BYTES)]
    for i, part in enumerate(parts):
        (out_dir / f"model.onnx.part-{i}").write_bytes(part)
    tokenizer.save_pretrained(str(out_dir))
    shutil.copyfile(teacher / "config.json", out_dir / "config.json")
    manifest = {"parts": len(parts), "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                "float_compute_nodes": keep, "int8_stored_float_weights": replaced,
                "teacher": "../shared/models/nli-mpnet-base (packed parts, see its CARD.md)",
                "built": time.strftime("%Y-%m-%d")}
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=1))
    log(f"wrote {len(parts)} parts, {len(blob) / 2**20:.1f} MiB, {replaced} float MatMuls stored int8")
    return manifest


def calibrate(root: Path = DEFAULT_DATA, per_source: int = 1000, log=print) -> dict:
    """Temperature on ``calib`` (SNLI dev + MNLI dev_matched reserved sample), ECE on ``heldout``."""
    from service.scoring.nli_onnx import OnnxNLI

    from .calib import ece, fit_temperature, softmax
    from .data import dev_splits

    dev = dev_splits(root, per_source=per_source)
    nli = OnnxNLI(SHIP_DIR, threads=2, temperature=1.0)
    t0 = time.time()
    lc = nli.logits([(p, h) for p, h, _ in dev["calib"]])
    lh = nli.logits([(p, h) for p, h, _ in dev["heldout"]])
    speed = (len(lc) + len(lh)) / (time.time() - t0)
    yc = np.array([LABEL_ID[y] for *_, y in dev["calib"]])
    yh = np.array([LABEL_ID[y] for *_, y in dev["heldout"]])
    t = fit_temperature(lc, yc)
    result = {"temperature": t, "calib_acc": float((lc.argmax(1) == yc).mean()),
              "heldout_acc": float((lh.argmax(1) == yh).mean()),
              "heldout_ece_before": ece(softmax(lh), yh), "heldout_ece_after": ece(softmax(lh, t), yh),
              "directional_pairs_per_s_2_threads": speed,
              "dev_split": f"dev_splits(per_source={per_source}): calib fits T, heldout measures ECE",
              "date": time.strftime("%Y-%m-%d %H:%M")}
    (SHIP_DIR / "calibration.json").write_text(json.dumps(result, indent=1))
    log(json.dumps(result))
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["build", "calibrate"])
    args = parser.parse_args(argv)
    {"build": build, "calibrate": calibrate}[args.step]()


if __name__ == "__main__":
    main()
