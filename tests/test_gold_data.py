"""The news gold set's shape, which its cross-validation and its test split rely on: every statement
names its batch, and an article, a batch and a pair each lie in one split."""
from __future__ import annotations

from collections import defaultdict

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
