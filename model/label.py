"""Run the precise stage (nli-mpnet-base, as shipped) over the pair sets the judge is trained and
measured on, both directions, resumably.

    python -m model.label [--sets gold,stance_train,candidates,stance_test] [--candidates 40000]

Each set is written to ``model/checkpoints/labels/<set>.jsonl`` in chunks; a rerun skips rows already
written, so an interrupted run resumes where it stopped. A row is the pair, its metadata and
``p_ab`` / ``p_ba``: calibrated probabilities (entailment, neutral, contradiction) of a→b and b→a, read
as the service reads the pair (``service.scoring.judge.precise_inputs``; where that differs from the
claims as stated, the row keeps it as ``nli_input``). Rows written before that reading changed are
labelled again at the start of each run (``refresh``).
A larger ``--candidates`` than was planned extends the candidate plan (its first rows stay as they were).
``labelled`` is the same cache for pair sets made elsewhere: ``model.judge`` keeps the dev split's
other candidate pairs in ``dev_candidates.jsonl`` through it, so a retrain labels only the pairs it has not seen.
Under both, every pair the precise stage reads goes through ``model.nli_cache`` (``model/labels/``, in the
repository): a fresh checkout rebuilds these files from it without running the model on pairs it has read.
"""
from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

from tqdm import tqdm

from .data import DEFAULT_DATA, REPO
from .newsdata import candidate_pairs, is_heldout, read_jsonl, stance_pairs

LABEL_DIR = REPO / "model" / "checkpoints" / "labels"
GOLD_DIRS = {"news_gold": REPO / "fixtures" / "news_gold", "shared_dev": REPO.parent / "shared" / "dev"}
CHUNK = 128
LABEL_KEYS = ("p_ab", "p_ba", "nli_input")  # what a label adds to a pair (``with_probs``)


def gold_pairs() -> list[dict]:
    """Every labelled pair of the news gold set and of ../shared/dev, as the service judges it."""
    from service.pipeline.judging import gate_dates, judged_text

    rows = []
    for name, folder in GOLD_DIRS.items():
        if not (folder / "pairs.jsonl").exists():
            continue
        statements = {s["id"]: s for s in read_jsonl(folder / "statements.jsonl")}
        for pair in read_jsonl(folder / "pairs.jsonl"):
            if pair.get("split") == "test":
                continue  # never labelled: the test split is judged once, through the service
            a, b = statements[pair["a"]], statements[pair["b"]]
            rows.append({"a": judged_text(a), "b": judged_text(b), "label": pair["label"],
                         "class": pair.get("class", ""), "split": pair.get("split", "dev"), "gold": name,
                         "ids": [pair["a"], pair["b"]], "dates": list(gate_dates(a, b))})
    return rows


def pair_sets(n_candidates: int, root: Path = DEFAULT_DATA) -> dict:
    def stance(split):
        return lambda: [{"a": a, "b": b, "label": y, "aligned": al, "source": src}
                        for a, b, y, al, src in stance_pairs(split, root)]

    def candidates():
        rows = candidate_pairs(root)
        random.Random(11).shuffle(rows)
        return [{"a": a, "b": b, "similarity": s, "heldout": is_heldout(a, b)} for a, b, s in rows[:n_candidates]]

    return {"gold": gold_pairs, "stance_train": stance("train"), "candidates": candidates, "stance_test": stance("test")}


