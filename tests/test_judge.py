"""The judge as shipped (model/precise, model/judge): probabilities, symmetry, the gate's veto, the fast
stage's filter, and the precise stage's model file checks. Skips when the model files are absent."""
from __future__ import annotations

import json
import math
import shutil

import pytest

import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper

from service.scoring.cues import cue_features
from service.scoring.gate import alignment, gate_features
from service.scoring.judge import (JUDGE_DIR, PRECISE_DIR, SETTLE_BY_ONE, VERDICT_FEATURES, JudgeScorer,
                                   PreciseOnlyScorer, ThoroughJudgeScorer, decide, load_judge, longer_first,
                                   precise_inputs, settled_by_one_direction, verdict_features, verdict_probs)
from service.scoring.nli_onnx import joined_model_file, unsigned_weights
from service.scoring.registry import build_scorer

pytestmark = pytest.mark.skipif(not ((JUDGE_DIR / "judge.json").exists() and (PRECISE_DIR / "manifest.json").exists()),
                                reason="judge model files not shipped")

PAIRS = [
    ("The refinery in Tarso was shut down on Monday.", "The Tarso refinery never stopped production this week."),
    ("The talks in Geneva collapsed on Friday.", "Negotiations in Geneva broke down on Friday."),
    ("The ministry is ready to talk about pensions.", "The union is ready to discuss shift patterns."),
    ("A man is sleeping on a couch.", "A man is running a marathon."),
]


def check(j):
    assert set(j.probs) == {"contradiction", "agreement", "neutral"}
    assert math.isclose(sum(j.probs.values()), 1.0, abs_tol=1e-6)
    assert math.isclose(j.score, j.probs[j.label])
    assert j.stage in {"gate", "fast", "precise"} and 0.0 <= j.alignment <= 1.0
    threshold = JudgeScorer().thresholds["contradiction"]
    assert (j.label == "contradiction") == (j.stage == "precise" and j.probs["contradiction"] >= threshold)


def test_decision_rule():
    assert decide([0.30, 0.10, 0.60], 0.25) == "contradiction"  # calibrated 0.30 is enough to be shown
    assert decide([0.20, 0.50, 0.30], 0.25) == "agreement"
    assert decide([0.20, 0.30, 0.50], 0.25) == "neutral"


def test_registry_builds_every_scorer_lazily():
    assert isinstance(build_scorer("judge"), JudgeScorer) and build_scorer("judge").fast_stage
    assert isinstance(build_scorer("judge-thorough"), ThoroughJudgeScorer)
    assert isinstance(build_scorer("nli"), PreciseOnlyScorer)
    assert build_scorer("cues").name == "cues"
    for bad in ("", "cascade", "crossencoder:x"):
        with pytest.raises(ValueError):
            build_scorer(bad)


def test_judgements_are_probabilities_and_symmetric():
    scorer = JudgeScorer()
    forward = scorer.judge(PAIRS)
    backward = scorer.judge([(b, a) for a, b in PAIRS])
    for f, b in zip(forward, backward):
        check(f), check(b)
        assert f.label == b.label and f.stage == b.stage
        for k in f.probs:
            assert f.probs[k] == pytest.approx(b.probs[k], abs=1e-4)
    assert scorer.counts["pairs"] == 2 * len(PAIRS)
    assert sum(v for k, v in scorer.counts.items() if k != "pairs") == 2 * len(PAIRS)


def test_gate_vetoes_whatever_nli_says():
    vetoing = JudgeScorer(thresholds={"gate_min": 1.01})
    out = vetoing.judge(PAIRS)
    assert all(j.stage == "gate" and j.label == "neutral" for j in out)
    assert vetoing.counts["precise"] == 0


def test_dates_within_a_news_cycle_are_no_evidence_of_another_point():
    a, b = "Ukraine agreed to give us 500 billion dollars' worth of rare earths.", "We did not agree to 500 billion dollars."
    same_day = gate_features(a, b, 0.6, ("2025-02-10", "2025-02-10"))
    assert gate_features(a, b, 0.6, ("2025-02-10", "2025-02-23")) == same_day
    months_apart = gate_features(a, b, 0.6, ("2025-02-10", "2025-05-23"))
    months_apart_alignment, same_day_alignment = alignment(load_judge()[0]["gate"], [months_apart, same_day])
    assert months_apart_alignment < same_day_alignment


def test_fast_stage_decides_what_reaches_the_precise_stage():
    none_escalated = JudgeScorer(thresholds={"fast": 1.01, "fast_agreement": 1.01}).judge(PAIRS)
    assert all(j.stage in {"gate", "fast"} and j.label == "neutral" for j in none_escalated)
    assert any(j.stage == "fast" for j in none_escalated)
    all_escalated = JudgeScorer(thresholds={"fast": -1.0}).judge(PAIRS)
    assert all(j.stage in {"gate", "precise"} for j in all_escalated)
    assert any(j.stage == "precise" for j in all_escalated)


