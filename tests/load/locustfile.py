"""Load test of the Counterclaim API (locust): readers plus one continuous writer.

``ReaderUser`` (the many): topic search, topic conflicts and small bulk compares, on topics from
the fixtures' vocabulary. ``WriterUser`` (exactly one, ``fixed_count``): ingests new statements
continuously, each with a unique text, so that every write embeds, scores and stores.

Writes need a key when the server has WRITE_KEYS: ``COUNTERCLAIM_API_KEY`` is sent as
``Authorization: Bearer <key>`` by both classes (a write key may also read).

    locust -f tests/load/locustfile.py --host http://127.0.0.1:8000 --headless -u 51 -r 10 -t 60s

``tests/load/run_load.sh`` starts gunicorn, runs this and summarises the results.
"""
from __future__ import annotations

import itertools
import os
import random
import uuid

from locust import HttpUser, between, constant_pacing, task

API = "/api/v1"

TOPICS = [
    "ceasefire", "energy infrastructure", "rare earths", "peacekeepers", "tariffs", "NATO spending",
    "interest rates", "migration", "nuclear plant", "defence spending", "egg prices", "peace talks",
    "minerals deal", "troops in Ukraine", "military aid", "sanctions", "truce", "power plants",
]
ACTORS = ["Donald Trump", "Volodymyr Zelensky", "Vladimir Putin", "Keir Starmer", "Emmanuel Macron"]
CLAIMS = [
    "Russia agreed to a full ceasefire.",
    "Putin rejected a full ceasefire.",
    "Ukraine agreed to give the United States rare earths worth 500 billion dollars.",
    "Ukraine did not agree to hand over 500 billion dollars of minerals.",
    "European peacekeepers will be deployed in Ukraine.",
    "Russia will never accept European troops in Ukraine.",
    "Energy infrastructure attacks will stop immediately.",
    "Attacks on power plants continued overnight.",
    "Tariffs on European goods will rise to 25 percent.",
    "There will be no new tariffs on European goods this year.",
    "NATO members must spend five percent of GDP on defence.",
    "Britain will raise defence spending to 2.5 percent of GDP.",
    "Interest rates will be cut this spring.",
    "The central bank will keep interest rates unchanged.",
    "Migration across the Channel fell sharply this year.",
    "Egg prices are coming down fast.",
    "Egg prices hit a record high.",
    "The Zaporizhzhia nuclear plant belongs to Ukraine.",
]

SHED = "shed: 503 judging busy (Retry-After)"
READ_NAME = {"search": f"GET {API}/search", "conflicts": f"GET {API}/conflicts",
             "compare_claims": f"POST {API}/compare (claims)", "compare_pairs": f"POST {API}/compare (pairs)",
             "statements": f"POST {API}/statements"}


def auth_headers() -> dict:
    key = os.environ.get("COUNTERCLAIM_API_KEY", "").strip()
    return {"Authorization": f"Bearer {key}"} if key else {}


class ReaderUser(HttpUser):
    """Reads: search and topic conflicts on fixture topics, bulk compare of 5-10 claims or pairs."""

    weight = 1
    wait_time = between(0.5, 2.0)

    def on_start(self):
        self.client.headers.update(auth_headers())

    @task(4)
    def search(self):
        params = {"q": random.choice(TOPICS), "k": random.choice([5, 10, 20])}
        if random.random() < 0.2:
            params["actor"] = random.choice(ACTORS)
        self.client.get(f"{API}/search", params=params, name=READ_NAME["search"])

    @task(4)
    def conflicts(self):
        params = {"q": random.choice(TOPICS), "limit": random.choice([10, 20, 50])}
        if random.random() < 0.3:
            params["label"] = "contradiction"
        self.client.get(f"{API}/conflicts", params=params, name=READ_NAME["conflicts"])

    @task(1)
    def compare_claims(self):
        claims = [{"text": text, "actor": random.choice(ACTORS)}
                  for text in random.sample(CLAIMS, random.randint(5, 10))]
        self._compare({"claims": claims, "k": 5}, READ_NAME["compare_claims"])

    @task(1)
    def compare_pairs(self):
        pairs = [{"a": a, "b": b} for a, b in (random.sample(CLAIMS, 2) for _ in range(random.randint(5, 10)))]
        self._compare({"pairs": pairs}, READ_NAME["compare_pairs"])

    def _compare(self, body: dict, name: str) -> None:
        """A 503 with Retry-After is the server shedding judging it has no slot for (back-pressure):
        a failure, but one the summary counts apart from errors."""
        with self.client.post(f"{API}/compare", json=body, name=name, catch_response=True) as response:
            if response.status_code == 503 and "Retry-After" in response.headers:
                response.failure(SHED)


class WriterUser(HttpUser):
    """Exactly one: ingests a new statement (unique text) about once a second, for as long as the run lasts."""

    fixed_count = 1
    wait_time = constant_pacing(1.0)
    counter = itertools.count(1)

    def on_start(self):
        self.client.headers.update(auth_headers())
        self.run_id = uuid.uuid4().hex[:8]

    @task
    def ingest(self):
        n = next(self.counter)
        topic = random.choice(TOPICS)
        statement = {
            "actor": random.choice(ACTORS),
            "text": f"{random.choice(CLAIMS)[:-1]}, and on {topic} there is no change (load {self.run_id} #{n}).",
            "source": f"load test {self.run_id}",
            "date": f"2025-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}",
        }
        with self.client.post(f"{API}/statements", json=statement, name=READ_NAME["statements"],
                              catch_response=True) as response:
            if response.status_code == 201 and response.json().get("created") != 1:
                response.failure(f"not created: {response.text[:200]}")
