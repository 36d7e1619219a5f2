"""When one NLI direction settles a verdict: the precise stage's ``SETTLE_BY_ONE`` bounds, measured on dev.

    python -m model.settle      # after python -m model.judge; ~3 min; writes model/judge/settle.json

The precise stage reads the longer claim as premise first and the other direction only where the verdict,
computed with that one direction standing for both, is not clear (``service/scoring/judge.py``). This
replays that choice on the dev split's pairs as the service meets them, from the label cache, which holds
both directions of every pair (``model/checkpoints/labels/``: the gold pairs and the other same-story
candidate pairs): the pairs the gate passes and the fast stage sends on, each judged from both directions
and from one, for each way of choosing the first direction and for a few bounds. Reported: the share of
pairs settled by one direction, the verdicts that change, and, against the gold (a candidate pair that is
not a listed contradiction is not one), contradiction precision, recall and edges (``contradiction_figures``).
The news gold test split is never read.
"""
from __future__ import annotations

import json

import numpy as np

from .judge import OUT, contradiction_figures, enrich, sent_to_precise_stage, verdict_probabilities
from .label import GOLD_DIRS, LABEL_DIR
from .newsdata import read_jsonl

FIRST = {"pair order": lambda a, b: True, "longer first": lambda a, b: (len(a), a) >= (len(b), b),
         "shorter first": lambda a, b: (len(a), a) < (len(b), b)}
OVER_THRESHOLD = (0.2, 0.3, 0.4)
# and the other bound, under which one direction settles "no conflict": at 0.03 (shipped until the forty-ninth
# session) the replays of the forty-eighth and forty-ninth sessions lost 8 and 11 of dev's gold contradictions that
# both directions find, at 0.01 (shipped since) none (longer first)
AT_MOST = (0.03, 0.02, 0.01)


def dev_rows() -> list[dict]:
    """The dev gold pairs and the dev split's other candidate pairs, with both NLI directions and the gold label."""
    from service.pipeline.judging import gate_dates, judged_text

    statements = {judged_text(s): s for s in read_jsonl(GOLD_DIRS["news_gold"] / "statements.jsonl") if s["split"] == "dev"}
    gold = [r for r in read_jsonl(LABEL_DIR / "gold.jsonl") if r["split"] == "dev" and r.get("gold") == "news_gold"]
    others = read_jsonl(LABEL_DIR / "dev_candidates.jsonl")
    for r in others:
        x, y = statements.get(r["a"]), statements.get(r["b"])
        r["dates"], r["label"] = (list(gate_dates(x, y)) if x and y else [None, None]), "neutral"
    return enrich(gold + others)


def bounds_to_replay(shipped: dict) -> list[dict]:
    """The shipped bounds with each of ``OVER_THRESHOLD`` and then each other of ``AT_MOST`` in their place."""
    over = [dict(shipped, contradiction_over_threshold=o) for o in OVER_THRESHOLD]
    return over + [dict(shipped, contradiction_at_most=a) for a in AT_MOST if a != shipped["contradiction_at_most"]]


def main() -> dict:
    from service.scoring.judge import SETTLE_BY_ONE, decide, load_judge, settled_by_one_direction

    spec = load_judge(str(OUT))[0]  # with the verdict's contradiction forest
    threshold = spec["thresholds"]["contradiction"]
    rows = dev_rows()
    sent_on = sent_to_precise_stage(rows, spec["gate"], {"shipped": spec["thresholds"]})["shipped"]
    rows = [r for r, on in zip(rows, sent_on) if on]
    p_ab, p_ba = np.array([r["p_ab"] for r in rows]), np.array([r["p_ba"] for r in rows])
    truth = np.array([r["label"] == "contradiction" for r in rows])
    both = verdict_probabilities(rows, spec["verdict"], p_ab, p_ba)
    labels_both = [decide(p, threshold) for p in both]
    found_by_both = both[:, 0] >= threshold
    report = {"pairs": len(rows), "gold_contradictions": int(truth.sum()), "both_directions": contradiction_figures(found_by_both, truth),
              "shipped": SETTLE_BY_ONE, "one_direction_first": []}
    for name, first_is_ab in FIRST.items():
        keep = np.array([first_is_ab(r["a"], r["b"]) for r in rows])[:, None]
        first = np.where(keep, p_ab, p_ba)
        one = verdict_probabilities(rows, spec["verdict"], first, first)
        for bounds in bounds_to_replay(SETTLE_BY_ONE):
            settled = settled_by_one_direction(one, threshold, bounds)
            final = np.where(settled[:, None], one, both)
            changed = sum(decide(p, threshold) != label for p, label in zip(final, labels_both))
            lost = found_by_both & truth & (final[:, 0] < threshold)
            report["one_direction_first"].append({
                "first": name, "bounds": bounds, "settled_share": round(float(settled.mean()), 4),
                "verdicts_changed": int(changed),
                "gold_contradictions_lost": int(lost.sum()),
                **contradiction_figures(final[:, 0] >= threshold, truth)})
    (OUT / "settle.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