def test_thorough_judge_sends_every_gate_passing_pair_to_the_precise_stage():
    fast_would_stop = JudgeScorer(thresholds={"fast": 1.01, "fast_agreement": 1.01})
    thorough = ThoroughJudgeScorer(thresholds={"fast": 1.01, "fast_agreement": 1.01})
    stopped, judged = fast_would_stop.judge(PAIRS), thorough.judge(PAIRS)
    assert any(j.stage == "fast" for j in stopped)
    assert [j.stage for j in judged] == ["precise" if j.stage == "fast" else j.stage for j in stopped]
    assert thorough.counts["fast"] == 0 and thorough.name == "judge-thorough"
    for j in judged:
        check(j)


def test_one_direction_settles_only_clear_verdicts():
    t, over, at_most = 0.47, SETTLE_BY_ONE["contradiction_over_threshold"], SETTLE_BY_ONE["contradiction_at_most"]
    probs = np.array([[t + over + 0.01, 0.0, 1 - t - over - 0.01],  # a clear conflict
                      [t + over - 0.01, 0.0, 1 - t - over + 0.01],  # a conflict, but near the threshold
                      [at_most, 0.9, 0.1 - at_most],  # no conflict, a clear agreement
                      [at_most + 0.01, 0.0, 1 - at_most - 0.01],  # too much conflict left to rule it out
                      [0.0, 0.45, 0.55],  # no conflict, agreement and neutral too close
                      [0.0, 0.05, 0.95]])  # no conflict, a clear neutral
    assert settled_by_one_direction(probs, t).tolist() == [True, False, True, False, False, True]
    assert longer_first(("short.", "a longer claim.")) == longer_first(("a longer claim.", "short.")) == ("a longer claim.", "short.")
    assert longer_first(("abc", "abd")) == longer_first(("abd", "abc"))  # equal lengths: one order all the same


def test_settle_replay_varies_one_bound_at_a_time_and_keeps_the_shipped_ones_once():
    from model.settle import AT_MOST, OVER_THRESHOLD, bounds_to_replay

    replayed = bounds_to_replay(SETTLE_BY_ONE)
    assert replayed.count(SETTLE_BY_ONE) == 1
    for bounds in replayed:
        assert bounds.keys() == SETTLE_BY_ONE.keys()
        assert sum(bounds[k] != SETTLE_BY_ONE[k] for k in bounds) <= 1
    assert {b["contradiction_over_threshold"] for b in replayed} == set(OVER_THRESHOLD)
    assert {b["contradiction_at_most"] for b in replayed} == set(AT_MOST)


def test_verdict_features_do_not_depend_on_the_order_of_the_two_directions():
    # the precise stage passes the directions as it read them (longer claim first), not in the pair's order
    pairs = PAIRS[:2]
    p, q = np.array([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]]), np.array([[0.3, 0.6, 0.1], [0.2, 0.2, 0.6]])
    cues, gates = [cue_features(a, b) for a, b in pairs], [gate_features(a, b, 0.6) for a, b in pairs]
    assert np.array_equal(verdict_features(pairs, p, q, cues, gates), verdict_features(pairs, q, p, cues, gates))


def test_precise_stage_reads_the_second_direction_only_where_the_first_leaves_the_verdict_unsettled():
    everything = {"fast": -1.0, "fast_agreement": -1.0, "gate_min": -1.0}  # every pair reaches the precise stage
    pairs = PAIRS + [("The minister said the plan is working.", "Critics said the plan has not delivered yet."),
                     ("Exports rose in March.", "Exports fell slightly in the first quarter.")]
    quick, both = JudgeScorer(thresholds=everything), JudgeScorer(thresholds=everything)
    both.one_direction_first = False
    fast_read, full_read = quick.judge(pairs), both.judge(pairs)
    # some of these pairs settle by one direction and some do not (with the shipped model; a retrained one may
    # need other pairs here for the test to mean anything)
    assert both.nli_runs == 2 * len(pairs) and len(pairs) < quick.nli_runs < 2 * len(pairs)
    # both directions: the verdict as computed before one direction came first, in the pairs' own order
    p_ab, p_ba = both.precise_probs(precise_inputs(pairs))
    sims = both.similarities(pairs, None)
    x = verdict_features(pairs, p_ab, p_ba, [cue_features(a, b) for a, b in pairs],
                         [gate_features(a, b, s) for (a, b), s in zip(pairs, sims)])
    expected = verdict_probs(load_judge()[0]["verdict"], x)
    for j, e in zip(full_read, expected):
        assert [j.probs[k] for k in ("contradiction", "agreement", "neutral")] == pytest.approx(e.tolist(), abs=1e-9)
    threshold = quick.thresholds["contradiction"]
    differ = 0
    for one, two in zip(fast_read, full_read):
        check(one)
        probs = np.array([[one.probs[k] for k in ("contradiction", "agreement", "neutral")]])
        # read one way only: a verdict that direction settles (a pair read both ways may still differ in the last
        # digits: its verdict features went through the matrix product among fewer rows)
        if [one.probs[k] for k in one.probs] != pytest.approx([two.probs[k] for k in one.probs], abs=1e-9):
            differ += 1
            assert settled_by_one_direction(probs, threshold)[0]
    assert differ == 2 * len(pairs) - quick.nli_runs


