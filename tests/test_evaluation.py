"""Gold-set scoring through the store (service/evaluation.py), on a tiny gold set and the rule scorer."""
from __future__ import annotations

import json

from service import build_engine
from service.evaluation import evaluate_gold

from .conftest import make_config

STATEMENTS = [
    {"id": "a1", "actor": "Port authority", "date": "2025-05-01", "text": "The Tarso port reopened on Monday.", "split": "dev", "batch": 1},
    {"id": "a2", "actor": "Dock union", "date": "2025-05-01", "text": "The Tarso port did not reopen on Monday.", "split": "dev", "batch": 1},
    {"id": "a3", "actor": "Harbour master", "date": "2025-05-01", "text": "The Tarso port did not reopen on Monday, dockers said.", "split": "dev", "batch": 2},
    {"id": "b1", "actor": "Mayor", "date": "2025-05-01", "text": "The Tarso port reopened on Monday.", "split": "test"},
]
PAIRS = [  # a2/a3 agree with each other; only a1/a2 is listed as a contradiction, so a1/a3 is unlisted
    {"a": "a1", "b": "a2", "label": "contradiction", "class": "state_denial", "split": "dev"},
    {"a": "a2", "b": "a3", "label": "agreement", "class": "paraphrase", "split": "dev"},
]


def write_gold(folder):
    folder.mkdir()
    (folder / "statements.jsonl").write_text("\n".join(json.dumps(s) for s in STATEMENTS))
    (folder / "pairs.jsonl").write_text("\n".join(json.dumps(p) for p in PAIRS))
    return folder


def test_recall_over_listed_pairs_and_precision_over_every_edge(tmp_path):
    engine = build_engine(make_config(tmp_path))  # the rule scorer: negation against assertion
    report = evaluate_gold(engine, write_gold(tmp_path / "gold"), "dev")
    engine.storage.close()
    assert report["statements"] == 3  # the test split's statement is not ingested
    assert report["contradictions_found"] == report["contradiction_pairs"] == 1
    # a1/a3 also clashes by rule; it is not a listed contradiction, so it counts against precision
    assert report["contradiction_edges"] == 2 and report["true_contradiction_edges"] == 1
    assert report["edge_precision"] == 0.5 and report["false_edges"] == [["a1", "a3"]]
    assert report["by_class"]["state_denial"] == {"pairs": 1, "right": 1}


def test_only_the_batches_asked_for_are_ingested_and_scored(tmp_path):
    engine = build_engine(make_config(tmp_path))
    report = evaluate_gold(engine, write_gold(tmp_path / "gold"), "dev", batches=(1,))
    engine.storage.close()
    assert report["statements"] == 2 and report["batches"] == [1]  # a3 is in batch 2
    assert report["contradiction_edges"] == report["true_contradiction_edges"] == 1 and report["other_pairs"] == 0
