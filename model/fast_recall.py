"""Hold the fast stage to its recall on the service's own kind of pairs.

    python -m model.fast_recall      # after python -m model.judge (which calls it at its end)

``model.judge`` sets the fast stage's two thresholds on held-out *public* news candidate pairs (LIAR,
AVeriTeC, FNC-1 … neighbours). The pairs the service meets are others: claims of one story by several
actors. Ingested through a store, the news gold dev split showed the fast stage keeping 93.5 % of the
precise stage's contradictions there (631 of 675, 2026-12-01), under the 95 % it is meant to keep, and
6 of 8 traced misses on a test batch had stopped at it.

So the dev split is ingested into an empty store with the fast stage bypassed (scorer ``judge-thorough``:
every gate-passing pair goes to the precise stage; the candidates path, the gate and the verdict as the
service runs them), the fast stage's forests score each of those pairs, and the contradiction threshold
is lowered, where needed, to the largest that keeps a share of the precise stage's contradictions there
(the agreement threshold and the clash of scope stay). The share is the highest of ``SERVICE_RECALLS``
whose threshold sends at most ``PUBLIC_SHARE_CAP`` of the public held-out candidates that ``model.judge``
chose its thresholds on (the first half) to the precise stage. It is never raised: the public
candidates' figure still holds. The share of pairs the precise stage then sees is measured on both: the
dev split's gate-passing pairs, and the other half of the public held-out candidates (which chose
nothing), with how many of the precise stage's contradictions there it keeps where the candidates' label
file holds them; and, for every share tried, how many of the dev split's gold contradictions that the
precise stage finds the fast stage stops. Writes ``thresholds.fast`` in ``model/judge/judge.json``
(``fast_public`` keeps the trained one) and ``fast_stage.service_pairs`` in its ``metrics.json``. The news
gold test split is never read.
"""
from __future__ import annotations

import json
import tempfile
import threading
import time

import numpy as np

from .judge import OUT, escalation_report, largest_keeping
from .label import LABEL_DIR, pair_sets
from .newsdata import read_jsonl

# Of the precise stage's contradictions among the dev split's pairs (read in both directions, as
# ``judge-thorough`` reads them), the share the fast stage must send on.
# Higher than the 96 % asked of it on public candidates (``FAST_RECALL``): on the service's pairs the
# contradictions it drops are mostly real ones (at 97 %: 20 dropped, 16 of them gold contradictions,
# 2026-12-01). Not 99 %: that threshold sent 32.5 % of the held-out public candidates to the precise stage,
# over the 30 % asked; 98 % sent 29.4 % and stopped 15 of the dev split's gold contradictions against 7
# (2026-12-02, seventeenth session; 98.5 %: 30.6 %, 11 stopped); retrained in the eighteenth, 98 % sends 28.7 %.
# Since the forty-seventh session the share is chosen each retraining from SERVICE_RECALLS: the public share at
# 98 % had fallen to 24.3 % (2026-12-06), while the fast stage stopped 6 of the fiftieth test batch's 18 missed
# contradictions. PUBLIC_SHARE_CAP is the issue's 30 % less two points, for the difference between the half that
# chooses and the half that measures.
SERVICE_RECALLS = (0.98, 0.985, 0.99, 0.995)
PUBLIC_SHARE_CAP = 0.28


class RecordingScorer:
    """A scorer that passes every call to ``inner`` and keeps the pairs its precise stage decided."""

    def __init__(self, inner):
        self.inner, self.name, self.rows = inner, inner.name, []
        self._lock = threading.Lock()

    def judge(self, pairs, similarities=None, dates=None):
        out = self.inner.judge(pairs, similarities, dates)
        sims = [None] * len(pairs) if similarities is None else list(similarities)
        when = [(None, None)] * len(pairs) if dates is None else list(dates)
        with self._lock:
            self.rows += [{"pair": tuple(map(str, p)), "similarity": s, "dates": d, "label": j.label}
                          for p, s, d, j in zip(pairs, sims, when, out) if j.stage == "precise"]
        return out

    def __getattr__(self, name):
        return getattr(self.inner, name)


def service_pairs(settings=None) -> list[dict]:
    """The news gold dev split's gate-passing pairs as the service judges them (with the judge in
    ``model/judge``), each with the precise stage's verdict and the fast stage's probabilities."""
    from service import build_engine
    from service.evaluation import NEWS_GOLD_DIR, evaluate_gold
    from service.settings import load_settings

    settings = (settings or load_settings()).replace(model_dir=OUT.parent, scorer="judge-thorough")
    with tempfile.TemporaryDirectory() as tmp:
        engine = build_engine(settings.replace(data_dir=tmp, database_url=""))
        judge = engine.scorer  # the fast stage bypassed: every gate-passing pair to the precise stage
        engine.scorer = recorder = RecordingScorer(judge)
        report = evaluate_gold(engine, NEWS_GOLD_DIR, "dev")
        engine.storage.close()
    rows = recorder.rows
    if not any(r["label"] == "contradiction" for r in rows):
        raise SystemExit("no gate-passing pair of the dev split reached the precise stage as a contradiction: "
                         "nothing to hold the fast stage to")
    sims = [r["similarity"] for r in rows]
    probs, clashes = judge.fast_scores([r["pair"] for r in rows], None if None in sims else sims,
                                       [r["dates"] for r in rows])
    for r, p, clash in zip(rows, probs, clashes):
        r["fast"], r["clash"] = p.tolist(), clash
    print(f"dev split, fast stage bypassed: recall {report['contradiction_recall']}, edge precision "
          f"{report['edge_precision']} ({len(rows)} pairs reached the precise stage)")
    return rows