def test_fast_scores_are_what_the_fast_stage_decides_on():
    scorer = JudgeScorer(thresholds={"fast": 1.01, "fast_agreement": 1.01})  # every gate-passing pair stops there
    judged = scorer.judge(PAIRS)
    probs, clashes = scorer.fast_scores(PAIRS)
    stopped = [i for i, j in enumerate(judged) if j.stage == "fast"]
    assert stopped and len(probs) == len(clashes) == len(PAIRS)
    for i in stopped:
        assert [judged[i].probs[k] for k in ("contradiction", "agreement", "neutral")] == pytest.approx(probs[i].tolist())
    # a caller that has the pairs' gate and cue features (model.fast_recall, after model.judge.enrich) gets the same
    gates = [gate_features(a, b, s) for (a, b), s in zip(PAIRS, scorer.similarities(PAIRS, None))]
    given, given_clashes = scorer.fast_scores(PAIRS, gates=gates, cue_rows=[cue_features(a, b) for a, b in PAIRS])
    assert np.allclose(given, probs) and given_clashes == clashes


def test_model_scripts_send_on_the_pairs_the_service_sends_to_the_precise_stage():
    from model.judge import sent_to_precise_stage

    scorer = JudgeScorer()
    rows = [{"a": a, "b": b, "gate_x": gate_features(a, b, s), "cue_x": cue_features(a, b)}
            for (a, b), s in zip(PAIRS, scorer.similarities(PAIRS, None))]
    everything = dict(scorer.thresholds, fast=-1.0)
    sent = sent_to_precise_stage(rows, load_judge(JUDGE_DIR)[0]["gate"], {"shipped": scorer.thresholds, "all": everything})
    assert sent["shipped"].tolist() == [j.stage == "precise" for j in scorer.judge(PAIRS)]
    assert sent["all"].tolist() == [j.stage == "precise" for j in JudgeScorer(thresholds={"fast": -1.0}).judge(PAIRS)]
    assert sent["all"].sum() > sent["shipped"].sum()


def test_fast_threshold_is_lowered_to_keep_the_precise_stages_contradictions_on_service_pairs():
    from model.fast_recall import contradiction_threshold, kept

    rng = np.random.default_rng(7)
    contra = [{"fast": [p, 0.0, 1 - p], "clash": False, "label": "contradiction"} for p in rng.uniform(0.0, 0.5, 96)]
    contra += [{"fast": [0.001, 0.9, 0.099], "clash": False, "label": "contradiction"},  # over the agreement threshold
               {"fast": [0.001, 0.0, 0.999], "clash": True, "label": "contradiction"},  # a clash of scope
               {"fast": [0.002, 0.0, 0.998], "clash": False, "label": "contradiction"},
               {"fast": [0.003, 0.0, 0.997], "clash": False, "label": "contradiction"}]
    rows = contra + [{"fast": [p, 0.0, 1 - p], "clash": False, "label": "neutral"} for p in rng.uniform(0.0, 0.2, 300)]
    lowered = contradiction_threshold(rows, 0.3, 0.5, recall=0.97)

    def contradictions_kept(t):
        return kept(rows, {"fast": t, "fast_agreement": 0.5})["contradiction"]["kept"]

    assert contradictions_kept(0.3) < 97 and contradictions_kept(lowered) == 97  # 97 of 100, the two going on anyway among them
    assert contradictions_kept(float(np.nextafter(lowered, 1.0))) < 97  # the largest threshold that keeps them
    assert contradiction_threshold(rows, 0.001, 0.5, recall=0.97) == 0.001  # never raised


def test_stored_forest_gives_what_scikit_learn_predicts():
    from sklearn.ensemble import HistGradientBoostingRegressor

    from model.judge import forest_arrays
    from service.scoring.judge import forest_scores

    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 6))
    y = x[:, 0] * 2 - np.abs(x[:, 3]) + (x[:, 5] > 0.5) + rng.normal(scale=0.1, size=400)
    model = HistGradientBoostingRegressor(max_iter=30, random_state=0).fit(x, y)
    assert np.allclose(forest_scores(forest_arrays(model), x), model.predict(x), atol=1e-9)


def test_stored_contradiction_forest_gives_what_scikit_learn_predicts():
    """The verdict's forest is a binary classifier: its stored trees give its log-odds."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from model.judge import forest_arrays
    from service.scoring.judge import forest_probability

    rng = np.random.default_rng(4)
    x = rng.normal(size=(500, 5))
    y = (x[:, 1] * x[:, 2] > 0.2) | (x[:, 0] > 1.0)  # an interaction no linear verdict sees
    model = HistGradientBoostingClassifier(max_iter=40, max_leaf_nodes=15, random_state=0).fit(x, y)
    p = forest_probability(forest_arrays(model), x)
    assert np.allclose(p, model.predict_proba(x)[:, 1], atol=1e-9)


def test_verdict_contradiction_is_the_mean_of_the_logistic_verdict_and_the_forest():
    """P(contradiction) is the mean of the two; agreement and neutral share the rest as the logistic verdict
    shares them, so the three still sum to one; without a forest, the logistic verdict alone."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    from model.judge import forest_arrays

    rng = np.random.default_rng(5)
    x = rng.normal(size=(300, 3))
    labels = np.array(["contradiction", "agreement", "neutral"])[rng.integers(0, 3, size=300)]
    linear = LogisticRegression().fit(x, labels)
    verdict = {"coef": linear.coef_.tolist(), "intercept": linear.intercept_.tolist(), "mean": [0.0] * 3,
               "std": [1.0] * 3, "classes": linear.classes_.tolist(), "features": ["u", "v", "w"]}
    forest = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(x, labels == "contradiction")
    alone = verdict_probs(verdict, x)
    order = [list(linear.classes_).index(k) for k in ("contradiction", "agreement", "neutral")]
    assert np.allclose(alone, linear.predict_proba(x)[:, order], atol=1e-9)
    blended = verdict_probs({**verdict, "forest": forest_arrays(forest)}, x)
    assert np.allclose(blended[:, 0], (alone[:, 0] + forest.predict_proba(x)[:, 1]) / 2, atol=1e-9)
    assert np.allclose(blended.sum(axis=1), 1.0)
    assert np.allclose(blended[:, 1] / blended[:, 2], alone[:, 1] / alone[:, 2])


