"""Move the news gold's test split to dev; bring a reserve batch in as the new test split.

    python -m model.gold_batches to-dev        # first: the round's choices are then made on dev alone
    python -m model.gold_batches bring-in fixtures/news_gold_reserve/fq fixtures/news_gold_reserve/zt \\
        fixtures/news_gold_reserve/mk          # after them: the batch the round is judged on, once

Each round of the judge ends by judging one batch it never saw (``fixtures/news_gold/README.md``). Bringing it
in is a file move, but one whose mistakes cost the split its worth: a share of another batch or a share left
behind, a statement id or article already in the set, a pair naming a statement that is not there, or a new
test split read beside the old one before the round's choices were made. ``bring-in`` checks all of them before
anything is written, and a refused batch leaves the set as it was. It then writes the new files beside the old
ones, copies the articles, swaps the files in, and deletes the share folders (their ``CHECK.md``, the checkers'
record, stays in git history and the batch's README entry names its changes); a failure before the swap removes
what it had copied. The README's tables and the floors in ``tests/test_gold.py`` stay for the engineer: they are
prose about figures this does not measure.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .label import GOLD_DIRS
from .newsdata import read_jsonl, write_jsonl

STATEMENT_KEYS = ("id", "text", "article", "split", "batch")
PAIR_KEYS = ("a", "b", "label", "split")


class BatchError(ValueError):
    """A reserve batch that cannot come in as it is; nothing was written."""


@dataclass
class Share:
    """One writer's share of a reserve batch: its statements, labelled pairs and article files."""

    folder: Path
    statements: list[dict]
    pairs: list[dict]
    articles: list[Path]


def read_share(folder: Path) -> Share:
    if not (folder / "statements.jsonl").is_file() or not (folder / "pairs.jsonl").is_file():
        raise BatchError(f"{folder}: no statements.jsonl and pairs.jsonl there")
    share = Share(folder, read_jsonl(folder / "statements.jsonl"), read_jsonl(folder / "pairs.jsonl"),
                  sorted((folder / "articles").glob("*.txt")))
    for rows, keys in ((share.statements, STATEMENT_KEYS), (share.pairs, PAIR_KEYS)):
        incomplete = [row for row in rows if any(key not in row for key in keys)]
        if incomplete:
            raise BatchError(f"{folder}: rows without {', '.join(keys)}: {incomplete[0]}")
    return share


def batch_number(shares: list[Share]) -> int:
    numbers = {s["batch"] for share in shares for s in share.statements}
    if len(numbers) != 1 or not all(type(n) is int for n in numbers):
        raise BatchError(f"the shares hold batches {sorted(numbers, key=str)}, not one whole number")
    return numbers.pop()


def checked_batch_number(gold_statements: list[dict], shares: list[Share]) -> int:
    """The batch number the shares hold, after checking that the set has no test split left (``to-dev``
    first), that the shares are one batch, the next one, all in the test split, and all of it."""
    if any(s["split"] == "test" for s in gold_statements):
        raise BatchError("the set still has a test split: move it to dev first (python -m model.gold_batches to-dev)")
    number = batch_number(shares)
    expected = max((s["batch"] for s in gold_statements), default=0) + 1
    if number != expected:
        raise BatchError(f"the shares are batch {number}; the next batch is {expected}")
    for share in shares:
        if any(row["split"] != "test" for row in share.statements + share.pairs):
            raise BatchError(f"{share.folder}: every statement and pair must be in the test split")
    left_behind = sorted(str(folder) for folder in sibling_shares_of(shares, number))
    if left_behind:
        raise BatchError(f"shares of batch {number} not named: {left_behind}")
    return number


def sibling_shares_of(shares: list[Share], number: int) -> list[Path]:
    """Folders beside the named shares that hold statements of the same batch: a share forgotten."""
    named = {share.folder.resolve() for share in shares}
    parents = {share.folder.resolve().parent for share in shares}
    return [folder for parent in parents for folder in sorted(parent.iterdir())
            if folder.resolve() not in named and (folder / "statements.jsonl").is_file()
            and any(s.get("batch") == number for s in read_jsonl(folder / "statements.jsonl"))]


