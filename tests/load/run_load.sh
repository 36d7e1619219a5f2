#!/usr/bin/env bash
# Load test: gunicorn (2 workers, gthread) on 127.0.0.1 over a fresh store with the fixtures,
# 50 readers + 1 writer (tests/load/locustfile.py), then a per-endpoint table.
#
#   tests/load/run_load.sh                 # 60 s
#   DURATION=10s tests/load/run_load.sh    # a quick trial
#
# Environment: DURATION (locust -t, default 60s), USERS (default 51: 50 readers + 1 writer),
# SPAWN_RATE (default 10), PORT (default: a free one), WORKERS (default 2), PYTHON (default
# .venv/bin/python), OUT (raw CSV and logs, default /tmp/counterclaim-load-out), RESULTS (summary,
# default tests/load/results.md), LOAD_API_KEY (the key locust sends, default the configured "secret"),
# JOBS (bulk pairs jobs submitted before the load and judged by the background worker meanwhile,
# default 0), JOB_PAIRS (pairs per job, default 50000), JOB_SAMPLE (results per job checked against
# a synchronous /compare, default 20), JOB_WAIT (1: wait for the jobs to finish before checking),
# RATE_LIMITS (default false: 51 users from one address measure throughput, not the per-client limit).
# Exits non-zero when any request failed, or when the server or locust did not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
BIN="$(dirname "$PYTHON")"
DURATION="${DURATION:-60s}"
USERS="${USERS:-51}"
SPAWN_RATE="${SPAWN_RATE:-10}"
WORKERS="${WORKERS:-2}"
OUT="${OUT:-${TMPDIR:-/tmp}/counterclaim-load-out}"
RESULTS="${RESULTS:-$ROOT/tests/load/results.md}"
PORT="${PORT:-$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
HOST="http://127.0.0.1:$PORT"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/counterclaim-load.XXXXXX")"
mkdir -p "$WORK/data" "$WORK/prometheus" "$OUT"
rm -f "$OUT"/locust_*.csv
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

echo "== gunicorn: $WORKERS workers on $HOST (store in $WORK/data)"
env COUNTERCLAIM_BIND="127.0.0.1:$PORT" \
    COUNTERCLAIM_WORKERS="$WORKERS" COUNTERCLAIM_KEEPALIVE="${KEEPALIVE:-75}" \
    COUNTERCLAIM_DATA_DIR="$WORK/data" \
    COUNTERCLAIM_LOAD_FIXTURES=true \
    COUNTERCLAIM_WRITE_KEYS='["load:secret"]' \
    COUNTERCLAIM_RATE_LIMIT_ENABLED="${RATE_LIMITS:-false}" \
    PROMETHEUS_MULTIPROC_DIR="$WORK/prometheus" \
    "$BIN/gunicorn" -c service/gunicorn_conf.py --no-control-socket service.wsgi:app \
    >"$OUT/gunicorn.log" 2>&1 &
SERVER_PID=$!

# Each worker loads the model and (the first) the fixtures: allow a few minutes on a busy machine.
ready=""
for _ in $(seq 1 360); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "gunicorn exited; its log:" >&2; tail -n 40 "$OUT/gunicorn.log" >&2; exit 2
    fi
    if "$PYTHON" - "$HOST" <<'EOF' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/api/v1/healthz", timeout=5) as response:
    assert json.load(response)["statements"] > 0
EOF
    then ready=1; break; fi
    sleep 1
done
[[ -n "$ready" ]] || { echo "gunicorn not ready after 6 minutes; its log:" >&2; tail -n 40 "$OUT/gunicorn.log" >&2; exit 2; }
# A few requests before measuring, so that the first ones are not counted.
for _ in $(seq 1 $((WORKERS * 4))); do
    "$PYTHON" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1] + '/api/v1/search?q=ceasefire', timeout=60).read()" "$HOST" || true
done
echo "== ready; locust: $USERS users, spawn rate $SPAWN_RATE/s, $DURATION"
if [[ "${JOBS:-0}" -gt 0 ]]; then
    echo "== submitting $JOBS bulk jobs of ${JOB_PAIRS:-50000} pairs (judged by the background worker during the load)"
    "$PYTHON" tests/load/jobs_during_load.py submit "$HOST" "${LOAD_API_KEY:-secret}" "$JOBS" "${JOB_PAIRS:-50000}" "$OUT/jobs.json"