def test_a_clash_of_scope_is_read_by_the_logistic_verdict_alone():
    """A clash of scope (the scope cue beside an opposite predicate, a negation or a denial) is too rare for the
    forest to learn: there P(contradiction) is the logistic verdict's; elsewhere, and for the scope cue without
    an opposite, the mean with the forest."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    from model.judge import forest_arrays

    features = ["u", "antonym", "negation_flip", "denial_flip", "scope*contradiction_max"]
    rng = np.random.default_rng(6)
    x = np.column_stack([rng.normal(size=400)] + [rng.integers(0, 2, size=400) for _ in range(4)]).astype(float)
    labels = np.array(["contradiction", "agreement", "neutral"])[rng.integers(0, 3, size=400)]
    linear = LogisticRegression().fit(x, labels)
    verdict = {"coef": linear.coef_.tolist(), "intercept": linear.intercept_.tolist(), "mean": [0.0] * 5,
               "std": [1.0] * 5, "classes": linear.classes_.tolist(), "features": features}
    forest = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(x, labels == "contradiction")
    alone = verdict_probs(verdict, x)[:, 0]
    blended = verdict_probs({**verdict, "forest": forest_arrays(forest)}, x)[:, 0]
    clash = (x[:, 4] > 0) & (x[:, 1:4].sum(axis=1) > 0)
    assert 0 < clash.sum() < len(x)
    assert np.allclose(blended[clash], alone[clash], atol=1e-9)
    assert np.allclose(blended[~clash], (alone[~clash] + forest.predict_proba(x[~clash])[:, 1]) / 2, atol=1e-9)
    scope_only = (x[:, 4] > 0) & ~clash
    assert scope_only.any() and not np.allclose(blended[scope_only], alone[scope_only])


def test_shipped_verdict_has_its_contradiction_forest():
    forest = load_judge()[0]["verdict"]["forest"]
    assert {"feature", "threshold", "left", "right", "leaf", "value", "roots", "baseline", "depth"} <= set(forest)
    assert 0 <= forest["feature"].min() and forest["feature"].max() < len(VERDICT_FEATURES)


def test_a_judge_trained_with_a_forest_refuses_to_load_without_it(tmp_path):
    """A missing or stale forest file would change every verdict silently: loading fails instead."""
    import shutil

    for name in ("judge.json", "fast.npz"):
        shutil.copy(JUDGE_DIR / name, tmp_path / name)
    with pytest.raises(FileNotFoundError, match="verdict_forest.npz"):
        load_judge(str(tmp_path))
    forest = dict(load_judge()[0]["verdict"]["forest"])
    forest["roots"] = forest["roots"][:-1]  # one tree short: another training's file
    np.savez_compressed(tmp_path / "verdict_forest.npz", **forest)
    with pytest.raises(ValueError, match="does not match"):
        load_judge(str(tmp_path))


def test_fast_thresholds_chosen_together_escalate_fewer_pairs_at_the_same_recall():
    from model.judge import joint_thresholds, recall_threshold

    rng = np.random.default_rng(5)
    # contradictions the agreement forest also scores high (as many do), agreements, and neutral pairs
    target = ["contradiction"] * 40 + ["agreement"] * 40 + ["neutral"] * 320
    p_c = np.concatenate([rng.uniform(0.2, 1.0, 40), rng.uniform(0.0, 0.3, 40), rng.uniform(0.0, 0.6, 320)])
    p_a = np.concatenate([rng.uniform(0.5, 1.0, 40), rng.uniform(0.2, 1.0, 40), rng.uniform(0.0, 0.6, 320)])
    probs, idx, passing, clashes = np.stack([p_c, p_a], axis=1), list(range(400)), [True] * 400, [False] * 400
    recall = {"contradiction": 0.95, "agreement": 0.90}

    def escalated(t):
        return (p_c >= t["contradiction"]) | (p_a >= t["agreement"])

    def kept(t, label):
        return sum(e for e, y in zip(escalated(t), target) if y == label)

    alone = {name: recall_threshold([probs[i, k] for i in idx if target[i] == name], recall[name])
             for k, name in enumerate(("contradiction", "agreement"))}
    together = joint_thresholds(idx, passing, target, probs, clashes, recall)
    assert kept(together, "contradiction") >= 38 and kept(together, "agreement") >= 36
    assert escalated(together).sum() < escalated(alone).sum()


def test_verdict_is_chosen_on_held_out_batches_written_to_the_test_brief(monkeypatch):
    import model.judge as mj

    # batch 1 (another brief): contradictions the verdict scores low, no hard negatives; batch 4 (the test
    # split's brief): contradictions at 0.6 beside hard negatives at 0.45. Balanced on batch 4 alone, the
    # threshold lies above 0.45; balanced on both, it would fall to 0.3 and call every hard negative a
    # contradiction
    rows = ([{"batch": "1", "p": 0.3, "label": "contradiction"}] * 20 + [{"batch": "1", "p": 0.0, "label": "neutral"}] * 20
            + [{"batch": "4", "p": 0.6, "label": "contradiction"}] * 20 + [{"batch": "4", "p": 0.45, "label": "neutral"}] * 10)
    rows = [dict(r, i=i) for i, r in enumerate(rows)]
    seen = {}
    monkeypatch.setattr(mj, "batch_of", lambda r: r["batch"])
    monkeypatch.setattr(mj, "train_gate", lambda stance, gold: ({"batches": {r["batch"] for r in gold}}, 0.0))
    monkeypatch.setattr(mj, "fit_verdict", lambda stance, gold, c, gate, gate_min: {"batches": {r["batch"] for r in gold}})
    monkeypatch.setattr(mj, "fit_contradiction_forest", lambda stance, gold, gate, gate_min: {"batches": {r["batch"] for r in gold}})

    def probability(held, gate, verdict, gate_min):
        batch = held[0]["batch"]
        # never judged by what saw it: gate, logistic verdict, contradiction forest (the logistic verdict is
        # also read alone, for the report)
        assert batch not in gate["batches"] | verdict["batches"] | verdict.get("forest", {"batches": set()})["batches"]
        seen[batch] = seen.get(batch, False) or "forest" in verdict
        # the logistic verdict alone, in this fake, cannot tell the two apart: the threshold must come from the blend
        return np.array([r["p"] if "forest" in verdict else 0.5 for r in held])

    monkeypatch.setattr(mj, "contradiction_probability", probability)
    c, threshold, selection = mj.choose_verdict([], rows, rows, grid=(1.0,))
    assert seen == {"1": True, "4": True}
    assert 0.45 < threshold <= 0.6
    assert selection["out_of_fold"]["precision"] == 1.0 and selection["out_of_fold"]["recall"] == 1.0
    assert selection["out_of_fold_all_dev"]["recall"] == 0.5
    assert selection["best_f1_by_c"]["1.0"] == 1.0 and selection["best_f1_by_c_logistic_alone"]["1.0"] < 1.0
    assert selection["calibration_error_out_of_fold"]["logistic_alone"]["ece"] > 0


def verdict_reading_p(monkeypatch, mj):
    """choose_verdict without training: every row's P(contradiction) is its own ``p``, its batch its ``batch``."""
    monkeypatch.setattr(mj, "batch_of", lambda r: r["batch"])
    monkeypatch.setattr(mj, "train_gate", lambda stance, gold: ({}, 0.0))
    monkeypatch.setattr(mj, "fit_verdict", lambda *args: {})
    monkeypatch.setattr(mj, "fit_contradiction_forest", lambda *args: {})
    monkeypatch.setattr(mj, "contradiction_probability", lambda held, *args: np.array([r["p"] for r in held]))


