"""Quality floors through the store, with the shipped judge: every gold set is ingested into an empty
store and the edges the engine creates are scored (service/evaluation.py). A drop below a floor fails
the suite. The floors sit a few pairs under the figures last reached (NEWS_GOLD_FLOORS below; model/MODEL_CARD.md)."""
from __future__ import annotations

import os

import pytest

from model.judge import batches_of_the_test_brief
from service import build_engine
from service.evaluation import DEFAULT_DEV_DIR, NEWS_GOLD_DIR, evaluate_gold
from service.scoring.judge import JUDGE_DIR

from .conftest import make_config

pytestmark = pytest.mark.skipif(not (JUDGE_DIR / "judge.json").exists(), reason="judge model files not shipped")

# split -> (contradiction recall floor, contradiction edge precision floor), set each judge round from the figures that
# round reached through the queue, as served: the test floors two pairs under the test batch's figures (two fewer found
# on recall, two false edges more on precision), dev's latest three batches four under on recall and four false edges
# more on precision, all of dev's by the same rule, each rounded down to two decimals: the precise model's answers
# differ a little between CPUs (model/nli_cache.py), enough to move a verdict.
# The figures behind these floors, and why each moved: model/MODEL_CARD.md, the latest session's "Floors" bullets.
NEWS_GOLD_FLOORS = {"dev": (0.83, 0.84), "dev_latest": (0.79, 0.84), "test": (0.80, 0.78)}
# All of dev takes 8 to 21 minutes through the store, most of CI's budget: the suite checks its latest
# three batches (the last three of batches_of_the_test_brief(), written to the test split's brief and each
# the test split once) against their own floors; GOLD_DEV=all checks all of it:
# GOLD_DEV=all pytest -s tests/test_gold.py -k floors.
LATEST_DEV_BATCHES = batches_of_the_test_brief()[-3:]  # moved to dev with each round, so never edited by hand
ALL_OF_DEV = os.environ.get("GOLD_DEV") == "all"


def run(tmp_path, folder, split=None, batches=None):
    engine = build_engine(make_config(tmp_path, scorer="judge", judging="background"))  # as served
    try:
        report = evaluate_gold(engine, folder, split, batches)
    finally:
        engine.storage.close()
    print(f"\n[{folder.name}/{report['split']}, batches {report['batches']}] contradictions found {report['contradictions_found']}/"
          f"{report['contradiction_pairs']}, contradiction edges {report['contradiction_edges']} "
          f"({report['true_contradiction_edges']} true), labelled others called contradiction "
          f"{report['others_wrongly_contradiction']}/{report['other_pairs']}")
    for row in report["pairs"]:
        if (row["found"] == "contradiction") != (row["label"] == "contradiction"):
            print(f"  miss: {row['a']} {row['b']} gold={row['label']} ({row.get('class', '')}) found={row['found']}")
    assert all(r["symmetric"] for r in report["pairs"])
    return report


@pytest.mark.skipif(not (DEFAULT_DEV_DIR / "pairs.jsonl").exists(), reason="../shared/dev is absent")
def test_shared_dev_gold_contradictions_and_no_false_one(tmp_path):
    # Target: all 5 found, none false. The floor stays at 1 because the founding pair's statements, as ../shared/dev
    # words them, sit at the edge of the gate or the threshold and have fallen either side of it from one retraining
    # to the next (forty-eighth session: 2 of 5, found at 0.442 against the threshold 0.43; on the fixture page,
    # from the raw article, the pair stands at 0.57). The three other misses are opposed positions worded
    # differently on each side, which the precise model itself reads at about 0.1. Each session's figures: the model
    # card's session sections (the latest two also in the README's `../shared/dev` row, earlier ones in
    # model/FIGURES_HISTORY.md).
    report = run(tmp_path, DEFAULT_DEV_DIR)
    assert report["contradiction_pairs"] == 5 and report["contradictions_found"] >= 1
    assert report["others_wrongly_contradiction"] == 0 and report["contradiction_edges"] == report["contradictions_found"]


@pytest.mark.parametrize("split", ["dev", "test"])
def test_news_gold_floors(tmp_path, split):
    batches = LATEST_DEV_BATCHES if split == "dev" and not ALL_OF_DEV else None
    recall_floor, precision_floor = NEWS_GOLD_FLOORS["dev_latest" if batches else split]
    report = run(tmp_path, NEWS_GOLD_DIR, split, batches)
    assert report["contradiction_recall"] >= recall_floor
    assert report["edge_precision"] >= precision_floor


# Claims on the fixtures' "ceasefire" page that are about one point, the scope of the ceasefire that
# was agreed or rejected on 18 March 2025 (and the peacekeepers pair of ../shared/dev). A contradiction
# edge between any other claims is a pair about different points. The founding pair must be shown.
SAME_POINT_CLAIMS = (
    "Ceasefire on all Energy and Infrastructure", "rejected a full ceasefire", "rejecting a full ceasefire",
    "30-day ceasefire", "comprehensive truce", "halt attacks", "truce focused on energy",
    "European peacekeepers in Ukraine", "troops on the ground in Ukraine",
)
FOUNDING = ("Ceasefire on all Energy and Infrastructure", "a full ceasefire")


def plain(text: str) -> str:
    return text.replace("“", "").replace("”", "").replace('"', "")


def about_the_point(text: str) -> bool:
    return any(claim in plain(text) for claim in SAME_POINT_CLAIMS)


def test_fixture_ceasefire_page_shows_the_founding_pair_and_no_pair_about_different_points(tmp_path):
    from service import create_app
    from service.fixtures import load_fixtures

    from .conftest import FIXTURES

    config = make_config(tmp_path, scorer="judge", judging="background")  # as served
    engine = build_engine(config)
    try:
        load_fixtures(engine, FIXTURES)
        while engine.judge_queued():
            pass
        items = create_app(config, engine=engine).test_client().get(
            "/api/v1/conflicts?q=ceasefire&label=contradiction&limit=200").json["items"]
    finally:
        engine.storage.close()
    for pair in items:
        print(f"  {pair['score']:.2f} {pair['a']['actor']}: {pair['a']['text']} | {pair['b']['actor']}: {pair['b']['text']}")
    texts = [(plain(p["a"]["text"]), plain(p["b"]["text"])) for p in items]
    assert any((FOUNDING[0] in a and FOUNDING[1] in b) or (FOUNDING[0] in b and FOUNDING[1] in a) for a, b in texts)
    assert [t for t in texts if not (about_the_point(t[0]) and about_the_point(t[1]))] == []


def test_a_flip_flop_weeks_apart_is_judged_not_vetoed_by_its_date_gap(tmp_path):
    # One actor's two claims 70 days apart: the gap is what makes them a flip-flop. Before gate_dates the
    # gate weighed it like two actors' claims 70 days apart and vetoed every such flip-flop in the gold.
    engine = build_engine(make_config(tmp_path, scorer="judge", judging="inline"))
    try:
        engine.ingest([
            {"id": "f1", "actor": "Lena Ostrova", "date": "2025-03-03",
             "text": "The Harwick bridge will reopen to traffic in May."},
            {"id": "f2", "actor": "Lena Ostrova", "date": "2025-05-12",
             "text": "The Harwick bridge will stay closed to traffic until the end of the year."},
        ])
        pairs = {p["b"]["id"]: p for p in engine.statement_conflicts("f1")}
    finally:
        engine.storage.close()
    assert pairs["f2"]["kind"] == "flip" and pairs["f2"]["label"] == "contradiction"
