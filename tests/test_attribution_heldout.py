"""Attribution on an article the extractor was never tuned on (fixtures/heldout/).

Its gold was written before the first run; the figures are reported, with a floor that only
guards against a regression, not a tuned target.
"""
from __future__ import annotations

from service.actors import ActorRegistry
from service.evaluation import evaluate_attribution_files

from .conftest import FIXTURES


def test_heldout_attribution_figures():
    report = evaluate_attribution_files(FIXTURES / "heldout", ActorRegistry.from_file(FIXTURES / "actors.json"))
    pooled = report["all"]
    print(f"\n[held-out attribution] precision {pooled['precision']:.3f} recall {pooled['recall']:.3f} "
          f"(tp {pooled['tp']}, fp {pooled['fp']}, fn {pooled['fn']})")
    assert pooled["tp"] + pooled["fn"] >= 7  # its eighth line quoted a claim under MIN_CONTENT_WORDS
    assert pooled["precision"] >= 0.75 and pooled["recall"] >= 0.75