def test_threshold_counts_edges_only_among_the_pairs_the_service_meets(monkeypatch):
    import model.judge as mj

    # half the contradictions at 0.6, half at 0.4, and 30 negatives at 0.45 that are not among any claim's nearest
    # (the service never judges them). Counted as edges, they hold the threshold over 0.45 (recall 0.5); where
    # they cannot become edges the balanced point takes every contradiction
    rows = ([{"p": 0.6, "label": "contradiction"}] * 10 + [{"p": 0.4, "label": "contradiction"}] * 10
            + [{"p": 0.45, "label": "neutral", "far": True}] * 30)
    rows = [dict(r, batch="4", ids=(f"a{i}", f"b{i}")) for i, r in enumerate(rows)]
    met = {frozenset(r["ids"]) for r in rows if not r.get("far")}
    verdict_reading_p(monkeypatch, mj)
    everything = mj.choose_verdict([], rows, rows, grid=(1.0,))[1]
    _, among_met, selection = mj.choose_verdict([], rows, rows, met, grid=(1.0,))
    assert 0.45 < everything <= 0.6 and among_met <= 0.4
    assert selection["out_of_fold"]["recall"] == 1.0 and selection["out_of_fold"]["precision"] == 1.0
    assert selection["out_of_fold_every_row"]["precision"] == 0.4


def test_all_of_dev_counts_the_news_gold_alone(monkeypatch):
    import model.judge as mj

    # ../shared/dev's rows carry no statement ids, so the service never meets them: counted in "all of dev"
    # they would read as contradictions missed by a verdict that finds every one of the news gold's
    rows = [dict({"p": 0.6, "label": "contradiction"}, batch="4", ids=(f"a{i}", f"b{i}")) for i in range(10)]
    rows += [dict({"p": 0.1, "label": "neutral"}, batch="4", ids=(f"c{i}", f"d{i}")) for i in range(10)]
    rows += [{"p": 0.9, "label": "contradiction", "batch": mj.SHARED_DEV_BATCH}] * 5
    met = {frozenset(r["ids"]) for r in rows if "ids" in r}
    verdict_reading_p(monkeypatch, mj)
    selection = mj.choose_verdict([], rows, rows, met, grid=(1.0,))[2]
    assert selection["out_of_fold_all_dev"]["contradictions"] == 10
    assert selection["out_of_fold_all_dev"]["recall"] == 1.0