def contradiction_threshold(rows: list[dict], fast: float, fast_agreement: float,
                            recall: float = SERVICE_RECALLS[0]) -> float:
    """The largest contradiction threshold, at most ``fast``, that keeps ``recall`` of the precise
    stage's contradictions among ``rows`` (pairs over the agreement threshold or with a clash of scope go
    on whatever it is)."""
    p_c = np.array([r["fast"][0] for r in rows])
    contra = np.array([r["label"] == "contradiction" for r in rows])
    goes_on_anyway = np.array([r["fast"][1] >= fast_agreement or r["clash"] for r in rows])
    need = int(np.ceil(recall * contra.sum())) - int((contra & goes_on_anyway).sum())
    return min(fast, largest_keeping(p_c[contra & ~goes_on_anyway], need))


def kept(rows: list[dict], thresholds: dict) -> dict:
    """Share of ``rows`` the fast stage sends on, and how many of the precise stage's verdicts that keeps."""
    probs = np.array([r["fast"] for r in rows])
    return escalation_report(range(len(rows)), [True] * len(rows), [r["label"] for r in rows], probs,
                             {"contradiction": thresholds["fast"], "agreement": thresholds["fast_agreement"]},
                             [r["clash"] for r in rows])


def dev_gold_contradictions() -> set[frozenset]:
    """The news gold dev split's contradiction pairs, as the pairs of sentences the scorer reads."""
    from service.evaluation import NEWS_GOLD_DIR
    from service.pipeline.judging import judged_text

    texts = {s["id"]: judged_text(s) for s in read_jsonl(NEWS_GOLD_DIR / "statements.jsonl") if s.get("split") == "dev"}
    return {frozenset((texts[p["a"]], texts[p["b"]])) for p in read_jsonl(NEWS_GOLD_DIR / "pairs.jsonl")
            if p["label"] == "contradiction" and p["a"] in texts and p["b"] in texts}


def gold_stopped(rows: list[dict], thresholds: dict, gold: set[frozenset]) -> dict:
    """Of the gold contradictions among ``rows`` that the precise stage calls contradictions, how many the fast
    stage stops at ``thresholds`` (a pair is stopped when none of its readings goes on)."""
    from service.scoring.judge import fast_escalates

    goes_on = fast_escalates(np.array([r["fast"] for r in rows]), thresholds["fast"], thresholds["fast_agreement"],
                             [r["clash"] for r in rows])
    found = [(frozenset(r["pair"]), on) for r, on in zip(rows, goes_on)
             if r["label"] == "contradiction" and frozenset(r["pair"]) in gold]
    reached = {key for key, _ in found}
    return {"gold_found_by_precise": len(reached), "stopped": len(reached - {key for key, on in found if on})}


def choose_service_recall(rows: list[dict], trained: float, before: dict, public_share) -> tuple[float, list[dict]]:
    """The highest of ``SERVICE_RECALLS`` whose lowered threshold sends at most ``PUBLIC_SHARE_CAP`` of the
    choosing half of the public held-out candidates on (``public_share(threshold_sets)``); the lowest where
    none does. With every share tried, its threshold and what it does on the dev split."""
    gold = dev_gold_contradictions()
    names = {r: f"{r:g}" for r in SERVICE_RECALLS}  # public_share's threshold sets are named
    sets = {names[r]: dict(before, fast=contradiction_threshold(rows, trained, before["fast_agreement"], r))
            for r in SERVICE_RECALLS}
    shares = public_share(sets)
    tried = []
    for r in SERVICE_RECALLS:
        thresholds = sets[names[r]]
        tried.append({"service_recall": r, "fast": thresholds["fast"], "public_choose_half": shares[names[r]],
                      "dev_split_precise_share": round(kept(rows, thresholds)["precise_share_of_candidates"], 4),
                      "dev_gold": gold_stopped(rows, thresholds, gold)})
    within = [t["service_recall"] for t in tried if t["public_choose_half"] <= PUBLIC_SHARE_CAP]
    return (max(within) if within else SERVICE_RECALLS[0]), tried


