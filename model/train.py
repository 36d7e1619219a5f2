"""Train Counterclaim's contradiction classifier (NLI).  Run from the repository root:

    python -m model.train fast                       # fast stage: embeddings + cues -> 3 small MLPs (averaged)
    python -m model.train cross --epochs 1.5         # precise stage: cross-encoder (resumable)
    python -m model.train ship-cross                 # calibrate the latest cross checkpoint, export to model/cross/
    python -m model.evaluate                         # metrics on the test splits -> model/metrics.json, MODEL_CARD.md

Data are read only from ``--data`` (default: <repo>/../shared/data). Seeds are fixed; checkpoints
and embedding caches go to model/checkpoints/ (git-ignored), so every command can be rerun or
resumed cheaply. The same arguments must be given to resume a cross-encoder run.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from .data import DEFAULT_DATA, REPO, training_set  # noqa: E402

LOG_DIR = REPO / "model" / "checkpoints"


def _log_to(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        print(line, flush=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    return log


def cmd_cross(args) -> None:
    from . import cross

    log = _log_to(LOG_DIR / "cross_train.log")
    pairs, counts = training_set(Path(args.data), seed=args.seed)
    log(f"training pairs: {json.dumps(counts)}")
    init_from, ckpt_name, tag = None, "last.pt", ""
    if args.continue_after is not None:
        # part 2: start from the weights of the run made with --epochs CONTINUE_AFTER and train on
        # the pairs that run never saw, with a fresh warm-up/decay schedule.
        seen = cross.seen_indices(cross.load_tokenizer(), pairs, args.continue_after, args.batch_size, args.seed,
                                  args.max_length)
        pairs = [p for i, p in enumerate(pairs) if i not in seen]
        counts["part2_unseen_pairs"] = len(pairs)
        init_from, ckpt_name, tag = cross.CKPT_DIR / "last.pt", "last_part2.pt", "_part2"
        log(f"part 2: {len(pairs)} pairs not seen by the --epochs {args.continue_after} run")
    elif args.init_from:
        # a further part: start from these weights, fresh schedule over the whole training set
        ckpt_name = args.ckpt_name or "last_more.pt"
        init_from, tag = Path(args.init_from), "_" + Path(ckpt_name).stem.removeprefix("last_")
        log(f"initialising from {init_from}; checkpoints to {ckpt_name}")
    summary = cross.train(pairs, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                          max_length=args.max_length, seed=args.seed, ckpt_every=args.ckpt_every,
                          max_minutes=args.max_minutes, threads=args.threads, init_from=init_from,
                          ckpt_name=ckpt_name, log=log)
    summary["counts"] = counts
    (LOG_DIR / f"cross_summary{tag}.json").write_text(json.dumps(summary, indent=2))
    log(f"done: {json.dumps(summary)}")


def cmd_fast(args) -> None:
    from . import fast

    fast.train_and_ship(Path(args.data), seed=args.seed, threads=args.threads, log=_log_to(LOG_DIR / "fast_train.log"))


def cmd_ship_cross(args) -> None:
    from . import ship

    ship.ship_cross(Path(args.data), threads=args.threads, ckpt=Path(args.ckpt) if args.ckpt else None,
                    log=_log_to(LOG_DIR / "ship_cross.log"))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m model.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="directory of the public datasets")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("cross", help="fine-tune the cross-encoder (resumes from model/checkpoints/cross/last.pt)")
    c.add_argument("--epochs", type=float, default=1.5)
    c.add_argument("--batch-size", type=int, default=32)
    c.add_argument("--lr", type=float, default=8e-5)
    c.add_argument("--max-length", type=int, default=128)
    c.add_argument("--ckpt-every", type=int, default=200)
    c.add_argument("--max-minutes", type=float, default=None, help="stop (with a checkpoint) after this long")
    c.add_argument("--continue-after", type=float, default=None, metavar="EPOCHS",
                   help="part 2: init from checkpoints/cross/last.pt (a run with --epochs EPOCHS) and train on "
                        "the pairs it did not see; checkpoints to checkpoints/cross/last_part2.pt")
    c.add_argument("--init-from", default=None, metavar="CKPT",
                   help="start from this checkpoint's weights with a fresh schedule over all pairs")
    c.add_argument("--ckpt-name", default=None, help="checkpoint file name for --init-from runs (default last_more.pt)")
    c.set_defaults(func=cmd_cross)
    f = sub.add_parser("fast", help="train + calibrate + ship the fast stage to model/fast/")
    f.set_defaults(func=cmd_fast)
    s = sub.add_parser("ship-cross", help="calibrate the latest cross checkpoint and export it to model/cross/")
    s.add_argument("--ckpt", default=None, help="checkpoint to ship (default model/checkpoints/cross/last.pt)")
    s.set_defaults(func=cmd_ship_cross)
    args = ap.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