def test_the_pairs_the_service_meets_are_each_claims_nearest_comparable_ones(monkeypatch, tmp_path):
    import model.judge as mj

    # four claims on one line of meaning: each meets its nearest by another actor (or itself at another date)
    statements = [{"id": "s1", "actor": "A", "text": "one", "split": "dev"},
                  {"id": "s2", "actor": "A", "text": "two", "split": "dev"},
                  {"id": "s3", "actor": "B", "text": "three", "split": "dev"},
                  {"id": "s4", "actor": "C", "text": "four", "split": "dev"},
                  {"id": "t1", "actor": "D", "text": "test", "split": "test"}]
    (tmp_path / "statements.jsonl").write_text("\n".join(json.dumps(s) for s in statements))
    vectors = {"one": [1.0, 0.0], "two": [0.99, 0.14], "three": [0.9, 0.44], "four": [-0.2, 1.0], "test": [1.0, 0.0]}

    class Embedder:
        def embed(self, texts):
            return np.array([vectors[t] for t in texts])

    monkeypatch.setattr(mj, "GOLD_DIRS", {"news_gold": tmp_path})
    monkeypatch.setattr(mj, "_embedder", lambda: Embedder())
    monkeypatch.setattr("service.pipeline.judging.judged_text", lambda s: s["text"])
    from service.settings import load_settings

    monkeypatch.setattr("service.settings.load_settings", lambda: load_settings().replace(candidates_k=1))
    # s1 / s2: one actor, no dates, never compared; s4 is under the floor with every other claim (cosine 0.26 at most)
    assert mj.pairs_the_service_meets() == {frozenset(("s1", "s3")), frozenset(("s2", "s3"))}


def test_verdict_learns_only_from_pairs_the_gate_passes(monkeypatch):
    import model.judge as mj

    monkeypatch.setattr(mj, "VERDICT_GATE_MARGIN", 0.6)
    # a one-feature gate: P(same point) = sigmoid(x), so x = 0 is alignment 0.5
    gate = {"mean": [0.0], "std": [1.0], "coef": [[1.0]], "intercept": [0.0], "classes": ["0", "1"]}
    rows = [{"gate_x": [x], "x": x} for x in (-3.0, -0.5, 0.0, 2.0)]  # alignments 0.05, 0.38, 0.5, 0.88
    kept = [r["x"] for r in mj.met_by_verdict(rows, gate, gate_min=0.5)]
    assert kept == [-0.5, 0.0, 2.0]  # down to 0.6 x gate_min = 0.3: the pair two stories apart (0.05) is left out


def test_precise_stage_reads_nli():
    contra, entail = PreciseOnlyScorer().judge([
        ("A man is sleeping on a couch.", "A man is running a marathon."),
        ("A woman is slicing an onion.", "A woman is cutting an onion."),
    ])
    assert contra.label == "contradiction" and entail.label == "agreement"


def test_model_parts_are_verified(tmp_path):
    folder = tmp_path / "precise"
    shutil.copytree(PRECISE_DIR, folder, ignore=shutil.ignore_patterns("model.onnx.part-*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    for i in range(manifest["parts"]):
        (folder / f"model.onnx.part-{i}").symlink_to(PRECISE_DIR / f"model.onnx.part-{i}")
    joined = onnx.load(str(joined_model_file(folder, tmp_path / "cache")))
    weights = {init.name: init.data_type for init in joined.graph.initializer}
    integer_products = [node for node in joined.graph.node if node.op_type == "MatMulInteger"]
    assert integer_products and all(weights[node.input[1]] == onnx.TensorProto.UINT8 for node in integer_products)
    manifest["sha256"] = "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="do not match"):
        joined_model_file(folder, tmp_path / "other-cache")


def integer_product_model(w: np.ndarray, w0: np.ndarray | None, also_dequantized: bool = False) -> onnx.ModelProto:
    """x (uint8, zero point 3) times the weight ``w`` (its zero point ``w0``, or none) in one MatMulInteger."""
    inputs = ["x", "w", "x0"] + (["w0"] if w0 is not None else [])
    nodes = [onnx.helper.make_node("MatMulInteger", inputs, ["y"])]
    outputs = [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.INT32, [4, 8])]
    initializers = [onnx.numpy_helper.from_array(w, "w"), onnx.numpy_helper.from_array(np.array(np.uint8(3)), "x0")]
    if w0 is not None:
        initializers.append(onnx.numpy_helper.from_array(w0, "w0"))
    if also_dequantized:
        initializers.append(onnx.numpy_helper.from_array(np.array(np.float32(0.5)), "scale"))
        nodes.append(onnx.helper.make_node("DequantizeLinear", ["w", "scale"], ["w_float"]))
        outputs.append(onnx.helper.make_tensor_value_info("w_float", onnx.TensorProto.FLOAT, [64, 8]))
    graph = onnx.helper.make_graph(nodes, "product", [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.UINT8, [4, 64])],
                                   outputs, initializers)
    return onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 13)])