def check_shares_fit(gold_statements: list[dict], gold_articles: Path, shares: list[Share]) -> None:
    """Statement ids and article names new and unique across the set and the shares; every pair of two
    different statements of its own share, listed once; every statement's article present."""
    seen_ids = {s["id"] for s in gold_statements}
    seen_articles = {s["article"] for s in gold_statements} | {a.stem for a in gold_articles.glob("*.txt")}
    for share in shares:
        ids = [s["id"] for s in share.statements]
        clashes = sorted({i for i in ids if i in seen_ids or ids.count(i) > 1})
        if clashes:
            raise BatchError(f"{share.folder}: statement ids already used: {clashes[:5]}")
        seen_ids.update(ids)
        named = [frozenset((p["a"], p["b"])) for p in share.pairs]
        if any(len(pair) != 2 for pair in named) or len(set(named)) != len(named):
            raise BatchError(f"{share.folder}: a pair of a statement with itself, or a pair listed twice")
        missing = sorted({i for pair in named for i in pair} - set(ids))
        if missing:
            raise BatchError(f"{share.folder}: pairs name statements it does not hold: {missing[:5]}")
        written = {a.stem for a in share.articles}
        unwritten = sorted({s["article"] for s in share.statements} - written)
        if unwritten:
            raise BatchError(f"{share.folder}: statements of articles it does not hold: {unwritten[:5]}")
        taken = sorted(written & seen_articles)
        if taken:
            raise BatchError(f"{share.folder}: articles already in the set or another share: {taken[:5]}")
        seen_articles.update(written)


def replace_whole(files: dict[Path, list[dict]]) -> None:
    """Write each file's rows beside its old self, then swap them in: a crash never leaves half of one."""
    partials = {path: path.with_suffix(".partial") for path in files}
    try:
        for path, rows in files.items():
            write_jsonl(partials[path], rows)  # the fixtures' own line format
            with open(partials[path], "rb") as written:
                os.fsync(written.fileno())
    except BaseException:
        for partial in partials.values():
            partial.unlink(missing_ok=True)
        raise
    for path, partial in partials.items():
        os.replace(partial, path)


def test_rows_as_dev(rows: list[dict]) -> list[dict]:
    return [dict(r, split="dev") if r.get("split") == "test" else r for r in rows]


def move_test_split_to_dev(gold: Path | None = None) -> dict:
    """Move the news gold's test split to dev (statements and pairs), as each round begins."""
    gold = gold or GOLD_DIRS["news_gold"]
    statements, pairs = read_jsonl(gold / "statements.jsonl"), read_jsonl(gold / "pairs.jsonl")
    moved = sorted({s["batch"] for s in statements if s["split"] == "test"})
    # statements last: a crash between the two leaves the batch in test, and to-dev can simply run again
    replace_whole({gold / "pairs.jsonl": test_rows_as_dev(pairs)})
    replace_whole({gold / "statements.jsonl": test_rows_as_dev(statements)})
    return {"moved_to_dev": moved}


def bring_in(folders: list[Path], gold: Path | None = None) -> dict:
    """Bring the shares in ``folders`` into the news gold as its test split (it must have none)."""
    gold = gold or GOLD_DIRS["news_gold"]
    if len({Path(f).resolve() for f in folders}) != len(folders):
        raise BatchError("a share folder is named twice")
    shares = [read_share(Path(f)) for f in folders]
    statements, pairs = read_jsonl(gold / "statements.jsonl"), read_jsonl(gold / "pairs.jsonl")
    batch = checked_batch_number(statements, shares)
    check_shares_fit(statements, gold / "articles", shares)
    copied = []
    try:
        for article in (a for share in shares for a in share.articles):
            copied.append(gold / "articles" / article.name)
            shutil.copy2(article, copied[-1])
        replace_whole({gold / "statements.jsonl": statements + [s for sh in shares for s in sh.statements],
                       gold / "pairs.jsonl": pairs + [p for sh in shares for p in sh.pairs]})
    except BaseException:
        for path in copied:
            path.unlink(missing_ok=True)
        raise
    for share in shares:
        shutil.rmtree(share.folder)
    return {"batch": batch, "statements": sum(len(sh.statements) for sh in shares),
            "pairs": sum(len(sh.pairs) for sh in shares), "articles": len(copied)}


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
