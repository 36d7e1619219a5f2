"""What each claim is about: the things one claim names that the other never mentions."""
from __future__ import annotations

import pytest

from service.scoring.nouns import prefetch, things, unshared, unshared_things


def test_two_fuels_are_two_things():
    a = "The price of coffee in Marlow fell 5 percent in May."
    b = "The price of tea in Marlow rose 5 percent in May."
    assert unshared(a, b) == (["coffee"], ["tea"])
    assert unshared_things(a, b) == pytest.approx(1 / 3)


def test_the_same_things_said_differently_share_everything():
    # an opposite predicate of the same thing is what a contradiction is: no unshared thing
    assert unshared_things("The court upheld the ban on protests.", "The court struck down the ban on protests.") == 0.0
    # one form of a word meets another ("prisoners" / "prisoner", "Ukraine" / "Ukrainians")
    assert unshared("Two prisoners escaped from Dorn jail.", "One prisoner escaped from Dorn jail.") == ([], [])
    assert unshared("Ukraine agreed to the deal.", "Ukrainians rejected the deal.") == ([], [])


def test_amount_and_calendar_words_are_not_things():
    a = "Turnout in Velsa was 41 percent in March."
    b = "Turnout in Velsa was more than half in April."
    assert unshared(a, b) == ([], [])


def test_a_claim_naming_nothing_new_scores_zero_even_when_the_other_does():
    a = "Rail fares in Daskor rose 5 percent."
    b = "Rail fares for students and pensioners in Daskor rose 5 percent."
    only_a, only_b = unshared(a, b)
    assert only_a == [] and {"student", "pensioner"} <= set(only_b)
    assert unshared_things(a, b) == 0.0


def test_prefetch_tags_in_one_batch_what_things_reads_one_by_one():
    texts = ["The Ostra dam released water on Monday.", "Farmers near Ostra lost their wheat harvest."]
    prefetch(texts)
    assert [things(t)[0] for t in texts] == [frozenset({"ostra", "dam", "water"}), frozenset({"farmer", "ostra", "wheat", "harvest"})]
    assert {"farme", "lost", "lose"} <= things(texts[1])[1]
