"""The news gold set's shape, which its cross-validation and its test split rely on: every statement
names its batch, and an article, a batch and a pair each lie in one split; and bringing a reserve batch in
(model/gold_batches.py) keeps it so, or refuses and changes nothing."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest

from model.gold_batches import BatchError, bring_in, move_test_split_to_dev
from service.evaluation import NEWS_GOLD_DIR, read_jsonl


def read(name):
    return read_jsonl(NEWS_GOLD_DIR / name)


def test_articles_and_batches_lie_whole_in_one_split():
    statements = read("statements.jsonl")
    assert all(isinstance(s.get("batch"), int) for s in statements)
    splits_of = defaultdict(set)
    for s in statements:
        splits_of[("article", s["article"])].add(s["split"])
        splits_of[("batch", s["batch"])].add(s["split"])
        splits_of[("article batch", s["article"])].add(s["batch"])
    assert all(len(values) == 1 for values in splits_of.values())


def test_pairs_join_statements_of_their_own_split():
    split = {s["id"]: s["split"] for s in read("statements.jsonl")}
    for pair in read("pairs.jsonl"):
        assert split[pair["a"]] == split[pair["b"]] == pair["split"], pair


def write_jsonl(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def statement(sid, article, split, batch):
    return {"id": sid, "actor": "A", "text": f"Claim {sid}.", "article": article, "split": split, "batch": batch}


def write_batch(folder, prefix, split, batch):
    """One share: an article of two statements and their contradiction."""
    write_jsonl(folder / "statements.jsonl", [statement(f"{prefix}1-{k}", f"{prefix}-story", split, batch)
                                              for k in (1, 2)])
    write_jsonl(folder / "pairs.jsonl", [{"a": f"{prefix}1-1", "b": f"{prefix}1-2", "label": "contradiction",
                                          "class": "number", "split": split}])
    (folder / "articles").mkdir(exist_ok=True)
    (folder / "articles" / f"{prefix}-story.txt").write_text(f"{prefix} story\n")


@pytest.fixture
def gold_and_reserve(tmp_path):
    gold, reserve = tmp_path / "gold", tmp_path / "reserve"
    write_batch(gold, "aa", "dev", 1)
    old = gold / "old"
    write_batch(old, "bb", "test", 2)
    for name in ("statements.jsonl", "pairs.jsonl"):
        (gold / name).write_text((gold / name).read_text() + (old / name).read_text())
    (old / "articles" / "bb-story.txt").rename(gold / "articles" / "bb-story.txt")
    write_batch(reserve / "cc", "cc", "test", 3)
    write_batch(reserve / "dd", "dd", "test", 3)
    return gold, reserve


def snapshot(gold):
    return {p.relative_to(gold): p.read_bytes() for p in gold.rglob("*") if p.is_file()}


def test_the_old_test_split_goes_to_dev_then_a_reserve_batch_comes_in_as_test(gold_and_reserve):
    gold, reserve = gold_and_reserve
    with pytest.raises(BatchError, match="move it to dev first"):
        bring_in([reserve / "cc", reserve / "dd"], gold)
    assert move_test_split_to_dev(gold) == {"moved_to_dev": [2]}
    summary = bring_in([reserve / "cc", reserve / "dd"], gold)
    statements = read_jsonl(gold / "statements.jsonl")
    assert summary == {"batch": 3, "statements": 4, "pairs": 2, "articles": 2}
    assert {(s["batch"], s["split"]) for s in statements} == {(1, "dev"), (2, "dev"), (3, "test")}
    assert {p["a"]: p["split"] for p in read_jsonl(gold / "pairs.jsonl")} == {"aa1-1": "dev", "bb1-1": "dev",
                                                                          "cc1-1": "test", "dd1-1": "test"}
    assert (gold / "articles" / "dd-story.txt").read_text() == "dd story\n"
    assert not (reserve / "cc").exists() and not (reserve / "dd").exists()


@pytest.mark.parametrize("spoil, message", [
    (lambda r: write_batch(r / "dd", "dd", "test", 4), "not one"),
    (lambda r: [write_batch(r / name, name, "test", 5) for name in ("cc", "dd")], "next batch is 3"),
    (lambda r: write_batch(r / "dd", "bb", "test", 3), "already used"),
    (lambda r: write_jsonl(r / "dd" / "pairs.jsonl", [{"a": "dd1-1", "b": "cc1-2", "label": "neutral",
                                                         "class": "related_neutral", "split": "test"}]),
     "does not hold"),
    (lambda r: (r / "dd" / "articles" / "dd-story.txt").rename(r / "dd" / "articles" / "de-story.txt"),
     "does not hold"),
    (lambda r: [write_jsonl(r / "dd" / "statements.jsonl", [dict(s, article="aa-story") for s in
                                                               read_jsonl(r / "dd" / "statements.jsonl")]),
                (r / "dd" / "articles" / "dd-story.txt").rename(r / "dd" / "articles" / "aa-story.txt")],
     "already in the set"),
    (lambda r: write_batch(r / "dd", "dd", "dev", 3), "test split"),
    (lambda r: (r / "dd" / "pairs.jsonl").unlink(), "no statements.jsonl and pairs.jsonl"),
])
def test_a_batch_that_cannot_come_in_is_refused_and_nothing_changes(gold_and_reserve, spoil, message):
    gold, reserve = gold_and_reserve
    move_test_split_to_dev(gold)
    spoil(reserve)
    before = snapshot(gold)
    with pytest.raises(BatchError, match=message):
        bring_in([reserve / "cc", reserve / "dd"], gold)
    assert snapshot(gold) == before and (reserve / "cc").exists() and (reserve / "dd").exists()
