"""News pairs from ``../shared/data`` for the judge: same-point (alignment) labels, stance labels, and the
service's kind of candidate pairs (nearest neighbours among news sentences).

* ``stance_pairs(split)``: short news pairs with a human stance label, from Emergent (claim vs article
  headline: for / against / observing; and two headlines on one claim) and FNC-1 (two headlines on one
  article body: agree vs disagree, agree vs agree). Every such pair is about one story (``aligned=1``);
  nearest-neighbour headlines of *different* stories are added as hard negatives (``aligned=0``,
  neutral). Splits follow the data sets' own: Emergent train/test files, FNC-1 train/competition test.
* ``candidate_pairs()``: nearest-neighbour pairs (cosine >= 0.30, as the service's candidate search)
  among news sentences (LIAR statements, AVeriTeC claims, FNC-1 headlines, Climate-FEVER and COVID-Fact
  claims): what the cascade sees in production, labelled by the precise stage for distillation.

A pair is ``(a, b, label, aligned, source)`` with label in contradiction / agreement / neutral.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import random
import zlib
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import numpy as np

from .data import DEFAULT_DATA

STANCE_LABEL = {"for": "agreement", "agree": "agreement", "against": "contradiction", "disagree": "contradiction",
                "observing": "neutral", "discuss": "neutral"}


def _csv_gz(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def emergent_rows(split: str, root: Path = DEFAULT_DATA) -> list[dict]:
    with open(root / "emergent" / f"url-versions-2015-06-14-clean-{split}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def fnc_rows(split: str, root: Path = DEFAULT_DATA) -> list[dict]:
    name = {"train": "train_stances", "test": "competition_test_stances"}[split]
    return _csv_gz(root / "fnc1" / f"{name}.csv.gz")


def headline_pairs(groups: dict[str, list[tuple[str, str]]], rng: random.Random, per_group: int) -> list[tuple]:
    """Pairs of two headlines on one story: stances for x against = contradiction, same stance = agreement."""
    out = []
    for heads in groups.values():
        heads = list(dict.fromkeys(heads))
        pairs = [(a, b) for a, b in combinations(heads, 2) if a[0] != b[0] and "neutral" not in (a[1], b[1])]
        rng.shuffle(pairs)
        for (ha, sa), (hb, sb) in pairs[:per_group]:
            out.append((ha, hb, "contradiction" if sa != sb else "agreement", 1))
    return out


def stance_pairs(split: str, root: Path = DEFAULT_DATA, seed: int = 5, negatives: int = 1500) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    emergent = emergent_rows(split, root)
    for r in emergent:
        if r["articleHeadlineStance"] in STANCE_LABEL:
            rows.append((r["claimHeadline"], r["articleHeadline"], STANCE_LABEL[r["articleHeadlineStance"]], 1, "emergent"))
    groups: dict[str, list] = defaultdict(list)
    for r in emergent:
        groups["e" + r["claimId"]].append((r["articleHeadline"], STANCE_LABEL.get(r["articleHeadlineStance"], "neutral")))
    for r in fnc_rows(split, root):
        if r["Stance"] in ("agree", "disagree"):
            groups["f" + r["Body ID"]].append((r["Headline"], STANCE_LABEL[r["Stance"]]))
    rows += [(*p, "headlines") for p in headline_pairs(groups, rng, per_group=6)]
    story_of = {}
    for key, heads in groups.items():
        for head, _ in heads:
            story_of.setdefault(head, key)
    rows += [(a, b, "neutral", 0, "other_story") for a, b in other_story_neighbours(story_of, rng, negatives)]
    rng.shuffle(rows)
    return rows


def other_story_neighbours(story_of: dict[str, str], rng: random.Random, n: int) -> list[tuple[str, str]]:
    """Most similar headline pairs of different stories: same words, different point."""
    from service.embed import get_embedder

    heads = list(story_of)
    vectors = get_embedder().embed(heads)
    sims = vectors @ vectors.T
    found = []
    for i in range(len(heads)):
        for j in np.argsort(-sims[i])[1:6]:
            if story_of[heads[i]] != story_of[heads[int(j)]] and sims[i, j] >= 0.3 and i < j:
                found.append((heads[i], heads[int(j)]))
    rng.shuffle(found)
    return found[:n]


def news_sentences(root: Path = DEFAULT_DATA) -> list[str]:
    texts = []
    with open(root / "liar" / "train.tsv", encoding="utf-8") as f:
        texts += [row[2] for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if len(row) > 2]
    with gzip.open(root / "averitec" / "dev.json.gz", "rt", encoding="utf-8") as f:
        texts += [r["claim"] for r in json.load(f)]
    texts += [r["Headline"] for r in fnc_rows("train", root)]
    for name, key in (("climate_fever/climate-fever.jsonl.gz", "claim"), ("covidfact/COVIDFACT_dataset.jsonl.gz", "claim")):
        with gzip.open(root / name, "rt", encoding="utf-8") as f:
            texts += [json.loads(line)[key] for line in f if line.strip()]
    return [t for t in dict.fromkeys(" ".join(t.split()) for t in texts) if 20 <= len(t) <= 400]


def candidate_pairs(root: Path = DEFAULT_DATA, k: int = 5, min_similarity: float = 0.30) -> list[tuple[str, str, float]]:
    """Each sentence with its ``k`` nearest others (cosine >= ``min_similarity``), unordered, deduplicated."""
    import faiss

    from service.embed import get_embedder

    texts = news_sentences(root)
    vectors = get_embedder().embed(texts)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    sims, ids = index.search(vectors, k + 1)
    seen, out = set(), []
    for i, (row_s, row_i) in enumerate(zip(sims, ids)):
        for s, j in zip(row_s, row_i):
            key = (min(i, int(j)), max(i, int(j)))
            if j != i and j >= 0 and s >= min_similarity and key not in seen:
                seen.add(key)
                out.append((texts[key[0]], texts[key[1]], float(s)))
    return out


def is_heldout(a: str, b: str, share: float = 0.2) -> bool:
    """A fixed, order-free split of candidate pairs: about ``share`` of them are held out."""
    key = "\x00".join(sorted((a, b))).encode()
    return zlib.crc32(key) % 1000 < share * 1000


def write_jsonl(path: Path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list:
    with io.open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
