"""Loaders for the public NLI data in ``../shared/data`` (read only; nothing is fetched).

Every loader returns a list of ``(premise, hypothesis, label)`` with label in
``LABELS = ("entailment", "neutral", "contradiction")`` (the class index order of both stages).

Splits, and what each is used for (see MODEL_CARD.md):

* train: SNLI train_partial, MNLI train_partial, SICK TRAIN, CAD-NLI all_combined/train,
  XNLI-en validation (new MNLI-style pairs; nothing of it is reported), and the rest of SNLI dev
  and MNLI dev_matched once the reserved samples below are taken out (``dev_rest``).
* selection / calibration: a reserved sample of SNLI dev and MNLI dev_matched, the first
  ``RESERVED_PER_SOURCE`` rows of each after a seeded shuffle (disjoint parts: "calib" fits the
  temperature, "heldout" measures ECE before/after and picks nothing). Never trained on.
* test (reported, never trained on): SNLI test, MNLI dev_mismatched_partial.

Training pairs that also occur (exact premise+hypothesis) in any dev/test split are dropped.
"""
from __future__ import annotations

import csv
import gzip
import json
import os
import random
from pathlib import Path

LABELS = ("entailment", "neutral", "contradiction")
LABEL_ID = {name: i for i, name in enumerate(LABELS)}
REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path(os.environ.get("COUNTERCLAIM_DATA", REPO.parent / "shared" / "data"))

Pair = tuple[str, str, str]


def _jsonl(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _norm_label(label: str) -> str | None:
    label = str(label).strip().lower()
    return {"e": "entailment", "n": "neutral", "c": "contradiction"}.get(label, label if label in LABEL_ID else None)


def _clean(rows) -> list[Pair]:
    out = []
    for p, h, y in rows:
        y = _norm_label(y)
        if y is None or not p or not h:
            continue
        out.append((str(p).strip(), str(h).strip(), y))
    return out


def snli(split: str, root: Path = DEFAULT_DATA) -> list[Pair]:
    name = {"train": "train_partial", "dev": "dev", "test": "test"}[split]
    return _clean((r["premise"], r["hypothesis"], r["label"]) for r in _jsonl(root / "snli" / f"{name}.jsonl.gz"))


def mnli(split: str, root: Path = DEFAULT_DATA) -> list[Pair]:
    name = {"train": "train_partial", "dev_matched": "dev_matched", "dev_mismatched": "dev_mismatched_partial"}[split]
    return _clean((r["premise"], r["hypothesis"], r["label"]) for r in _jsonl(root / "mnli" / f"{name}.jsonl.gz"))


def sick(split: str = "TRAIN", root: Path = DEFAULT_DATA) -> list[Pair]:
    with gzip.open(root / "sick" / "SICK.txt.gz", "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return _clean((r["sentence_A"], r["sentence_B"], r["entailment_label"]) for r in rows if r["SemEval_set"] == split)


def cad(split: str = "train", variant: str = "all_combined", root: Path = DEFAULT_DATA) -> list[Pair]:
    with open(root / "cad_nli" / variant / f"{split}.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return _clean((r["sentence1"], r["sentence2"], r["gold_label"]) for r in rows)


def xnli_en_validation(root: Path = DEFAULT_DATA) -> list[Pair]:
    return _clean((r["premise"], r["hypothesis"], r["label"]) for r in _jsonl(root / "xnli_en" / "validation.jsonl.gz"))


RESERVED_PER_SOURCE = 4000  # calib + heldout of the fast stage (2 x 2,000); the cross-encoder uses a subset
DEV_SEED = 13


def _shuffled_dev(root: Path) -> list[list[Pair]]:
    """SNLI dev and MNLI dev_matched, each shuffled by one shared seeded generator (fixed order)."""
    rng = random.Random(DEV_SEED)
    out = []
    for rows in (snli("dev", root), mnli("dev_matched", root)):
        rows = list(rows)
        rng.shuffle(rows)
        out.append(rows)
    return out


def dev_rest(root: Path = DEFAULT_DATA) -> list[Pair]:
    """The dev rows outside the reserved calibration/held-out samples: usable for training."""
    return [pair for rows in _shuffled_dev(root) for pair in rows[RESERVED_PER_SOURCE:]]


def dev_reserved(root: Path = DEFAULT_DATA) -> list[Pair]:
    return [pair for rows in _shuffled_dev(root) for pair in rows[:RESERVED_PER_SOURCE]]


TRAIN_SOURCES = {
    "snli_train_partial": lambda root: snli("train", root),
    "mnli_train_partial": lambda root: mnli("train", root),
    "sick_train": lambda root: sick("TRAIN", root),
    "cad_all_combined_train": lambda root: cad("train", "all_combined", root),
    "xnli_en_validation": xnli_en_validation,
    "snli_dev_mnli_dev_matched_unreserved": dev_rest,
}


def test_sets(root: Path = DEFAULT_DATA) -> dict[str, list[Pair]]:
    return {"snli_test": snli("test", root), "mnli_dev_mismatched": mnli("dev_mismatched", root)}


def dev_splits(root: Path = DEFAULT_DATA, per_source: int = 2000) -> dict[str, list[Pair]]:
    """Two disjoint samples of SNLI dev + MNLI dev_matched: ``calib`` and ``heldout``."""
    if 2 * per_source > RESERVED_PER_SOURCE:
        raise ValueError(f"calib + heldout must fit in the {RESERVED_PER_SOURCE} reserved rows per source")
    calib, heldout = [], []
    for rows in _shuffled_dev(root):
        calib += rows[:per_source]
        heldout += rows[per_source:2 * per_source]
    return {"calib": calib, "heldout": heldout}


def training_set(root: Path = DEFAULT_DATA, seed: int = 13) -> tuple[list[Pair], dict[str, int]]:
    """All training pairs, de-duplicated, minus any pair in a test split or the reserved dev sample; shuffled."""
    banned = set()
    for rows in list(test_sets(root).values()) + [dev_reserved(root)]:
        banned |= {(p.lower(), h.lower()) for p, h, _ in rows}
    seen, out, counts = set(), [], {}
    for name, load in TRAIN_SOURCES.items():
        n = 0
        for p, h, y in load(root):
            key = (p.lower(), h.lower())
            if key in banned or key in seen:
                continue
            seen.add(key)
            out.append((p, h, y))
            n += 1
        counts[name] = n
    random.Random(seed).shuffle(out)
    counts["total"] = len(out)
    return out, counts