def run_model(model: onnx.ModelProto, x: np.ndarray, tmp_path) -> list[np.ndarray]:
    import onnxruntime as ort

    onnx.save(model, str(tmp_path / "model.onnx"))
    return ort.InferenceSession(str(tmp_path / "model.onnx"), providers=["CPUExecutionProvider"]).run(None, {"x": x})


@pytest.mark.parametrize("with_zero_point", [True, False])
def test_unsigned_weights_give_the_exact_integer_product_where_int8_weights_saturate(tmp_path, with_zero_point):
    # uint8 activations near 255 against int8 weights near 127: two adjacent products sum past the 16-bit range
    # that ONNX Runtime's int8-weight kernel keeps on x86 CPUs without VNNI (the precise model's noise there).
    rng = np.random.default_rng(0)
    x = rng.integers(240, 256, size=(4, 64)).astype(np.uint8)
    w = rng.integers(100, 128, size=(64, 8)).astype(np.int8)
    w0 = np.full(8, -5, dtype=np.int8) if with_zero_point else None
    model = integer_product_model(w, w0)
    assert unsigned_weights(model) == 2
    exact = (x.astype(np.int64) - 3) @ (w.astype(np.int64) - (w0.astype(np.int64) if with_zero_point else 0))
    assert np.array_equal(run_model(model, x, tmp_path)[0], exact)


def test_a_weight_another_node_reads_is_left_as_it_is(tmp_path):
    w = np.random.default_rng(1).integers(-20, 20, size=(64, 8)).astype(np.int8)
    model = integer_product_model(w, np.zeros(8, dtype=np.int8), also_dequantized=True)
    assert unsigned_weights(model) == 0
    x = np.full((4, 64), 7, dtype=np.uint8)
    assert np.array_equal(run_model(model, x, tmp_path)[1], w.astype(np.float32) * 0.5)


def verdict_contradiction(a: str, b: str, nli=(0.10, 0.80, 0.10)) -> float:
    """P(contradiction) of the shipped verdict for a pair whose NLI reads ``nli`` both ways."""
    spec = load_judge()[0]
    probs = np.array([nli])
    x = verdict_features([(a, b)], probs, probs, [cue_features(a, b)], [gate_features(a, b, 0.6)])
    return float(verdict_probs(spec["verdict"], x)[0, 0])


def test_cues_raise_the_verdict_where_nli_reads_neutral():
    """NLI reads a report called a lie, or two counts of one thing, as neutral; the cues must lift them
    above the same sentence shapes without the conflict."""
    accusation = "Velor Mining dumped toxic waste into the Ashby river in May."
    assert verdict_contradiction(accusation, "The reports of toxic waste dumping in the Ashby river are lies.") > \
        verdict_contradiction(accusation, "The reports of toxic waste dumping in the Ashby river are being studied.")
    cases = "Officials in Darrow counted 120 confirmed measles cases in October."
    assert verdict_contradiction(cases, "Darrow had no more than 40 confirmed measles cases in October.") > \
        verdict_contradiction(cases, "Darrow hired no more than 40 school nurses in October.")


def test_things_one_claim_names_that_the_other_never_mentions_lower_the_verdict():
    """"The price of coffee fell" / "the price of tea rose": an opposite predicate of two different
    things. Everything else held, naming things the other claim never mentions lowers P(contradiction)."""
    a, b = "The price of coffee in Marlow fell 5 percent in May.", "The price of tea in Marlow rose 5 percent in May."
    spec, probs = load_judge()[0], np.array([(0.10, 0.30, 0.60)])
    x = verdict_features([(a, b)], probs, probs, [cue_features(a, b)], [gate_features(a, b, 0.8)])
    assert x[0, VERDICT_FEATURES.index("unshared_things")] > 0
    same_things = x.copy()
    same_things[0, VERDICT_FEATURES.index("unshared_things")] = 0.0
    assert verdict_probs(spec["verdict"], x)[0, 0] < verdict_probs(spec["verdict"], same_things)[0, 0]


def test_a_precise_judgement_names_the_things_only_one_claim_is_about():
    a, b = "The price of coffee in Marlow fell 5 percent in May.", "The price of tea in Marlow rose 5 percent in May."
    j = JudgeScorer(thresholds={"fast": -1.0, "gate_min": 0.0}).judge([(a, b)])[0]
    assert j.stage == "precise"
    assert {"kind": "other_things", "a": "coffee", "b": "tea"} in j.cues


def test_a_clash_of_scope_raises_the_verdict():
    """"A ceasefire on energy was agreed" / "a full ceasefire was rejected": agreed against rejected, of a
    narrower and a wider ceasefire, is the conflict of narratives the service was built to show. The clash enters
    times P(contradiction), so both pairs are read with what nli-mpnet-base reads for them (0.91 and 0.89)."""
    agreed = "An immediate ceasefire on all energy infrastructure was agreed on Tuesday."
    nli = (0.01, 0.09, 0.90)
    assert verdict_contradiction(agreed, "Moscow rejected a full ceasefire on Tuesday.", nli) > \
        verdict_contradiction(agreed, "Moscow rejected a prisoner exchange on Tuesday.", nli)


