"""Trained NLI scorers: loads the shipped files under model/ (skips if absent); never trains,
never reads ../shared."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from service import nli
from service.scorers import build_scorer

MODEL = Path(__file__).resolve().parent.parent / "model"
HAS_FAST = (MODEL / "fast" / "fast_head.npz").exists()
HAS_CROSS = (MODEL / "cross" / "config.json").exists() and (MODEL / "cross" / "calibration.json").exists()
need_fast = pytest.mark.skipif(not HAS_FAST, reason="model/fast not shipped")
need_cross = pytest.mark.skipif(not HAS_CROSS, reason="model/cross not shipped")
need_both = pytest.mark.skipif(not (HAS_FAST and HAS_CROSS), reason="model files not shipped")

CONTRA = ("A man is sleeping.", "A man is running a marathon.")
ENTAIL = ("A woman is slicing an onion.", "A woman is cutting an onion.")
UNRELATED = ("The central bank raised interest rates on Tuesday.", "A dog is swimming in a lake.")


def _check_judgement(j):
    assert set(j.probs) == {"contradiction", "agreement", "neutral"}
    assert math.isclose(sum(j.probs.values()), 1.0, abs_tol=1e-6)
    assert all(0.0 <= p <= 1.0 for p in j.probs.values())
    assert j.label == max(j.probs, key=j.probs.get)
    assert math.isclose(j.score, j.probs[j.label])
    assert isinstance(j.cues, list)


def _check_symmetric(scorer):
    pairs = [CONTRA, ENTAIL, UNRELATED]
    forward = scorer.judge(pairs)
    backward = scorer.judge([(b, a) for a, b in pairs])
    for f, b in zip(forward, backward):
        _check_judgement(f)
        _check_judgement(b)
        assert f.label == b.label
        for k in f.probs:
            assert f.probs[k] == pytest.approx(b.probs[k], abs=1e-5)


def test_invalid_spec_raises():
    for spec in ("", "nope", "crossencoder:", "fastest"):
        with pytest.raises(ValueError):
            nli.build_trained_scorer(spec)
    with pytest.raises(ValueError):
        build_scorer("no-such-scorer")


def test_specs_build_lazily():
    # building loads nothing; the spec decides the type
    assert isinstance(nli.build_trained_scorer("fast"), nli.FastScorer)
    assert isinstance(nli.build_trained_scorer("cross"), nli.CrossScorer)
    assert isinstance(nli.build_trained_scorer("cascade"), nli.CascadeScorer)
    hub = nli.build_trained_scorer("crossencoder:some/model")
    assert isinstance(hub, nli.HubCrossEncoderScorer) and hub.name == "crossencoder:some/model"
    assert build_scorer("fast").name == "fast"


def test_combine_directions_rules():
    import numpy as np

    # entailment one way, neutral the other: agreement
    p = nli.combine_directions(np.array([[0.9, 0.05, 0.05]]), np.array([[0.1, 0.85, 0.05]]))[0]
    assert max(p, key=p.get) == "agreement"
    # entailment one way, contradiction the other: no agreement
    p = nli.combine_directions(np.array([[0.9, 0.05, 0.05]]), np.array([[0.05, 0.05, 0.9]]))[0]
    assert p["agreement"] < 0.1
    assert math.isclose(sum(p.values()), 1.0)
    # symmetric by construction
    a, b = np.array([[0.2, 0.3, 0.5]]), np.array([[0.6, 0.3, 0.1]])
    assert nli.combine_directions(a, b) == nli.combine_directions(b, a)


@need_fast
def test_fast_scorer():
    scorer = nli.build_trained_scorer("fast")
    _check_symmetric(scorer)
    assert scorer.judge([]) == []
    j = scorer.judge([("Ukraine agreed to the deal.", "Ukraine did not agree to the deal.")])[0]
    assert any(c["kind"] == "negation" for c in j.cues)


@need_cross
def test_cross_known_pairs():
    scorer = nli.build_trained_scorer("cross")
    contra, entail, unrelated = scorer.judge([CONTRA, ENTAIL, UNRELATED], similarities=[0.22, 0.92, 0.01])
    assert contra.label == "contradiction"
    assert entail.label == "agreement"
    assert unrelated.label == "neutral" and unrelated.probs["neutral"] == 1.0  # unrelated rule
    _check_symmetric(scorer)


@need_both
def test_cascade_matches_cross_on_escalated_pairs():
    cascade = nli.build_trained_scorer("cascade")
    out = cascade.judge([CONTRA, ENTAIL, UNRELATED], similarities=[0.22, 0.92, 0.01])
    for j in out:
        _check_judgement(j)
    assert out[0].label == "contradiction"
    assert out[1].label == "agreement"
    assert out[2].label == "neutral"  # below the unrelated similarity: no model runs
    assert cascade.last_escalated <= 2


@need_both
def test_cascade_gate_decides_what_reaches_the_cross_encoder():
    pairs = [CONTRA, ENTAIL, ("A man plays a guitar.", "A man plays a guitar on a stage.")]
    everything = nli.CascadeScorer(thresholds=(0.0, 0.0))
    assert [j.label for j in everything.judge(pairs)] == [j.label for j in nli.CrossScorer().judge(pairs)]
    assert everything.last_escalated == len(pairs)
    nothing = nli.CascadeScorer(thresholds=(1.01, 1.01))
    fast = nli.FastScorer().judge(pairs)
    assert [j.probs for j in nothing.judge(pairs)] == [j.probs for j in fast]
    assert nothing.last_escalated == 0


@need_both
def test_shipped_cascade_gate_was_tuned_to_its_recall_targets():
    import json

    tuned = json.loads((MODEL / "cascade.json").read_text())
    assert nli.CascadeScorer().thresholds == (tuned["contradiction_threshold"], tuned["agreement_threshold"])
    for label, target in tuned["recall_target"].items():
        assert tuned[f"{label}_recall"] >= target
    assert 0.0 < tuned["escalated_fraction"] < 1.0


@need_cross
def test_hub_crossencoder_on_shipped_dir():
    pytest.importorskip("sentence_transformers")
    scorer = nli.build_trained_scorer(f"crossencoder:{MODEL / 'cross'}")
    j = scorer.judge([CONTRA])[0]
    _check_judgement(j)
    assert j.label == "contradiction"
    # same model, same numbers as the shipped CrossScorer up to calibration (T is close to 1)
    ours = nli.build_trained_scorer("cross").judge([CONTRA])[0]
    assert abs(ours.probs["contradiction"] - j.probs["contradiction"]) < 0.1
