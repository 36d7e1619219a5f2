"""The news gold set's shape, which its cross-validation and its test split rely on: every statement
names its batch, and an article, a batch and a pair each lie in one split; and bringing a reserve batch in
(model/gold_batches.py) keeps it so, or refuses and changes nothing."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from model.gold_batches import BatchError, bring_in, move_test_split_to_dev
from model.judge import OTHER_BRIEF_BATCHES, batches_of_the_test_brief, brief_batches_among
from model.newsdata import write_jsonl
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


def test_the_threshold_batches_are_every_dev_batch_of_the_test_brief_and_never_the_test_split():
    statements = read("statements.jsonl")
    dev = {s["batch"] for s in statements if s["split"] == "dev"}
    test = {s["batch"] for s in statements if s["split"] == "test"}
    assert set(batches_of_the_test_brief()) == dev - OTHER_BRIEF_BATCHES
    assert not test & set(batches_of_the_test_brief())
    assert brief_batches_among(["1", "4", "shared", None, 9, "12"]) == [4, 12]


def test_pairs_join_statements_of_their_own_split():
    split = {s["id"]: s["split"] for s in read("statements.jsonl")}
    for pair in read("pairs.jsonl"):
        assert split[pair["a"]] == split[pair["b"]] == pair["split"], pair


def statement(sid, article, split, batch):
    return {"id": sid, "actor": "Zoë Ærnstad", "text": f"Claim {sid}: “{article}”.", "article": article,
            "split": split, "batch": batch}


def write_batch(folder, prefix, split, batch):
    """One share: an article of two statements and their contradiction."""
    write_jsonl(folder / "statements.jsonl", [statement(f"{prefix}1-{k}", f"{prefix}-story", split, batch)
                                              for k in (1, 2)])
    write_jsonl(folder / "pairs.jsonl", [{"a": f"{prefix}1-1", "b": f"{prefix}1-2", "label": "contradiction",
                                          "class": "number", "split": split}])
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "articles" / f"{prefix}-story.txt").write_text(f"{prefix} story\n")


def append_batch(gold, old, prefix, split, batch):
    write_batch(old, prefix, split, batch)
    for name in ("statements.jsonl", "pairs.jsonl"):
        (gold / name).write_text((gold / name).read_text() + (old / name).read_text())
    (old / "articles" / f"{prefix}-story.txt").rename(gold / "articles" / f"{prefix}-story.txt")


@pytest.fixture
def gold_and_reserve(tmp_path):
    """A set with dev batch 1 and test batch 2; a reserve with batch 3 in two shares, and batch 4 one level down."""
    gold, reserve = tmp_path / "gold", tmp_path / "reserve"
    write_batch(gold, "aa", "dev", 1)
    append_batch(gold, tmp_path / "old", "bb", "test", 2)
    write_batch(reserve / "cc", "cc", "test", 3)
    write_batch(reserve / "dd", "dd", "test", 3)
    write_batch(reserve / "batch4" / "ee", "ee", "test", 4)
    return gold, reserve


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_to_dev_changes_only_the_split_of_the_test_rows(gold_and_reserve):
    gold, _ = gold_and_reserve
    before = snapshot(gold)
    assert move_test_split_to_dev(gold) == {"moved_to_dev": [2]}
    after = snapshot(gold)
    assert after.keys() == before.keys()
    for name in (Path("statements.jsonl"), Path("pairs.jsonl")):
        old_lines, new_lines = before[name].decode().splitlines(), after[name].decode().splitlines()
        assert [line.replace('"split": "test"', '"split": "dev"') for line in old_lines] == new_lines


def test_the_old_test_split_goes_to_dev_then_a_reserve_batch_comes_in_as_test(gold_and_reserve):
    gold, reserve = gold_and_reserve
    before = snapshot(gold)
    with pytest.raises(BatchError, match="move it to dev first"):
        bring_in([reserve / "cc", reserve / "dd"], gold)
    assert snapshot(gold) == before
    move_test_split_to_dev(gold)
    summary = bring_in([reserve / "cc", reserve / "dd"], gold)
    statements = read_jsonl(gold / "statements.jsonl")
    assert summary == {"batch": 3, "statements": 4, "pairs": 2, "articles": 2}
    assert {(s["batch"], s["split"]) for s in statements} == {(1, "dev"), (2, "dev"), (3, "test")}
    assert {p["a"]: p["split"] for p in read_jsonl(gold / "pairs.jsonl")} == {"aa1-1": "dev", "bb1-1": "dev",
                                                                          "cc1-1": "test", "dd1-1": "test"}
    assert (gold / "articles" / "dd-story.txt").read_text() == "dd story\n"
    assert not (reserve / "cc").exists() and not (reserve / "dd").exists() and (reserve / "batch4" / "ee").exists()
    assert not list(gold.glob("*.partial"))


def rename_article(share, old, new):
    write_jsonl(share / "statements.jsonl", [dict(s, article=new) for s in read_jsonl(share / "statements.jsonl")])
    (share / "articles" / f"{old}.txt").rename(share / "articles" / f"{new}.txt")


@pytest.mark.parametrize("spoil, folders, message", [
    (lambda r: write_batch(r / "dd", "dd", "test", 4), ("cc", "dd"), "not one whole number"),
    (lambda r: [write_batch(r / name, name, "test", 5) for name in ("cc", "dd")], ("cc", "dd"), "next batch is 3"),
    (lambda r: None, ("cc",), "shares of batch 3 not named"),
    (lambda r: None, ("cc", "cc"), "named twice"),
    (lambda r: write_batch(r / "dd", "bb", "test", 3), ("cc", "dd"), "statement ids already used"),
    (lambda r: write_jsonl(r / "dd" / "pairs.jsonl", [{"a": "dd1-1", "b": "cc1-2", "label": "neutral",
                                                         "class": "related_neutral", "split": "test"}]),
     ("cc", "dd"), "pairs name statements"),
    (lambda r: write_jsonl(r / "dd" / "pairs.jsonl", [{"a": "dd1-1", "b": "dd1-1", "label": "neutral",
                                                         "split": "test"}]), ("cc", "dd"), "with itself"),
    (lambda r: write_jsonl(r / "dd" / "pairs.jsonl", [{"a": a, "b": b, "label": "contradiction", "split": "test"}
                                                        for a, b in (("dd1-1", "dd1-2"), ("dd1-2", "dd1-1"))]),
     ("cc", "dd"), "listed twice"),
    (lambda r: (r / "dd" / "articles" / "dd-story.txt").rename(r / "dd" / "articles" / "de-story.txt"),
     ("cc", "dd"), "statements of articles"),
    (lambda r: rename_article(r / "dd", "dd-story", "aa-story"), ("cc", "dd"), "already in the set or another"),
    (lambda r: rename_article(r / "dd", "dd-story", "cc-story"), ("cc", "dd"), "already in the set or another"),
    (lambda r: write_batch(r / "dd", "dd", "dev", 3), ("cc", "dd"), "must be in the test split"),
    (lambda r: write_jsonl(r / "dd" / "pairs.jsonl", [{"a": "dd1-1", "b": "dd1-2", "label": "neutral",
                                                         "split": "dev"}]), ("cc", "dd"), "must be in the test split"),
    (lambda r: write_jsonl(r / "dd" / "pairs.jsonl", [{"a": "dd1-1", "label": "neutral", "split": "test"}]),
     ("cc", "dd"), "rows without"),
    (lambda r: (r / "dd" / "pairs.jsonl").unlink(), ("cc", "dd"), "no statements.jsonl and pairs.jsonl"),
])
def test_a_batch_that_cannot_come_in_is_refused_and_nothing_changes(gold_and_reserve, spoil, folders, message):
    gold, reserve = gold_and_reserve
    move_test_split_to_dev(gold)
    spoil(reserve)
    before, reserve_before = snapshot(gold), snapshot(reserve)
    with pytest.raises(BatchError, match=message):
        bring_in([reserve / name for name in folders], gold)
    assert snapshot(gold) == before and snapshot(reserve) == reserve_before


def test_a_failure_while_writing_removes_the_articles_it_copied(gold_and_reserve, monkeypatch):
    import model.gold_batches as gb

    gold, reserve = gold_and_reserve
    move_test_split_to_dev(gold)
    before = snapshot(gold)

    def disk_full(files):
        raise OSError("No space left on device")

    monkeypatch.setattr(gb, "replace_whole", disk_full)
    with pytest.raises(OSError):
        bring_in([reserve / "cc", reserve / "dd"], gold)
    assert snapshot(gold) == before and (reserve / "cc").exists()
