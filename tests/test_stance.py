"""The shipped stance head (service/stance.py, model/stance/head.json): probabilities, symmetry,
known news pairs, and the build_scorer entry point. Skips when the model files are absent."""
from __future__ import annotations

import pytest

from service import stance

CROSS_CONFIG = stance.MODEL_DIR / "cross" / "config.json"
pytestmark = pytest.mark.skipif(not (stance.HEAD_PATH.exists() and CROSS_CONFIG.exists()),
                                reason="stance head or cross-encoder not shipped")

RARE_A = "Ukraine agreed to give us 500 billion dollars' worth of rare earths."
RARE_B = ("We did not agree to 500 billion dollars, and I will not sign something that ten generations "
          "of Ukrainians would have to repay.")
TROOPS_A = "The deployment of European peacekeepers in Ukraine is unacceptable to Russia."
TROOPS_B = "Britain is prepared to put troops on the ground in Ukraine."
UNRELATED = ("The UK will raise defence spending to 2.5 percent of GDP by 2027.", "Egg prices are coming down fast.")


@pytest.fixture(scope="module")
def scorer():
    import torch

    torch.set_num_threads(1)
    return stance.StanceScorer()


@pytest.fixture(scope="module")
def judged(scorer):
    pairs = [(RARE_A, RARE_B), (TROOPS_A, TROOPS_B), UNRELATED]
    forward = scorer.judge(pairs)
    backward = scorer.judge([(b, a) for a, b in pairs])
    return forward, backward


def test_head_matches_features():
    head = stance.load_head()
    assert head["features"] == stance.FEATURE_NAMES
    assert len(head["coef"]) == 3 and len(head["coef"][0]) == len(stance.FEATURE_NAMES)
    assert head["temperature"] > 0


def test_probabilities_sum_to_one(judged):
    for j in judged[0] + judged[1]:
        assert abs(sum(j.probs.values()) - 1.0) < 1e-6
        assert set(j.probs) == {"contradiction", "agreement", "neutral"}
        assert j.score == pytest.approx(j.probs[j.label])


def test_symmetric(judged):
    for f, b in zip(*judged):
        assert f.label == b.label
        for k in f.probs:
            assert f.probs[k] == pytest.approx(b.probs[k], abs=1e-6)


def test_known_pairs(judged):
    rare, troops, unrelated = judged[0]
    assert rare.label == "contradiction"
    assert troops.label == "contradiction"
    assert unrelated.label != "contradiction"
    assert rare.cues  # cues are carried for display


def test_given_similarities_and_empty(scorer):
    assert scorer.judge([]) == []
    j = scorer.judge([(RARE_A, RARE_B)], similarities=[0.6])[0]
    assert abs(sum(j.probs.values()) - 1.0) < 1e-6


def test_build_scorer():
    from service.scorers import build_scorer

    s = build_scorer("stance")
    assert s.name == "stance"
    assert isinstance(s, stance.StanceScorer)