def label_set(name: str, build, nli, log=print, grow: int = 0) -> Path:
    """Label the pairs of ``build()`` into ``<name>.jsonl``; ``grow``: a plan with fewer rows than this is
    rebuilt longer (the rows already planned, and labelled, must stay its first ones)."""
    path = LABEL_DIR / f"{name}.jsonl"
    plan = LABEL_DIR / f"{name}.plan.jsonl"
    LABEL_DIR.mkdir(parents=True, exist_ok=True)
    rows = read_jsonl(plan) if plan.exists() else []  # fixed once, so a resumed run labels the same pairs
    if not rows or (grow and len(rows) < grow):
        rows = _extended(rows, build())
        with open(plan, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    done = len(read_jsonl(path)) if path.exists() else 0
    t0 = time.time()
    with open(path, "a", encoding="utf-8") as out, tqdm(total=len(rows), initial=done, desc=name) as bar:
        for start in range(done, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            for row in with_probs(chunk, nli):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()
            bar.update(len(chunk))
    log(f"{name}: {len(rows)} pairs labelled ({time.time() - t0:.0f} s this run)")
    return path


def with_probs(rows: list[dict], nli) -> list[dict]:
    """``rows`` with the precise stage's probabilities both ways, on the pair as the service reads it."""
    from service.scoring.judge import precise_inputs

    inputs = precise_inputs([(r["a"], r["b"]) for r in rows])
    probs = nli.probs(inputs + [(b, a) for a, b in inputs])
    for i, (row, read) in enumerate(zip(rows, inputs)):
        row.pop("nli_input", None)
        if read != (row["a"], row["b"]):
            row["nli_input"] = list(read)
        row.update(p_ab=[round(float(x), 5) for x in probs[i]], p_ba=[round(float(x), 5) for x in probs[len(rows) + i]])
    return rows


def labelled(name: str, rows: list[dict], nli, log=print) -> list[dict]:
    """``rows`` with the precise stage's probabilities, taken from ``<name>.jsonl`` where it holds the same
    pair read the same way, the others labelled now and added to it: a cache, so that a second run over
    (mostly) the same pairs costs little, and an interrupted one resumes."""
    path = LABEL_DIR / f"{name}.jsonl"
    LABEL_DIR.mkdir(parents=True, exist_ok=True)
    stored = {(r["a"], r["b"]): r for r in (read_jsonl(path) if path.exists() else [])}
    stale = set(stale_rows(list(stored.values())))
    stored = {key: r for i, (key, r) in enumerate(stored.items()) if i not in stale}
    todo = [r for r in rows if (r["a"], r["b"]) not in stored]
    log(f"{name}: {len(rows) - len(todo)} of {len(rows)} pairs stored, {len(todo)} to label")
    with open(path, "a", encoding="utf-8") as out:
        for start in tqdm(range(0, len(todo), CHUNK), desc=name):
            for row in with_probs(todo[start:start + CHUNK], nli):
                stored[(row["a"], row["b"])] = row
                out.write(json.dumps({k: row[k] for k in ("a", "b", *LABEL_KEYS) if k in row},
                                     ensure_ascii=False) + "\n")
            out.flush()
    for row in rows:
        hit = stored[(row["a"], row["b"])]
        if hit is row:  # labelled just now
            continue
        row.pop("nli_input", None)
        row.update({k: hit[k] for k in LABEL_KEYS if k in hit})
    return rows


def stale_rows(rows: list[dict]) -> list[int]:
    """Rows labelled on another reading of their pair than the service's now."""
    from service.scoring.judge import precise_inputs

    reads = precise_inputs([(r["a"], r["b"]) for r in rows])
    return [i for i, (r, read) in enumerate(zip(rows, reads))
            if list(read) != r.get("nli_input", [r["a"], r["b"]])]


def refresh(name: str, nli, log=print) -> int:
    """Label again the rows of ``<name>.jsonl`` whose reading changed; the file is rewritten whole."""
    path = LABEL_DIR / f"{name}.jsonl"
    if not path.exists():
        return 0
    rows = read_jsonl(path)
    stale = stale_rows(rows)
    if stale:
        for start in range(0, len(stale), CHUNK):
            with_probs([rows[i] for i in stale[start:start + CHUNK]], nli)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        tmp.replace(path)
    log(f"{name}: {len(stale)} rows labelled again")
    return len(stale)


def _extended(planned: list[dict], rows: list[dict]) -> list[dict]:
    keys = [(r["a"], r["b"]) for r in planned]
    if keys != [(r["a"], r["b"]) for r in rows[: len(planned)]]:
        raise SystemExit("the new pair list does not begin with the planned pairs: relabel from scratch")
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="gold,stance_train,candidates,stance_test")
    parser.add_argument("--candidates", type=int, default=40000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    from service.scoring.nli_onnx import OnnxNLI

    from .nli_cache import cached

    nli = cached(OnnxNLI(REPO / "model" / "precise", threads=args.threads))
    sets = pair_sets(args.candidates)
    for name in args.sets.split(","):
        refresh(name, nli)
        label_set(name, sets[name], nli, grow=args.candidates if name == "candidates" else 0)


if __name__ == "__main__":
    main()