fi

set +e
COUNTERCLAIM_API_KEY="${LOAD_API_KEY:-secret}" "$BIN/locust" -f tests/load/locustfile.py --host "$HOST" \
    --headless -u "$USERS" -r "$SPAWN_RATE" -t "$DURATION" --stop-timeout 30 \
    --csv "$OUT/locust" --only-summary --loglevel WARNING --exit-code-on-error 0 \
    >"$OUT/locust.log" 2>&1
LOCUST_RC=$?
set -e
[[ -f "$OUT/locust_stats.csv" ]] || { echo "locust wrote no results (rc $LOCUST_RC); its log:" >&2; tail -n 40 "$OUT/locust.log" >&2; exit 2; }

JOBS_RC=0
if [[ "${JOBS:-0}" -gt 0 ]]; then
    echo "== jobs after the load (JOB_WAIT=${JOB_WAIT:-0}: 1 waits for them to finish)"
    set +e
    "$PYTHON" tests/load/jobs_during_load.py check "$HOST" "${LOAD_API_KEY:-secret}" "$OUT/jobs.json" \
        "${JOB_SAMPLE:-20}" "${JOB_WAIT:-0}" | tee "$OUT/jobs.txt"
    JOBS_RC=${PIPESTATUS[0]}
    set -e
fi
SERVER_ERRORS="$(grep -c -e 'unhandled error' -e 'Traceback' "$OUT/gunicorn.log" || true)"
set +e
"$PYTHON" - "$OUT/locust_stats.csv" "$OUT/locust_failures.csv" "$RESULTS" "$DURATION" "$USERS" "$WORKERS" \
    "$SERVER_ERRORS" "$OUT/jobs.txt" "${JOBS:-0}" <<'EOF'
import csv, datetime, os, sys

stats_path, failures_path, results_path, duration, users, workers, server_errors, jobs_path, jobs = sys.argv[1:]
rows = list(csv.DictReader(open(stats_path)))
failures = list(csv.DictReader(open(failures_path))) if failures_path else []


def ms(value: str) -> str:
    return "-" if value in ("", "N/A") else f"{float(value):.0f}"


header = ["endpoint", "requests", "failures", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"]
table = []
for row in rows:
    name = "all" if row["Name"] == "Aggregated" else row["Name"]
    table.append([name, row["Request Count"], row["Failure Count"], f"{float(row['Requests/s']):.1f}",
                  ms(row["50%"]), ms(row["95%"]), ms(row["99%"]), ms(row["Max Response Time"])])
widths = [max(len(str(r[i])) for r in [header] + table) for i in range(len(header))]
line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
lines = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in table]
total = next((r for r in rows if r["Name"] == "Aggregated"), None)
shed = sum(int(f["Occurrences"]) for f in failures if "shed: 503" in f["Error"])
failed = (int(total["Failure Count"]) if total else 0) - shed
summary = [f"# Load test ({datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
           f"gunicorn gthread, {workers} workers on 127.0.0.1; locust {users} users (1 writer), {duration}; "
           f"tracebacks in the server log: {server_errors}; bulk jobs judged in the background meanwhile: {jobs}.",
           "", *lines]
reads = [r for r in rows if r["Name"].startswith("GET ")]
if reads:
    worst = max(reads, key=lambda r: float(r["99%"]))
    summary += ["", f"Reads (GET search, conflicts): worst p99 {ms(worst['99%'])} ms ({worst['Name']}). "
                f"Errors: {failed}; /compare requests shed with 503 + Retry-After (back-pressure, not errors): {shed}."]
if int(jobs) and os.path.exists(jobs_path):
    summary += ["", "## Bulk jobs", "", *[f"- {line}" for line in open(jobs_path).read().splitlines()]]
if failures:
    summary += ["", "## Failures", ""]
    summary += [f"- {f['Name']}: {f['Occurrences']} x {f['Error'][:300]}" for f in failures]
summary.append("")
text = "\n".join(summary)
print(text)
open(results_path, "w").write(text)
sys.exit(1 if failed or int(server_errors) else 0)
EOF
RC=$?
set -e
[[ $RC -eq 0 ]] && RC=$JOBS_RC
echo "== summary saved to $RESULTS (raw CSV and logs in $OUT)"
exit $RC
