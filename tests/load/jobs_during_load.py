"""Bulk jobs beside the load test (``tests/load/run_load.sh`` with ``JOBS=2``).

``submit HOST KEY N_JOBS PAIRS OUT``: submit N_JOBS pairs jobs of PAIRS unique claim pairs each
(``POST /api/v1/jobs``), their ids written to OUT.

``check HOST KEY OUT SAMPLE WAIT``: for each job, its state and progress; when WAIT is "1", wait
until every job finishes; then the results of SAMPLE of its finished items, spread over what it
finished, compared with what a synchronous ``POST /api/v1/compare`` gives for the same pairs
(pair, label and cues equal, score to 0.001). Prints one summary line per job; exits 1 on a mismatch or a
failed job. Jobs that are still running at the end are cancelled (and said so).
"""
from __future__ import annotations

import json
import sys
import time
import urllib.request

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from locustfile import CLAIMS  # noqa: E402


def call(host: str, key: str, method: str, path: str, body=None, accept: str = "application/json"):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(host + path, data=data, method=method, headers={
        "Content-Type": "application/json", "Accept": accept, "Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=600) as response:
        raw = response.read().decode()
        return raw if accept == "application/x-ndjson" else json.loads(raw)


def job_pairs(job: int, count: int) -> list[dict]:
    """Unique pairs (a counter in each claim), so that no embedding or verdict is reused."""
    pairs = []
    for n in range(count):
        a, b = CLAIMS[n % len(CLAIMS)], CLAIMS[(n * 7 + 3) % len(CLAIMS)]
        pairs.append({"a": f"{a[:-1]} (job {job} item {n}).", "b": f"{b[:-1]} (report {n})."})
    return pairs


def submit(host: str, key: str, jobs: int, count: int, out: str) -> None:
    ids = []
    for job in range(jobs):
        started = time.perf_counter()
        created = call(host, key, "POST", "/api/v1/jobs", {"pairs": job_pairs(job, count)})
        ids.append(created["id"])
        print(f"job {created['id']}: {count} pairs submitted in {time.perf_counter() - started:.1f} s")
    with open(out, "w") as f:
        json.dump({"ids": ids, "pairs": count}, f)


def same_verdict(job_row: dict, sync: dict) -> bool:
    """Same pair, label and cues; scores equal to 0.001 (the worker's model runs on one thread, the
    server's on all cores: float sums may differ in the last digit)."""
    return (all(job_row[k] == sync[k] for k in ("a", "b", "label", "cues"))
            and abs(job_row["score"] - sync["score"]) <= 1e-3)


def check(host: str, key: str, out: str, sample: int, wait: bool) -> int:
    meta = json.load(open(out))
    failures = 0
    for index, job_id in enumerate(meta["ids"]):
        status = call(host, key, "GET", f"/api/v1/jobs/{job_id}")
        while wait and status["state"] in ("queued", "running"):
            time.sleep(10)
            status = call(host, key, "GET", f"/api/v1/jobs/{job_id}")
        progress = status["progress"]
        done = progress["done"]
        step = max(1, done // sample) if done else 1
        offsets = list(range(0, done, step))[:sample]
        pairs = job_pairs(index, meta["pairs"])
        mismatches = 0
        for offset in offsets:
            row = json.loads(call(host, key, "GET", f"/api/v1/jobs/{job_id}/results?offset={offset}",
                                  accept="application/x-ndjson").splitlines()[0])
            sync = call(host, key, "POST", "/api/v1/compare", {"pairs": [pairs[offset]]})["items"][0]
            if not same_verdict(row, sync):
                mismatches += 1
                print(f"  differs at item {offset}: job {row['label']} {row['score']}, /compare {sync['label']} {sync['score']}")
        state = status["state"]
        if state in ("queued", "running"):
            call(host, key, "DELETE", f"/api/v1/jobs/{job_id}")
            state = f"{state}, cancelled at the end (ETA was {progress['eta_s']} s)"
        print(f"job {job_id}: {state}; {done}/{progress['total']} items, {progress['pairs_per_s']} pairs/s; "
              f"sample of {len(offsets)} results equal to synchronous /compare: {len(offsets) - mismatches}")
        failures += mismatches + (status["state"] == "failed")
    return 1 if failures else 0


if __name__ == "__main__":
    command, host, key = sys.argv[1:4]
    if command == "submit":
        submit(host, key, int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        sys.exit(check(host, key, sys.argv[4], int(sys.argv[5]), sys.argv[6] == "1"))
