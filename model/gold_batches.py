"""Rounds of the news gold's test split: the test split moved to dev, then a reserve batch brought in as the new one.

    python -m model.gold_batches to-dev        # first: the round's choices are then made on dev alone
    python -m model.gold_batches bring-in fixtures/news_gold_reserve/fq fixtures/news_gold_reserve/zt \
        fixtures/news_gold_reserve/mk          # after them: the batch the round is judged on, once

Each round of the judge ends by judging one batch it never saw (``fixtures/news_gold/README.md``). Bringing it
in is a file move, but one whose mistakes cost the split its worth: a share of another batch, a statement id or
article already in the set, a pair naming a statement that is not there, or a new test split read beside the
old one before the round's choices were made. ``bring-in`` checks all of them before anything is written, so a
refused batch leaves the set as it was; then it copies the articles, writes the pairs and statements whole and
deletes the share folders (a crash between those steps is undone with ``git checkout fixtures/news_gold
fixtures/news_gold_reserve``, as they are committed). The README's tables and the floors in
``tests/test_gold.py`` stay for the engineer: they are prose about figures this does not measure.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .label import GOLD_DIRS
from .newsdata import read_jsonl


class BatchError(ValueError):
    """A reserve share that cannot come in as it is; nothing was written."""


@dataclass
class Share:
    folder: Path
    statements: list[dict]
    pairs: list[dict]
    articles: list[Path]


def read_share(folder: Path) -> Share:
    if not (folder / "statements.jsonl").is_file() or not (folder / "pairs.jsonl").is_file():
        raise BatchError(f"{folder}: no statements.jsonl and pairs.jsonl there")
    return Share(folder, read_jsonl(folder / "statements.jsonl"), read_jsonl(folder / "pairs.jsonl"),
                 sorted((folder / "articles").glob("*.txt")))


def incoming_batch(gold_statements: list[dict], shares: list[Share]) -> int:
    """The batch number the shares hold, after checking it is one number, the next one, and all test split,
    and that the set holds no test split still (``to-dev`` first)."""
    if any(s["split"] == "test" for s in gold_statements):
        raise BatchError("the set still has a test split: move it to dev first (python -m model.gold_batches to-dev)")
    numbers = {s.get("batch") for share in shares for s in share.statements}
    if len(numbers) != 1:
        raise BatchError(f"the shares hold batches {sorted(numbers, key=str)}, not one")
    (number,) = numbers
    expected = max(s["batch"] for s in gold_statements) + 1
    if number != expected:
        raise BatchError(f"the shares are batch {number}; the next batch is {expected}")
    for share in shares:
        rows = share.statements + share.pairs
        if any(r.get("split") != "test" for r in rows):
            raise BatchError(f"{share.folder}: every statement and pair must be in the test split")
    return number


def check_no_clash(gold_statements: list[dict], gold_articles: Path, shares: list[Share]) -> None:
    """Statement ids new and unique, every pair's statements in its own share, every article present and new."""
    seen = {s["id"] for s in gold_statements}
    for share in shares:
        ids = [s["id"] for s in share.statements]
        clashes = sorted({i for i in ids if i in seen or ids.count(i) > 1})
        if clashes:
            raise BatchError(f"{share.folder}: statement ids already used: {clashes[:5]}")
        seen.update(ids)
        missing = sorted({i for p in share.pairs for i in (p["a"], p["b"])} - set(ids))
        if missing:
            raise BatchError(f"{share.folder}: pairs name statements it does not hold: {missing[:5]}")
        names = {a.stem for a in share.articles}
        unwritten = sorted({s["article"] for s in share.statements} - names)
        if unwritten:
            raise BatchError(f"{share.folder}: statements of articles it does not hold: {unwritten[:5]}")
        taken = sorted(a.name for a in share.articles if (gold_articles / a.name).exists())
        if taken:
            raise BatchError(f"{share.folder}: articles already in the set: {taken[:5]}")


def write_jsonl_whole(path: Path, rows: list[dict]) -> None:
    """Replace ``path`` in one step: readers (and a crash) see the old file or the new one, never half of one."""
    partial = path.with_suffix(".partial")
    partial.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    os.replace(partial, path)


def as_dev(rows: list[dict]) -> list[dict]:
    return [dict(r, split="dev") if r.get("split") == "test" else r for r in rows]


def move_test_split_to_dev(gold: Path = GOLD_DIRS["news_gold"]) -> dict:
    """Move ``gold``'s test split to dev (statements and pairs), as each round begins."""
    statements, pairs = read_jsonl(gold / "statements.jsonl"), read_jsonl(gold / "pairs.jsonl")
    moved = sorted({s["batch"] for s in statements if s["split"] == "test"})
    write_jsonl_whole(gold / "pairs.jsonl", as_dev(pairs))
    write_jsonl_whole(gold / "statements.jsonl", as_dev(statements))
    return {"moved_to_dev": moved}


def bring_in(folders: list[Path], gold: Path = GOLD_DIRS["news_gold"]) -> dict:
    """Bring the shares in ``folders`` into ``gold`` as its test split (it must have none)."""
    shares = [read_share(Path(f)) for f in folders]
    statements = read_jsonl(gold / "statements.jsonl")
    pairs = read_jsonl(gold / "pairs.jsonl")
    batch = incoming_batch(statements, shares)
    check_no_clash(statements, gold / "articles", shares)
    for share in shares:
        for article in share.articles:
            shutil.copy2(article, gold / "articles" / article.name)
    write_jsonl_whole(gold / "pairs.jsonl", pairs + [p for s in shares for p in s.pairs])
    write_jsonl_whole(gold / "statements.jsonl", statements + [t for s in shares for t in s.statements])
    for share in shares:
        shutil.rmtree(share.folder)
    return {"batch": batch, "statements": sum(len(s.statements) for s in shares),
            "pairs": sum(len(s.pairs) for s in shares), "articles": sum(len(s.articles) for s in shares)}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("to-dev", help="move the test split to dev")
    bring = commands.add_parser("bring-in", help="bring a reserve batch in as the test split")
    bring.add_argument("folders", nargs="+", type=Path, help="the reserve batch's share folders")
    args = parser.parse_args(argv)
    try:
        summary = move_test_split_to_dev() if args.command == "to-dev" else bring_in(args.folders)
    except BatchError as refused:
        parser.exit(2, f"refused, nothing changed: {refused}\n")
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
