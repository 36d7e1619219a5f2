"""Tune the cascade gate: which fast-stage verdicts are worth a cross-encoder run.

    python -m model.cascade            # writes model/cascade.json (read by service.nli.CascadeScorer)

Only pairs that may end up as an edge (contradiction or agreement) matter to the service, so a
pair goes to the cross-encoder when the fast stage gives it a contradiction probability of at
least ``contradiction_threshold`` or an agreement probability of at least ``agreement_threshold``;
the other pairs keep the fast verdict. The thresholds are the largest that still send the
cross-encoder RECALL_TARGET of the pairs that the cross-encoder itself labels contradiction
(95 %) and agreement (90 %) on the ``calib`` dev sample (never a test split). The escalated fraction and the
recall reached are written beside them; ``python -m model.evaluate`` measures the tuned gate on
the test splits.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from .data import DEFAULT_DATA, REPO, dev_splits

OUT = REPO / "model" / "cascade.json"
RECALL_TARGET = {"contradiction": 0.95, "agreement": 0.90}
CURVE_TARGETS = (0.7, 0.8, 0.9, 0.95, 0.98)  # the trade-off written beside the choice


def largest_threshold(fast_p: np.ndarray, wanted: np.ndarray, recall: float) -> float:
    """Largest t such that at least ``recall`` of the ``wanted`` pairs have fast_p >= t."""
    scores = np.sort(fast_p[wanted])
    if len(scores) == 0:
        return 1.0
    allowed_misses = int(np.floor((1.0 - recall) * len(scores)))
    return float(scores[allowed_misses])


def symmetric(scorer, pairs) -> dict[str, np.ndarray]:
    from service.nli import combine_directions

    sym = combine_directions(*scorer.symmetric_probs(pairs))
    return {k: np.array([s[k] for s in sym]) for k in ("contradiction", "agreement", "neutral")}


def gate(fast: dict[str, np.ndarray], cross_label: np.ndarray, targets: dict[str, float]) -> dict:
    """Thresholds for these recall targets, and the recall and escalated fraction they give."""
    out = {f"{label}_threshold": largest_threshold(fast[label], cross_label == label, target)
           for label, target in targets.items()}
    escalate = ((fast["contradiction"] >= out["contradiction_threshold"])
                | (fast["agreement"] >= out["agreement_threshold"]))
    for label in targets:
        wanted = cross_label == label
        out[f"{label}_recall"] = float(escalate[wanted].mean()) if wanted.any() else None
    out["escalated_fraction"] = float(escalate.mean())
    return out


def tune(root: Path = DEFAULT_DATA, per_source: int = 1000) -> dict:
    from service.nli import CrossScorer, FastScorer

    rows = dev_splits(root, per_source=per_source)["calib"]
    pairs = [(p, h) for p, h, _ in rows]
    fast, cross = symmetric(FastScorer(), pairs), symmetric(CrossScorer(), pairs)
    cross_label = np.array(["contradiction", "agreement", "neutral"])[
        np.argmax(np.stack([cross["contradiction"], cross["agreement"], cross["neutral"]]), axis=0)]
    out = {"split": f"dev_splits(per_source={per_source})['calib']", "n": len(pairs), "recall_target": RECALL_TARGET,
           **gate(fast, cross_label, RECALL_TARGET),
           "curve": [{"recall_target": t, **gate(fast, cross_label, {"contradiction": t, "agreement": t})}
                     for t in CURVE_TARGETS],
           "date": time.strftime("%Y-%m-%d")}
    OUT.write_text(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    print(json.dumps(tune(), indent=2))
