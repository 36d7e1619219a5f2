"""What a reviewed pair becomes outside the service: schema.org ClaimReview (JSON-LD, the format
fact-checkers publish and search engines read) for a confirmed pair, and labelled rows for the
judge (``python -m service export-reviews``)."""
from __future__ import annotations

from datetime import datetime, timezone

# schema.org's author takes a Person or an Organization: a country speaks through its government; an
# actor of unknown kind is taken for a person (set the actor's kind to be exact).
SCHEMA_TYPES = {"person": "Person", "org": "Organization", "country": "Organization"}


def claim_review(pair: dict, kinds: dict[str, str | None], publisher: str) -> dict:
    """ClaimReview of claim A, for a pair an editor confirmed: the claim and its claimant, date and
    where it appeared; the verdict as the rating; claim B, which contradicts (or agrees with) it, as
    the evidence cited; the editor's note as the review's text."""
    review, a, b = pair["review"], pair["a"], pair["b"]
    rating = {"contradiction": f"Contradicted by {b['actor']}", "agreement": f"Supported by {b['actor']}"}.get(
        pair["label"], "No conflict found")
    document = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "datePublished": review["reviewed_at"][:10],
        "author": {"@type": "Organization", "name": publisher},
        "claimReviewed": a["text"],
        "itemReviewed": _claim(a, kinds),
        "reviewRating": {"@type": "Rating", "alternateName": rating},
        "citation": [_claim(b, kinds)],
    }
    if review.get("note"):
        document["reviewBody"] = review["note"]
    return document


def _claim(statement: dict, kinds: dict[str, str | None]) -> dict:
    claim = {"@type": "Claim", "text": statement["text"],
             "author": {"@type": SCHEMA_TYPES.get(kinds.get(statement["actor"]) or "", "Person"), "name": statement["actor"]}}
    if statement.get("date"):
        claim["datePublished"] = statement["date"]
    if statement.get("url") or statement.get("source"):
        appearance = {"@type": "CreativeWork"}
        if statement.get("url"):
            appearance["url"] = statement["url"]
        if statement.get("source"):
            appearance["name"] = statement["source"]
        claim["appearance"] = appearance
    return claim


def public_review(review: dict | None) -> dict | None:
    """A stored review as the API shows it (the verdict it was given on stays for the export)."""
    if review is None:
        return None
    reviewed_at = datetime.fromtimestamp(review["at"], tz=timezone.utc).isoformat(timespec="seconds")
    return {"status": review["status"], "note": review["note"], "who": review["who"], "reviewed_at": reviewed_at}


def review_row(review: dict) -> dict:
    """A review as labelled data for the judge: both texts, the verdict as judged, and the editor's
    label (``confirmed``: the verdict is right; ``dismissed``: it is wrong, so the gold label is
    "not" that verdict)."""
    verdict = review["verdict"]
    return {"a": verdict["a"]["text"], "b": verdict["b"]["text"], "a_id": review["a"], "b_id": review["b"],
            "verdict": verdict["label"], "score": verdict["score"], "review": review["status"],
            "gold": verdict["label"] if review["status"] == "confirmed" else f"not {verdict['label']}",
            "note": review["note"], "who": review["who"], "reviewed_at": public_review(review)["reviewed_at"]}