def test_public_share_report_counts_the_precise_stages_contradictions_from_the_label_file(tmp_path, monkeypatch):
    import json

    import model.fast_recall as fast_recall
    from model.judge import enrich

    spec = load_judge(JUDGE_DIR)[0]
    spec = {"gate": spec["gate"], "verdict": spec["verdict"], "thresholds": spec["thresholds"]}
    one_point = ("Turnout in the Velsa regional election was 41 percent.",
                 "More than half of the voters turned out in the Velsa regional election.")
    paraphrase = ("The Velsa regional election was held on 4 May.", "Velsa voted in its regional election on 4 May.")
    rows = enrich([{"a": a, "b": b} for a, b in (one_point, paraphrase)])
    answers = [{"a": one_point[0], "b": one_point[1], "p_ab": [0.01, 0.01, 0.98], "p_ba": [0.01, 0.02, 0.97]},
               {"a": paraphrase[0], "b": paraphrase[1], "p_ab": [0.97, 0.02, 0.01], "p_ba": [0.96, 0.03, 0.01]}]
    monkeypatch.setattr(fast_recall, "LABEL_DIR", tmp_path)
    assert fast_recall.precise_contradictions(rows, spec) is None  # no label file: nothing to count
    (tmp_path / "candidates.jsonl").write_text("\n".join(json.dumps(r) for r in answers[:1]))
    assert fast_recall.precise_contradictions(rows, spec) is None  # a pair without the precise stage's answer
    (tmp_path / "candidates.jsonl").write_text("\n".join(json.dumps(r) for r in answers))
    assert fast_recall.precise_contradictions(rows, spec).tolist() == [True, False]


def test_calibration_error_is_the_gap_between_stated_probability_and_the_share_of_contradictions():
    from model.judge import calibration_error

    truth = np.array([True, False] * 50)
    assert calibration_error(np.full(100, 0.5), truth)["ece"] == pytest.approx(0.0)
    over = calibration_error(np.full(100, 0.9), truth)
    assert over["ece"] == pytest.approx(0.4) and over["bins"] == [
        {"bin": "0.9-1.0", "rows": 100, "stated": 0.9, "contradictions": 0.5}]
    # each bin weighed by its rows: half the rows right (0.05 vs 0), half 0.3 off
    mixed = np.concatenate([np.full(50, 0.05), np.full(50, 0.7)])
    assert calibration_error(mixed, np.concatenate([np.zeros(50, bool), np.ones(50, bool)]))["ece"] == pytest.approx(0.175)


def test_the_fast_stage_keeps_the_highest_share_of_contradictions_the_public_budget_allows():
    from model import fast_recall

    rng = np.random.default_rng(11)
    rows = [{"fast": [p, 0.0, 1 - p], "clash": False, "label": "contradiction", "pair": (f"c{i}", f"d{i}")}
            for i, p in enumerate(rng.uniform(0.0, 0.5, 200))]
    rows += [{"fast": [p, 0.0, 1 - p], "clash": False, "label": "neutral", "pair": (f"n{i}", f"m{i}")}
             for i, p in enumerate(rng.uniform(0.0, 0.2, 400))]
    before = {"gate_min": 0.1, "fast": 0.3, "fast_agreement": 0.5, "contradiction": 0.4}

    thresholds = {r: fast_recall.contradiction_threshold(rows, 0.3, 0.5, r) for r in fast_recall.SERVICE_RECALLS}
    at_the_cap = thresholds[fast_recall.SERVICE_RECALLS[-2]]

    def public_share(sets):  # a lower threshold sends more public pairs on; the second highest share just fits
        return {name: fast_recall.PUBLIC_SHARE_CAP + (at_the_cap - t["fast"]) for name, t in sets.items()}

    assert len(set(thresholds.values())) == len(thresholds)
    chosen, tried = fast_recall.choose_service_recall(rows, 0.3, before, public_share)
    assert chosen == fast_recall.SERVICE_RECALLS[-2]
    assert [t["fast"] for t in tried] == [thresholds[r] for r in fast_recall.SERVICE_RECALLS]
    over_budget = fast_recall.choose_service_recall(rows, 0.3, before, lambda sets: {k: 1.0 for k in sets})[0]
    assert over_budget == fast_recall.SERVICE_RECALLS[0]  # never below the lowest share


def test_a_gold_contradiction_is_stopped_only_when_no_reading_of_it_goes_on():
    from model.fast_recall import gold_stopped

    def row(a, b, p, label="contradiction"):
        return {"pair": (a, b), "fast": [p, 0.0, 1 - p], "clash": False, "label": label}

    gold = {frozenset(("a", "b")), frozenset(("c", "d")), frozenset(("e", "f"))}
    rows = [row("a", "b", 0.01), row("b", "a", 0.5),  # one reading goes on: kept
            row("c", "d", 0.01), row("d", "c", 0.02),  # both stopped
            row("e", "f", 0.9, "neutral"),  # the precise stage does not find it: not counted
            row("g", "h", 0.01)]  # not gold
    assert gold_stopped(rows, {"fast": 0.1, "fast_agreement": 0.5}, gold) == {"gold_found_by_precise": 2, "stopped": 1}
