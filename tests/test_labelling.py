"""model.label: the precise stage labels each pair as the service reads it, and rows labelled on an
older reading are labelled again."""
from __future__ import annotations

import json

import numpy as np

from model import label


class CountingNLI:
    """Stands in for nli-mpnet-base: remembers what it read."""

    def __init__(self):
        self.read = []

    def probs(self, pairs):
        self.read.extend(pairs)
        return np.tile([0.2, 0.3, 0.5], (len(pairs), 1))


PLAIN = {"a": "The plant shut in January.", "b": "The plant is still running."}
WORDED = {"a": "The detour adds 90 minutes.", "b": "The detour adds an hour and a half."}


def test_a_pair_is_labelled_as_the_service_reads_it():
    nli = CountingNLI()
    plain, worded = label.with_probs([dict(PLAIN), dict(WORDED)], nli)
    assert "nli_input" not in plain and worded["nli_input"] == [WORDED["a"], "The detour adds 90 minutes."]
    assert ("The detour adds 90 minutes.", WORDED["a"]) in nli.read  # both directions, rewritten
    assert plain["p_ab"] == [0.2, 0.3, 0.5]


def test_rows_labelled_on_an_older_reading_are_labelled_again(tmp_path, monkeypatch):
    monkeypatch.setattr(label, "LABEL_DIR", tmp_path)
    old = [dict(PLAIN, p_ab=[1, 0, 0], p_ba=[1, 0, 0]), dict(WORDED, p_ab=[1, 0, 0], p_ba=[1, 0, 0])]
    (tmp_path / "set.jsonl").write_text("".join(json.dumps(r) + "\n" for r in old))
    nli = CountingNLI()
    assert label.refresh("set", nli, log=lambda *_: None) == 1
    plain, worded = [json.loads(line) for line in (tmp_path / "set.jsonl").read_text().splitlines()]
    assert plain["p_ab"] == [1, 0, 0] and worded["p_ab"] == [0.2, 0.3, 0.5]
    assert label.refresh("set", CountingNLI(), log=lambda *_: None) == 0  # nothing left to do


def test_an_other_story_neighbour_that_restates_the_headline_is_no_negative():
    from model.judge import without_duplicate_stories

    rows = [
        {"a": "Jihadi John named as Mohammed Emwazi from London", "b": "'Jihadi John' named as Mohammed Emwazi from London", "aligned": 0},
        {"a": "Robert Plant ripped up 800M Led Zeppelin contract", "b": "Robert Plant ripped up $800M Led Zeppelin contract", "aligned": 0},
        {"a": "Jihadi John named as Mohammed Emwazi", "b": "ISIS releases new video from Syria", "aligned": 0},
        {"a": "Jihadi John named as Mohammed Emwazi", "b": "'Jihadi John' named as Mohammed Emwazi", "aligned": 1},
    ]
    assert without_duplicate_stories(rows) == rows[2:]


def test_a_cached_set_labels_only_pairs_it_has_not_stored_on_their_current_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(label, "LABEL_DIR", tmp_path)
    quiet = dict(log=lambda *_: None)
    first = CountingNLI()
    rows = label.labelled("cache", [dict(PLAIN)], first, **quiet)
    assert rows[0]["p_ab"] == [0.2, 0.3, 0.5] and len(first.read) == 2
    again = CountingNLI()
    rows = label.labelled("cache", [dict(PLAIN), dict(WORDED)], again, **quiet)
    assert again.read == [("The detour adds 90 minutes.",) * 2] * 2  # only the new pair, both ways, as read
    assert rows[1]["nli_input"] == [WORDED["a"], "The detour adds 90 minutes."] and rows[0]["p_ab"] == [0.2, 0.3, 0.5]
    # a row stored on an older reading is labelled again
    (tmp_path / "cache.jsonl").write_text(json.dumps(dict(WORDED, p_ab=[1, 0, 0], p_ba=[1, 0, 0])) + "\n")
    third = CountingNLI()
    assert label.labelled("cache", [dict(WORDED)], third, **quiet)[0]["p_ab"] == [0.2, 0.3, 0.5] and third.read


class PairwiseNLI(CountingNLI):
    """Different probabilities for each pair and direction, with digits float32 would lose."""

    def probs(self, pairs):
        self.read.extend(pairs)
        out = []
        for a, b in pairs:
            x = (sum(map(ord, a)) * 7 + sum(map(ord, b)) * 3) % 97 / 97 * 0.5 + 1e-9 / 3
            out.append([x, 1 / 3, 1 - x - 1 / 3])
        return np.array(out)


def test_the_precise_stages_answers_are_kept_exactly_and_read_back_by_a_fresh_process(tmp_path):
    from model.nli_cache import RECORD, CachedNLI

    path = tmp_path / "nli-test.bin"
    nli = PairwiseNLI()
    pairs = [("the plant shut", "it still runs"), ("it still runs", "the plant shut"), ("the plant shut", "it still runs")]
    first = CachedNLI(nli, path).probs(pairs)
    assert nli.read == pairs[:2] and first[0].tolist() == PairwiseNLI().probs(pairs[:1])[0].tolist()
    assert first[0].tolist() != first[1].tolist()  # each direction its own answer
    with open(path, "ab") as f:
        f.write(b"\x01\x02\x03")  # a record cut short by a crash
    again = CachedNLI(nli, path)  # as a fresh checkout would read it
    assert len(again) == 2
    assert again.probs(pairs[::-1]).tolist() == first[::-1].tolist() and len(nli.read) == 2  # exact, no model run
    again.probs([("a", "c")])  # the next writer starts on a record boundary
    assert nli.read[-1] == ("a", "c") and path.stat().st_size % RECORD.itemsize == 0
    assert len(CachedNLI(nli, path)) == 3


def test_with_probs_through_the_cache_labels_as_without_it(tmp_path):
    from model.nli_cache import CachedNLI

    rows = [dict(PLAIN), dict(WORDED)]
    plain = label.with_probs([dict(r) for r in rows], PairwiseNLI())
    label.with_probs([dict(r) for r in rows], CachedNLI(PairwiseNLI(), tmp_path / "c.bin"))
    read_back = label.with_probs([dict(r) for r in rows], CachedNLI(PairwiseNLI(), tmp_path / "c.bin"))
    assert plain == read_back