def public_heldout_shares(judge, spec: dict, threshold_sets: dict[str, dict], half: str = "measure") -> dict:
    """For each of ``threshold_sets``, the share of one half of ``model.judge``'s held-out public candidates
    (``half``: "choose", the one its thresholds were set on, or "measure", the other; the pairs
    ``model.label`` planned, where its plan is here, else rebuilt from ../shared/data)
    that the gate passes and the fast stage sends on; and, where the label file holds every pair of that half
    with the precise stage's answers, how many of the precise stage's contradictions there it sends on
    (``<name>_contradictions``: the figure the issue's "keeping 95 %" asks of the threshold as shipped)."""
    from .judge import enrich, sent_to_precise_stage

    path = LABEL_DIR / "candidates.plan.jsonl"  # the whole plan: the label file may be half written
    candidates = read_jsonl(path) if path.exists() else pair_sets(spec["data"]["candidates"])["candidates"]()
    heldout = [r for r in candidates if r["heldout"]]
    rows = enrich([{"a": r["a"], "b": r["b"]} for r in heldout[{"choose": 0, "measure": 1}[half]::2]])
    out = {"pairs": len(rows), "from": "label plan" if path.exists() else "rebuilt from ../shared/data"}
    truth = precise_contradictions(rows, spec)
    for name, goes_on in sent_to_precise_stage(rows, spec["gate"], threshold_sets, judge).items():
        out[name] = round(float(goes_on.mean()), 4)
        if truth is not None:
            sent_on = int(np.sum(goes_on & truth))
            out[f"{name}_contradictions"] = {"precise_verdicts": int(truth.sum()), "kept": sent_on,
                                             "recall": round(sent_on / max(int(truth.sum()), 1), 4)}
    return out


def precise_contradictions(rows: list[dict], spec: dict) -> np.ndarray | None:
    """Which of the ``enrich``-ed ``rows`` the precise stage and the verdict (read in both directions, as
    ``model.judge`` measured its fast stage) call contradictions, from the precise stage's answers in the
    candidates' label file; None where that file lacks any of them."""
    from service.scoring.gate import alignment

    from .judge import verdict_labels, verdict_probabilities

    path = LABEL_DIR / "candidates.jsonl"
    answers = {(r["a"], r["b"]): r for r in read_jsonl(path)} if path.exists() else {}
    if not rows or any((r["a"], r["b"]) not in answers for r in rows):
        return None
    p_ab = np.array([answers[(r["a"], r["b"])]["p_ab"] for r in rows])
    p_ba = np.array([answers[(r["a"], r["b"])]["p_ba"] for r in rows])
    t = spec["thresholds"]
    aligned = alignment(spec["gate"], [r["gate_x"] for r in rows])
    said = verdict_labels(verdict_probabilities(rows, spec["verdict"], p_ab, p_ba), aligned, t["gate_min"], t["contradiction"])
    return np.array([label == "contradiction" for label in said])


def main() -> dict:
    from service.scoring.judge import JudgeScorer, load_judge

    t0 = time.time()
    load_judge.cache_clear()  # model.judge may have just written new files in this process
    spec_path, metrics_path = OUT / "judge.json", OUT / "metrics.json"
    spec = json.loads(spec_path.read_text())
    trained = spec["thresholds"].get("fast_public", spec["thresholds"]["fast"])  # as model.judge set it
    rows = service_pairs()
    before = dict(spec["thresholds"], fast=trained)
    judge, gate_spec = JudgeScorer(judge_dir=OUT), load_judge(str(OUT))[0]
    recall, tried = choose_service_recall(rows, trained, before,
                                          lambda sets: public_heldout_shares(judge, gate_spec, sets, half="choose"))
    after = dict(before, fast=contradiction_threshold(rows, trained, before["fast_agreement"], recall))
    spec["thresholds"].update(fast=after["fast"], fast_public=trained)
    spec_path.write_text(json.dumps(spec, indent=1))  # first: the figures below need ../shared/data
    load_judge.cache_clear()  # the forests and the gate are unchanged: ``judge`` still scores as the new spec does
    report = {"rule": f"contradiction threshold lowered to keep {recall:.1%} of the precise stage's contradictions "
                      "on the dev split's gate-passing pairs, ingested through a store: the highest of "
                      f"{list(SERVICE_RECALLS)} sending at most {PUBLIC_SHARE_CAP:.0%} of the public held-out "
                      "candidates' choosing half to the precise stage",
              "service_recall": recall, "tried": tried,
              "fast_public": trained, "fast": after["fast"],
              "dev_split_gate_passing": {"before": kept(rows, before), "after": kept(rows, after)},
              "public_heldout_measure_half": public_heldout_shares(judge, gate_spec, {"before": before, "after": after}),
              "seconds": round(time.time() - t0, 1)}
    metrics = json.loads(metrics_path.read_text())
    metrics["fast_stage"]["service_pairs"] = report
    metrics_path.write_text(json.dumps(metrics, indent=1))
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
