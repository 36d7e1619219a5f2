"""The search page in a real headless Chromium (Debian's, driven by Playwright)."""
from __future__ import annotations

import json
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from service import create_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
    pytest.skip("Debian chromium is not installed (.ci/run installs it)", allow_module_level=True)


@pytest.fixture
def server(loaded_engine, loaded_config):
    app = create_app(loaded_config, engine=loaded_engine)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", loaded_engine
    httpd.shutdown()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        yield page
        browser.close()


def test_founding_query_shows_trump_zelensky_pair(server, page):
    url, _ = server
    page.goto(url + "/")
    page.fill("input[name=q]", "ceasefire")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("section.pair")
    pairs = page.locator("section.pair[data-label=contradiction]")
    texts = [pairs.nth(i).inner_text() for i in range(pairs.count())]
    founding = [t for t in texts if "Energy and Infrastructure" in t and "agreed" in t and "a full ceasefire" in t]
    assert founding, texts
    assert "Donald Trump" in founding[0] and "Volodymyr Zelensky" in founding[0]
    marked = page.locator("section.pair mark").all_inner_texts()
    assert any(word.lower().startswith(("agreed", "reject")) for word in marked)


def test_actor_filter(server, page):
    url, _ = server
    page.goto(url + "/?q=ceasefire")
    page.select_option("select[name=actor]", "Keir Starmer")
    page.click("button[type=submit]")
    page.wait_for_selector("#summary")
    for text in page.locator("section.pair").all_inner_texts():
        assert "Keir Starmer" in text


def test_a_journalists_walk_search_filter_page_open_confirm_and_export(server, page, tmp_path):
    """Search, filter to contradictions scored 0.7 or more, page through, open where a claim was said,
    confirm a pair and export its ClaimReview; every step by keyboard or click as a reader would, with
    a screenshot of each (printed paths)."""
    url, _ = server
    shots = []

    def shot(name):
        shots.append(tmp_path / f"{len(shots) + 1:02d}-{name}.png")
        page.screenshot(path=str(shots[-1]), full_page=True)

    page.goto(url + "/")
    # a reader can type at once: the search box takes the focus (autofocus lands just after the load event on
    # a busy machine, so wait for it, up to the default 30 s, rather than read it the instant the page loads)
    page.wait_for_function("document.activeElement && document.activeElement.name === 'q'")
    page.keyboard.type("ceasefire")
    page.keyboard.press("Enter")
    page.wait_for_selector("section.pair")
    shot("search")
    page.select_option("select[name=label]", "contradiction")
    page.fill("input[name=min_score]", "0.7")
    page.click("button[type=submit]")
    page.wait_for_selector("#summary")
    shot("contradictions-0.7")
    strong = page.locator("section.pair")
    assert strong.count() > 0
    for i in range(strong.count()):
        assert strong.nth(i).get_attribute("data-label") == "contradiction"
        assert float(strong.nth(i).get_attribute("data-score")) >= 0.7
    page.goto(url + "/?q=Ukraine&order=relevance")
    page.click("a[rel=next]")
    page.wait_for_selector("#summary")
    assert "page 2 of" in page.inner_text("#summary")
    shot("page-2")
    page.click("a[rel=prev]")
    page.wait_for_selector("#summary")
    page.click("section.pair a.in-article >> nth=0")
    page.wait_for_selector("mark.chosen")
    assert page.locator("mark.chosen").inner_text().strip()
    shot("article")
    page.goto(url + "/?q=ceasefire&label=contradiction&min_score=0.7")
    first = page.locator("section.pair").first
    pair_ids = first.locator("code").all_inner_texts()
    first.locator("input[name=note]").fill("Both statements checked against the sources.")
    with page.expect_response(lambda r: "/review" in r.url) as answer:
        first.locator("button[value=confirmed]").click()
    assert answer.value.status == 303, (answer.value.status, answer.value.text()[:300])
    page.wait_for_selector("span.badge-confirmed")
    confirmed = page.locator("section.pair", has=page.locator("span.badge-confirmed"))
    assert confirmed.locator("code").all_inner_texts() == pair_ids
    shot("confirmed")
    confirmed.locator("a.claimreview").click()
    claim_review = json.loads(page.inner_text("body"))
    assert claim_review["@type"] == "ClaimReview" and claim_review["reviewBody"].startswith("Both statements")
    shot("claimreview")
    unnamed = page.goto(url + "/?q=ceasefire") and page.evaluate("""() => [...document.querySelectorAll('input, select, button')]
        .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                     && !(e.tagName === 'BUTTON' && e.textContent.trim())).map(e => e.name)""")
    assert unnamed == []  # every control has an accessible name
    print("screenshots:", *shots, sep="\n  ")


def test_every_page_passes_the_axe_core_accessibility_check(server, page):
    from axe_playwright_python.sync_playwright import Axe

    url, engine = server
    document = next(engine.storage.iter_documents())
    statement_id = engine.document(document["id"])["statements"][0]["id"]
    problems = {}
    for path in ["/", "/?q=ceasefire", "/?q=football", "/how-it-works", f"/articles/{document['id']}?claim={statement_id}"]:
        page.goto(url + path)
        violations = Axe().run(page).response["violations"]
        if violations:
            problems[path] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert problems == {}


def test_hostile_statement_is_shown_as_text_and_never_runs(server, page):  # last: it writes to the store
    url, engine = server
    hostile = ["<script>window.__pwned = 1</script> ceasefire was rejected",
               "<img src=x onerror=\"window.__pwned = 2\"> ceasefire was agreed"]
    engine.ingest([{"actor": "Mallory", "text": hostile[0], "source": "<b>x</b>"},
                   {"actor": "<i>Eve</i>", "text": hostile[1], "source": "y"}])
    dialogs = []
    page.on("dialog", lambda d: dialogs.append(d.message))
    page.goto(url + "/?q=" + "ceasefire rejected script")
    body = page.inner_text("body")
    assert "<script>window.__pwned = 1</script>" in body
    assert page.evaluate("window.__pwned") is None and not dialogs
    assert page.locator("section.pair script, section.pair img").count() == 0
    response = page.request.get(url + "/?q=ceasefire")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
