"""Readable cues: unit-aware quantities, an accusation against its denial, antonymous predicates, opposed
positions on one proposal."""
from __future__ import annotations

import time

import pytest

from service.scoring.cues import (CUE_FEATURE_NAMES, amounts_alike, amounts_of_other_years, cue_features, denial_overlap,
                                  find_cues, opposed_positions, positions, quantities, quantity_comparison, same_measure)


def kinds(a, b):
    return {c.kind for c in find_cues(a, b)}


@pytest.mark.parametrize("a, b", [
    ("Turnout was 41 percent.", "More than half of voters turned out."),
    ("The fund holds 80 percent of the shares.", "The fund owns less than a third of the shares."),
    ("Seven in ten nurses walked out.", "Fewer than 30 percent of nurses walked out."),
    ("The new line is 12 kilometres long.", "The new line is under 2 miles long."),
    ("The plant will shed 3,000 jobs.", "The plant will cut no more than 400 jobs."),
    ("Fewer than 200,000 customers were affected.", "The leak held records on more than a million customers."),
    ("The heatwave lasted five days.", "The heatwave lasted more than a week."),
    ("The rain raised the river by 40 centimetres.", "The rain raised the river by more than a metre."),
    ("The thieves spent more than 20 minutes inside.", "The thieves were inside for 240 seconds."),
    ("The rise in the toll will be capped at 5 percent.", "Drivers will pay 11 percent more in tolls."),
    ("Seventy-five workers were laid off.", "The plant laid off 57 workers."),
    ("The water held 50 micrograms of bromate per litre.", "The water held 5 milligrams of bromate per litre."),
])
def test_number_clash_across_forms_and_units(a, b):
    clashes, matches = quantity_comparison(a, b)
    assert clashes and not matches
    assert "number" in kinds(a, b)


@pytest.mark.parametrize("a, b", [
    ("The wall is 5 kilometres long.", "The wall is about three miles long."),
    ("The shipment weighed 2,000 kilograms.", "The shipment weighed two tonnes."),
    ("Half of the staff are on leave.", "50 percent of the staff are on leave."),
    ("The turbines add 1,500 megawatts.", "The turbines add 1.5 gigawatts."),
    ("The fund lost a million euros.", "The fund lost 1,000,000 euros."),
    ("The fire has burned 18,000 hectares.", "The fire has burned 180 square kilometres."),
    ("A total of 400 MHz of spectrum was sold.", "Operators bought 0.4 GHz of spectrum."),
    ("Three quarters of the ballots were counted.", "75 percent of the ballots were counted."),
    ("The lake level dropped by 130 centimetres.", "The lake level fell 1.3 metres."),
    ("The reservoir released 120 million cubic metres of water.", "The reservoir released 0.12 cubic kilometres of water."),
    ("The flood wall is 3 metres high.", "The flood wall is about 10 feet high."),
    ("The heatwave lasted nine days.", "The heatwave lasted more than a week."),
    ("The data centre uses 1.2 million litres of water a day.", "The data centre uses more than a million litres of water a day."),
    ("At least 23 people died when the ferry capsized.", "Twenty-three people died when the ferry capsized."),
    ("Ninety staff walked out.", "90 staff walked out."),
    ("The blackout lasted 90 seconds.", "The blackout lasted a minute and a half."),
    ("The water held 50 micrograms of bromate per litre.", "The water held 0.05 milligrams of bromate per litre."),
    ("Each tablet contains 500 mg of the drug.", "Each tablet contains half a gram of the drug."),
    ("Each tablet contains 500mg of the drug.", "Each tablet contains half a gram of the drug."),
    ("The new road is 10km long.", "The new road is 10 kilometres long."),
    ("The fund lost $5m.", "The fund lost 5 million dollars."),
])
def test_same_amount_in_other_units_is_a_match_not_a_clash(a, b):
    clashes, matches = quantity_comparison(a, b)
    assert matches and not clashes
    assert "number" not in kinds(a, b)


def test_dates_and_years_are_not_amounts():
    assert quantities("The law took effect on 1 January 2026.") == ()
    assert quantities("Prices have risen since 2019.") == ()
    assert quantities("Losses over the 2024-25 winter were heavy.") == ()  # a span of years, not 25 of something
    assert [q.surface for q in quantities("In 2023/2024, 300 jobs went.")] == ["300"]


def test_a_comparator_before_the_article_of_a_fraction_bounds_it():
    clashes, matches = quantity_comparison("Milk prices have fallen 9 percent.", "Milk prices have dropped by nearly a tenth.")
    assert not clashes and [y.surface for _, y in matches] == ["a tenth"]
    assert [q.bound for q in quantities("Nearly a third of voters stayed home.")] == ["approx"]


def test_money_in_different_currencies_is_not_compared():
    # no exchange rate is known offline: neither a clash nor a match
    assert quantity_comparison("It cost $2 billion.", "It cost 1.5 billion pounds.") == ([], [])


def test_a_denied_amount_is_not_asserted():
    clashes, _ = quantity_comparison("The army will withdraw 3,000 troops.", "The army offered 800 troops, not 3,000.")
    assert [(x.surface, y.surface) for x, y in clashes] == [("3,000", "800")]


def test_accusation_against_its_denial():
    assert "denial" in kinds("The company dumped waste in the river.", "Reports of dumping are fabricated.")
    assert "denial" in kinds("The minister took bribes.", "The bribery story is a lie.")
    assert "denial" not in kinds("The company dumped waste.", "The company dumped waste at night.")


def test_antonymous_predicates():
    assert "antonym" in kinds("The refinery is shut.", "The refinery is still running.")
    assert "antonym" in kinds("The court upheld the ban.", "The court overturned the ban.")
    assert "antonym" in kinds("The court struck down the ban.", "The court upheld the ban.")
    assert "antonym" in kinds("The judges annulled the rule.", "The judges upheld the rule.")
    assert "antonym" in kinds("The clinic shut its doors in May.", "The clinic is still open.")
    assert "antonym" in kinds("The tariff complies with the trade pact.", "The tariff breaches the trade pact.")
    assert "antonym" in kinds("Orders for heat pumps rose in March.", "Heat pump orders dropped in March.")
    assert "antonym" in kinds("Waiting lists fell in October.", "Waiting lists went up in October.")
    assert "antonym" in kinds("The closure is only temporary.", "The plant is closed permanently.")
    assert "antonym" in kinds("The night bus will be kept in the new timetable.", "The night bus will be dropped from the new timetable.")
    assert "antonym" in kinds("The tribunal upheld the driver's appeal.", "The tribunal dismissed the driver's appeal.")
    assert "antonym" not in kinds("The judge upheld the ban.", "The judge was dismissive of the ban.")
    assert "antonym" in kinds("The ferry's safety licence was valid on the day of the sinking.", "The ferry's safety licence had expired in May.")
    assert "antonym" in kinds("The permit is still valid.", "The permit lapsed in March.")
    # "valid" is the word, not "validity" or "validated"; "valid until" names the day it expires
    assert "antonym" not in kinds("The court questioned the validity of the permit.", "The permit expired in March.")
    assert "antonym" not in kinds("The inspectors validated the permit.", "The permit lapsed in March.")
    assert "antonym" not in kinds("The fishing licence is valid until June 2027.", "The fishing licence expires in June 2027.")
    assert "antonym" not in kinds("The fishing licence is valid until June 2027.", "The fishing licence remains valid.")
    # a claim that holds both words of a pair is no clash with one that holds one of them
    assert "antonym" not in kinds("Imports rose as exports dropped.", "Exports dropped in May.")


def test_a_phrasal_verb_counts_as_the_word_it_means_and_is_shown_as_written():
    cues = find_cues("The ministry approved the loan guarantee.", "The ministry turned down the loan guarantee.")
    assert [(c.kind, c.a, c.b) for c in cues] == [("antonym", "approved", "turned down")]
    # the same verdict in other words is no clash
    assert "antonym" not in kinds("The ministry rejected the loan.", "The ministry turned down the loan.")


@pytest.mark.parametrize("text", ["It costs £", "$", "Prices rose to € and more"])
def test_a_currency_sign_with_no_amount_is_no_quantity(text):
    assert not quantities(text)


def test_a_claim_of_thousands_of_digits_is_judged_not_a_crash():
    long_number = "0" * 5000
    assert isinstance(find_cues(long_number, "The deal was signed in 2025."), list)
    assert isinstance(find_cues("Turnout was 41 percent in 2024.", "1" * 4999 + " people voted in 2024."), list)


@pytest.mark.parametrize("a, b, shared", [
    ("The plant will shed 3,000 jobs at the smelter.", "The plant will cut no more than 400 jobs at the smelter.", 2),
    ("Officials counted 120 confirmed measles cases.", "There are no more than 40 confirmed measles cases.", 3),
    ("The port will charge a 25 percent fee on containers.", "Turnout in the city vote was 41 percent.", 0),
    ("The Mirel Bank fund holds 80 percent of its bonds.", "Mirel Bank said 20 percent of staff will leave.", 0),
])
def test_same_measure_counts_what_two_clashing_amounts_share(a, b, shared):
    assert "number" in kinds(a, b)
    assert same_measure(a, b) == shared


def test_same_measure_is_zero_without_a_clash():
    assert same_measure("Turnout was 50 percent.", "Half of voters turned out.") == 0


def test_denial_overlap_is_high_when_the_denial_restates_the_claim():
    accusation = "Velor Mining dumped toxic waste into the Ashby river in May."
    denial = "Velor Mining never dumped waste into the Ashby river; the reports are lies."
    elsewhere = "Velor Mining is hiding nothing about its hiring of local workers."
    assert denial_overlap(accusation, denial) > 0.6
    assert denial_overlap(accusation, elsewhere) < 0.4
    assert denial_overlap(accusation, "Velor Mining dumped waste in the river.") == 0.0  # no denial: no overlap


@pytest.mark.parametrize("a, b, clash", [
    ("Police arrested 14 people outside the election office.", "Police arrested dozens of people outside the election office.", True),
    ("Police arrested 40 people outside the election office.", "Police arrested dozens of people outside the election office.", False),
    ("Only a handful of shops closed in the town.", "More than 300 shops closed in the town.", True),
    ("The flood displaced 250,000 people.", "The flood displaced hundreds of thousands of people.", False),
    ("The flood displaced 20,000 people.", "The flood displaced hundreds of thousands of people.", True),
    # concentrations in water across units
    ("The fluoride level will be 0.7 milligrams per litre.", "The fluoride level will be 0.7 parts per million.", False),
    ("Nitrate in the wells reached 50 mg/l.", "Nitrate in the wells reached 50 ppm.", False),
    ("Lead in the tap water was 12 micrograms per litre.", "Lead in the tap water was 12 parts per billion.", False),
    ("Nitrate in the wells reached 50 mg/l.", "Nitrate in the wells reached 80 ppm.", True),
    ("Fluoride is 0.7 ppm.", "Fluoride is 1.5 mg per litre.", True),
    # energy and power in words: the watt-hour family and kilowatts
    ("The battery stored 16 gigawatt-hours last winter.", "The battery stored 16,000 megawatt-hours last winter.", False),
    ("The battery stored 16 gigawatt-hours last winter.", "The battery stored 1,600 megawatt-hours last winter.", True),
    ("The farm makes 500 kilowatts.", "The farm makes half a megawatt.", False),
    ("The plant's 1 gigawatt reactor restarted.", "The plant's 1,000 MW reactor restarted.", False),
    ("The battery can store 400 megawatt hours.", "The battery, rated at 100 MW, can store 400 MWh.", False),
    ("The plant makes half a kilowatt.", "The plant makes 500 watts.", False),
    # parts of a unit: "two thirds of an hour", "a quarter of a mile"
    ("The outage lasted about 40 minutes.", "The outage lasted two thirds of an hour.", False),
    ("The outage lasted 15 minutes.", "The outage lasted three quarters of an hour.", True),
    ("The queue stretched a quarter of a mile.", "The queue stretched about 400 metres.", False),
    ("The herring stock is above a quarter of a million tonnes.", "The herring stock has fallen to 210,000 tonnes.", True),
    ("The flood displaced half a million people.", "The flood displaced 500,000 people.", False),
    ("The reservoir lost half a million cubic metres.", "The reservoir lost 500,000 cubic metres.", False),
    # a share of a count is that many: "half of 8,000" is 4,000, and still 8,000 in all
    ("Half of the 8,000 staff walked out.", "About 4,000 staff walked out.", False),
    ("40 percent of the 8,000 staff walked out.", "3,200 staff walked out.", False),
    ("Half of the 8,000 staff walked out.", "The firm employs 8,000 staff.", False),
    ("Half of the 8,000 staff walked out.", "6,000 staff walked out.", True),
    ("A third of the 5m residents left.", "About 1.7 million residents left.", False),
    # dozens in words: "a dozen" keeps the comparator before it, "half a dozen" is six
    ("The trust released more than a dozen beaver families.", "The trust released half a dozen beaver families.", True),
    ("The trust released six beaver families.", "The trust released half a dozen beaver families.", False),
    ("Two dozen flights were cancelled.", "24 flights were cancelled.", False),
    ("Police were called fewer than a dozen times.", "Police were called 30 times.", True),
    # an amount written alike in both (a label, a shared total) is set aside: the rest still clash
    ("The lab detected three atoms of element 127.", "The lab's data show at most one atom of element 127.", True),
    ("The plan closes seven of the city's 19 libraries.", "The plan closes 11 of the city's 19 libraries.", True),
    ("The plan closes seven of the city's 19 libraries.", "The plan closes seven of the city's 19 libraries.", False),
    # ... but only against amounts that count the same thing: other counts beside a shared one are no clash
    ("The storm killed 12 people in 3 states.", "12 people died in the storm, which left 40,000 homes without power.", False),
    ("Three people died and 12 were hurt.", "3 people died and 15 were hurt.", True),
    # dozens are round numbers
    ("Two dozen flights were cancelled.", "25 flights were cancelled.", False),
    # a share of a count behind a possessive name
    ("Half of Zelmirov's 8,000 residents have left.", "About 4,000 residents have left Zelmirov.", False),
    ("A third of Rennick District Hospital's 360 beds will go.", "The plan will cut 200 beds at Rennick District Hospital.", True),
    # counts per different units of time, compared per day; per the same unit, as written
    ("The machines sort 36,000 letters an hour.", "The machines can sort 600 letters a minute.", False),
    ("The checkpoint can process 2,400 lorries a day.", "The checkpoint has room for 100 lorries per hour.", False),
    ("The checkpoint can process 2,400 lorries a day.", "The checkpoint has room for 60 lorries an hour.", True),
    ("The machines sort 36,000 letters an hour.", "The machines sort 30,000 letters an hour.", True),
    # a count per a period against a plain count compares the numbers; a period of the action is no rate
    ("The ferry runs five sailings a day.", "The timetable cuts daily sailings from six to three.", True),
    ("About 900,000 people take the drug every day.", "0.9 million people take the drug.", False),
    # the review's checks: no share across a preposition; a share behind "the town's"; a time after an event is no rate
    ("Half of pupils at the city's 40 schools get free meals.", "The city has 20 schools.", True),
    ("Half of the town's 8,000 residents have left.", "About 4,000 residents have left the town.", False),
    ("Police had arrested 40 people a day after the riot.", "Police had arrested 40 people a week after the riot.", False),
    ("The firm cut 500 jobs a second time.", "The firm cut 500 jobs.", False),
    # a count out of a total is also its share of it
    ("About 400 of the 2,000 calls had a wrong answer.", "Fewer than 3 percent of the calls had a wrong answer.", True),
    ("Asbestos was found in 14 of the school's 40 classrooms.", "About a third of the school's classrooms hold asbestos.", False),
    ("Norovirus was in 9 of the 12 samples.", "Three quarters of the samples held norovirus.", False),
    ("Only 30 of its 40 stations reopened.", "Nine in ten stations reopened.", True),
    # ... written rounded: "13 of the 400" is "3 percent" of them; a lower bound's share runs up to the whole
    ("Police charged 13 of the 400 protesters.", "Police charged 3 percent of the protesters.", False),
    ("More than 400 of the 2,000 calls were wrong.", "A tenth of the calls were wrong.", True),
])
def test_amounts_without_a_number_or_in_other_units(a, b, clash):
    clashes, matches = quantity_comparison(a, b)
    assert bool(clashes) is clash and bool(matches) is not clash


@pytest.mark.parametrize("a, b", [
    ("The detour adds 90 minutes to the journey.", "Passengers lose an hour and a half on the detour."),
    ("Protests are banned within 500 metres of parliament.", "Protests are banned within half a kilometre of parliament."),
    ("The flood displaced 500,000 people.", "The flood displaced half a million people."),
    ("The repairs will take 60 hours.", "The repairs will take two and a half days."),
])
def test_halves_of_a_unit_in_words_are_amounts(a, b):
    clashes, matches = quantity_comparison(a, b)
    assert matches and not clashes


def test_a_share_of_a_year_or_of_an_amount_with_a_unit_is_no_count():
    assert [q.dimension for q in quantities("Two-thirds of the 2024 budget was spent.")] == ["%"]
    assert [q.dimension for q in quantities("Half of 40 km of track is closed.")] == ["%", "length"]
    assert [q.dimension for q in quantities("Half of the 180 square kilometres burned.")] == ["%", "area"]
    assert [q.dimension for q in quantities("Half of the 9 out of 10 doctors agreed.")] == ["%", "%"]
    # "the majority of" is more than half: no point amount to take a share of
    assert [q.dimension for q in quantities("The majority of the 8,000 staff voted.")] == ["%", "count"]
    # a count out of a larger plain count is a share too; not out of a smaller one, a year or an amount with a unit
    assert [q.dimension for q in quantities("12 of its 40 stations closed.")] == ["count", "%", "count"]
    assert [q.dimension for q in quantities("50 of the 40 stations closed.")] == ["count", "count"]
    assert [q.dimension for q in quantities("3 of 2024's 10 budgets failed.")] == ["count", "count"]
    assert [q.dimension for q in quantities("5 of the 12 km are closed.")] == ["count", "length"]
    # the review's checks: a total joined to what it qualifies is none; the end of a range takes no share
    assert [q.dimension for q in quantities("Two of the 18-year-olds were charged.")] == ["count", "count"]
    assert [q.dimension for q in quantities("5 of the 20-year-old reactors were shut.")] == ["count", "count"]
    assert [q.dimension for q in quantities("Half of the 20-year-old reactors were shut.")] == ["%", "count"]
    assert [q.dimension for q in quantities("Between 300 and 400 of the 2,000 calls were wrong.")] == ["count"] * 3


def test_an_amount_in_other_words_is_written_alike_for_nli_whichever_claim_comes_first():
    a = "The Court of Appeal reduced the fine to 900,000 crowns."
    b = "The court cut the fine to 0.9 million crowns, far too lenient a penalty."
    assert amounts_alike(a, b) == (a, "The court cut the fine to 900,000 crowns, far too lenient a penalty.")
    assert amounts_alike(b, a) == amounts_alike(a, b)[::-1]
    # a bound is not a point: "more than a million" must not become "1.2 million"
    bound = ("About 1.2 million customers were affected.", "More than a million customers were affected.")
    assert amounts_alike(*bound) == bound
    # a clash stays as written
    clash = ("Turnout was 41 percent.", "Turnout was three fifths.")
    assert amounts_alike(*clash) == clash


def test_a_share_behind_a_possessive_name_is_read_but_not_written_over_it():
    # the name would go with it: "Half of Zelmirov's 8,000" -> "4,000" drops Zelmirov from what NLI reads
    a, b = "Half of Zelmirov's 8,000 residents have left.", "About 4,000 residents have left Brelna."
    assert quantity_comparison(a, b)[1] and amounts_alike(a, b) == (a, b)
    # a rate against an amount with no period still has its number written alike
    assert amounts_alike("The plant makes 400 cars a day.", "The plant makes four hundred cars daily.")[1] == \
        "The plant makes 400 cars daily."


def test_every_amount_in_other_words_is_written_alike_not_only_the_first_of_its_dimension():
    # both claims state a 30 km/h speed first: that match must not hide the second length, stated in miles
    a = "Kellport's 30 km/h speed limit covers 180 kilometres of residential streets."
    b = "Kellport's 30 km/h speed limit applies to about 112 miles of residential streets."
    assert amounts_alike(a, b) == ("Kellport's 30 km/h speed limit covers 112 miles of residential streets.", b)
    assert amounts_alike(b, a) == amounts_alike(a, b)[::-1]
    # two different lengths stay as written
    clash = ("The 30 km/h limit covers 180 kilometres of streets.", "The 30 km/h limit covers 60 miles of streets.")
    assert amounts_alike(*clash) == clash


def test_a_change_in_one_word_or_a_share_of_every_unit_is_read_but_not_written_over():
    # the cues read them as amounts, yet another claim's wording cannot stand in for them in a sentence
    for pair in [("Rents doubled last year.", "Rents rose by 100 percent last year."),
                 ("The charity keeps 150 of every 1,000 euros.", "The charity keeps 15 percent.")]:
        assert quantity_comparison(*pair)[1]
        assert amounts_alike(*pair) == pair
    assert amounts_alike("Nine out of ten stayed.", "90 percent stayed.") == ("90 percent stayed.", "90 percent stayed.")


def test_concentrations_in_water_are_one_dimension_across_units():
    # mg per litre = ppm and micrograms per litre = ppb in water; the clashes and matches are among the cases above
    texts = ["0.7 milligrams per litre", "0.7 parts per million", "50 mg/l", "12 micrograms per litre", "12 ppb"]
    assert [(q.dimension, round(q.low / 0.98, 4)) for text in texts for q in quantities(text)] == [
        ("concentration", 0.7), ("concentration", 0.7), ("concentration", 50.0), ("concentration", 0.012),
        ("concentration", 0.012)]


@pytest.mark.parametrize("text, amounts", [
    ("Inmates are locked up for 22 hours a day.", ["22 hours"]),  # "a day" is a rate
    ("The summit ended after a day of talks.", []),
    ("The summit lasted less than a day.", ["a day"]),
])
def test_one_of_a_unit_is_an_amount_only_after_a_comparator(text, amounts):
    assert [q.surface for q in quantities(text)] == amounts


@pytest.mark.parametrize("a, b, clash", [
    ("She won the 400 metres in 3 minutes 58.21 seconds.", "Her winning time in the 400 metres was 238.6 seconds.", True),
    ("She won the 400 metres in 3 minutes 58.21 seconds.", "Her winning time in the 400 metres was 238.21 seconds.", False),
    ("The hearing lasted 1 hour and 40 minutes.", "The hearing lasted 100 minutes.", False),
    ("The hearing lasted 1 hour and 40 minutes.", "The hearing lasted two hours.", True),
    # decimals say how fine an amount is; a rounded one still matches it
    ("Inflation was 3.4 percent in May.", "Inflation was 3.5 percent in May.", True),
    ("Inflation was 3.4 percent in May.", "Inflation was 3 percent in May.", True),
    ("Turnout was 41.2 percent.", "Turnout was 41 percent.", False),
])
def test_durations_in_two_units_and_amounts_as_fine_as_their_decimals(a, b, clash):
    clashes, matches = quantity_comparison(a, b)
    assert bool(clashes) == clash
    assert clash or any(x.dimension in ("duration", "%") for x, _ in matches)


@pytest.mark.parametrize("a, b, clash", [
    # hundreds in words multiply ("two hundred" is one amount, not 2 and 100) and take the tens after them
    ("The essay ran to 1,200 words.", "The essay ran to twelve hundred words.", False),
    ("The plant cut two hundred jobs.", "The plant cut 200 jobs.", False),
    ("The plant cut two hundred jobs.", "The plant cut 900 jobs.", True),
    ("The hall seats one hundred and fifty people.", "The hall seats 150 people.", False),
    ("The hall seats a hundred and ten people.", "The hall seats 150 people.", True),
    ("Five hundred thousand people were evacuated.", "500,000 people were evacuated.", False),
    # nautical miles and speeds: knots, km/h written out or with a slash, mph
    ("The trawler was seized 18 nautical miles off the coast.", "The trawler was seized 33 kilometres off the coast.", False),
    ("The trawler was seized 18 nautical miles off the coast.", "The trawler was seized 18 miles off the coast.", True),
    ("The gust reached 140 kilometres per hour.", "The gust reached 76 knots.", False),
    ("The gust reached 90 km/h.", "The gust reached 56 mph.", False),
    ("The gust reached 90 km/h.", "The gust reached 90 knots.", True),
    ("Forty-one centimetres of snow fell in the town.", "About 16 inches of snow fell in the town.", False),
    ("Forty-one centimetres of snow fell in the town.", "About 6 inches of snow fell in the town.", True),
])
def test_hundreds_in_words_nautical_miles_and_speeds(a, b, clash):
    clashes, matches = quantity_comparison(a, b)
    assert bool(clashes) is clash and bool(matches) is not clash


@pytest.mark.parametrize("a, b, clash", [
    # "just over" / "just under" an amount stay near it: 90 percent is not "just over half"
    ("Broadband now reaches 88 percent of the valley's homes.", "Just over half of the valley's homes have broadband.", True),
    ("Broadband now reaches 54 percent of the valley's homes.", "Just over half of the valley's homes have broadband.", False),
    ("The levy will rise by 12 percent.", "The levy will rise by just under a fifth.", True),
    ("Turnout was 31 percent.", "Turnout was slightly less than a third.", False),
    ("The queue held just over 300 people.", "The queue held 650 people.", True),
    # "N of every M" is a share
    ("The charity keeps 150 of every 1,000 euros it raises.", "The charity keeps 15 percent of what it raises.", False),
    ("The charity keeps 150 of every 1,000 euros it raises.", "The charity keeps less than a tenth of what it raises.", True),
    ("One in every four nurses has left.", "A quarter of nurses have left.", False),
    # a change in one word is the percent it rises or falls by
    ("Rents in the district more than doubled last year.", "Rents in the district rose by 35 percent last year.", True),
    ("Rents in the district doubled last year.", "Rents in the district rose by 100 percent last year.", False),
    ("The subsidy was halved.", "The subsidy was cut by 30 percent.", True),
    ("The senator doubled down on the 40 percent figure.", "40 percent of the budget went to roads.", False),
    # hectolitres, and units joined to their number by a hyphen ("a 400-metre stretch")
    ("The quota is 52 hectolitres per hectare.", "The quota is 5,200 litres per hectare.", False),
    ("The quota is 52 hectolitres per hectare.", "The quota is 7,000 litres per hectare.", True),
    ("Traffic is banned on a 600-metre stretch of the quay.", "Traffic is banned on a 0.6-kilometre stretch of the quay.", False),
    ("The strike lasted a 36-hour stretch.", "The strike lasted a day and a half.", False),
    # nanograms
    ("The sample held 40 nanograms of the drug per millilitre.", "The sample held 0.04 micrograms of the drug per millilitre.", False),
    ("The sample held 0.04 micrograms of the drug per millilitre.", "The sample held below 5 nanograms of the drug per millilitre.", True),
    # an age is no duration, "doubled" no change where it is an idiom, and a round figure ("rose 95 percent")
    ("A 20-year-old man was jailed for 3 years.", "A man was jailed for 20 years.", True),
    ("The hall doubled as a shelter for 40 percent of residents.", "40 percent of residents sheltered in the hall.", False),
    ("The number of cases doubled.", "Cases rose 95 percent.", False),
    # a word in the singular after a number without a hyphen is no unit ("two year 10 pupils")
    ("Two year 10 pupils were excluded.", "Two pupils were excluded.", False),
    # a shared amount of a unit does not hide a clash of two others of it
    ("The boat was 1.8 kilograms below the 90-kilogram minimum.", "The boat was under the 90-kilogram minimum by less than half a kilogram.", True),
    # but counts, shares, durations and money beside a shared amount measure anything: compared as before
    ("Inflation hit 3 percent in May, with rents up 6 percent.", "Inflation hit 3 percent in May, and the bank held rates at 4 percent.", False),
    ("He was jailed for 3 years after a 2-week trial.", "He was jailed for 3 years and banned from driving for 5 years.", False),
    ("Rents doubled to 40 percent of income.", "Rents rose from 20 percent to 40 percent of income.", False),
])
def test_near_bounds_shares_of_every_changes_in_a_word_and_hyphenated_units(a, b, clash):
    clashes, matches = quantity_comparison(a, b)
    assert bool(clashes) is clash and bool(matches) is not clash


@pytest.mark.parametrize("a, b, clash", [
    ("The helpline answered 410,000 calls in 2025.", "The helpline answered 290,000 calls in 2023.", False),
    ("Poachers killed 23 rhinos in the park in 2024.", "Poachers killed 14 rhinos in the park in 2024.", True),
    ("Poachers killed 23 rhinos between 2019 and 2024.", "Poachers killed 14 rhinos in 2024.", True),
    ("Poachers killed 23 rhinos in 2024.", "Poachers killed 14 rhinos in the park.", True),
    # a range of years holds every year in it
    ("Poachers killed 23 rhinos between 2019 and 2024.", "Poachers killed 14 rhinos in 2023.", True),
    ("Poachers killed 23 rhinos between March 2019 and May 2024.", "Poachers killed 14 rhinos in 2021.", True),
    ("Poachers killed 23 rhinos in 2019-2024.", "Poachers killed 14 rhinos in 2020.", True),
    ("Poachers killed 23 rhinos between 2019 and 2022.", "Poachers killed 14 rhinos in 2023.", False),
])
def test_amounts_of_two_different_years_do_not_clash(a, b, clash):
    assert bool(quantity_comparison(a, b)[0]) is clash


@pytest.mark.parametrize("a, b, other_years", [
    ("The crematorium carried out more than 3,000 cremations in 2025.", "The crematorium carried out about 3,100 cremations in 2024.", True),
    ("The helpline answered 410,000 calls in 2025.", "The helpline answered 290,000 calls in 2025.", False),
    # a year on one side only, a range holding the other's year, or amounts on one side only
    ("The helpline answered 410,000 calls in 2025.", "The helpline answered 290,000 calls.", False),
    ("Poachers killed 23 rhinos between 2019 and 2024.", "Poachers killed 14 rhinos in 2023.", False),
    ("The plant opened in 2019.", "The plant will close in 2027 with the loss of 200 jobs.", False),
    # a year before a comma is a year, not an amount
    ("In 2024, the council closed the pool.", "The council closed the pool in 2022 after 40 years.", False),
])
def test_amounts_of_other_years(a, b, other_years):
    assert amounts_of_other_years(a, b) is other_years


def test_durations_apart_are_not_added():
    assert [q.surface for q in quantities("The march took 3 hours, and 20 minutes later the square was empty.")] == [
        "3 hours", "20 minutes"]


@pytest.mark.parametrize("a, b", [
    ("Norvia is willing to open its airspace to relief flights.", "Relief flights over Norvia are out of the question for the army."),
    ("The union is ready to resume talks on Monday.", "The union has no interest in further talks."),
    ("The council did not agree to sell the park.", "The council agreed to sell the park to a developer."),
    ("The board backs the merger.", "The merger must be blocked."),
    ("A toll is the only way to pay for the bridge.", "Drivers will never accept a toll on the bridge."),
    ("The ferry service should be kept.", "Keeping the ferry service is off the table."),
    ("The union is offering a two-year deal.", "A two-year deal is not an option for the board."),
    ("The mine should go ahead.", "The mine must not go ahead."),
    ("The army is willing to let monitors visit the front.", "No foreign monitors will be permitted at the front."),
    ("The union is prepared to let an arbitrator settle the dispute.", "The company will not let an outsider decide on pay."),
    ("Ostria is ready to take the border row to the tribunal.", "The border is not a matter for any foreign court."),
    ("The region offers to pay for electrifying the line.", "Overhead wires on the line would be a waste of money."),
    ("The town is ready to host the campus.", "The university has no intention of teaching in the town."),
    ("Residents will campaign for the flats to be refurbished.", "Refurbishing the flats is out of the question."),
    # an announced measure backs it: "will ban", "will introduce", "is going to press ahead with"
    ("The authority will ban the whip in flat races.", "Jockeys will not accept the whip ban."),
    ("The government will introduce a bill to try fraud cases without a jury.", "Removing juries from fraud trials is unacceptable."),
    ("The council is going to press ahead with the bypass.", "The bypass must be scrapped."),
    # any measure announced, or announced as not coming, and keeping things as they are
    ("The ministry will cap rents at 8 percent from May.", "A rent cap is unacceptable to landlords."),
    ("The museum will be shut to visitors from June.", "Shutting the museum is out of the question for the mayor."),
    ("The toll will be scrapped in 2027.", "The toll bridge operator will not scrap the toll."),
    ("Farmers should get compensation for the flooded fields.", "There will be no compensation for the flooded fields."),
    ("A public inquiry into the fire should be held.", "A public inquiry into the fire is not needed."),
    ("The harbour should be opened to cruise ships.", "The harbour will stay closed to cruise ships."),
    ("The government will lower the voting age to 16.", "The opposition will vote against lowering the voting age."),
    ("The mill workers are ready to buy the mill.", "The owners will not sell the mill to its workers."),
    # acting against the measure refuses it, beside a refusal or alone; a backing word that names the refused
    # proposal ("the mayor's offer") takes no side
    ("The government will extend military service to a year.", "A longer call-up is unacceptable, and the opposition will vote it down."),
    ("The operator will press ahead with robot cranes at the port.", "The dockers will strike to stop the automation of the port."),
    ("The town should host the waste store.", "The mayor's offer to host the waste store is unacceptable, and residents will fight it."),
    # ... but after "this" or "that", a pronoun or a relative, the backing word still takes a side
    ("This is the best way to save the ferry line.", "The ferry line must stay in public hands."),
    ("A buyer is the answer that should save the mill.", "Selling the mill is out of the question."),
    # any superlative of a way or remedy backs it
    ("A parking levy is the fairest way to pay for the buses.", "Drivers must not be charged a new levy for the buses."),
    ("Wind turbines on the moor are the fastest way to cut emissions.", "The moor is not up for discussion as a wind site."),
    ("A second count is the only fair remedy for the lost ballots.", "A second count is out of the question."),
    # asking to keep things as they are refuses the change; "is needed to" backs what it names
    ("Closing the ice arena for good is the only responsible choice.", "The town must keep its only ice rink."),
    ("The government proposes to ban greyhound racing.", "Greyhound racing should carry on under tougher welfare rules."),
    ("A fixed network charge on homes with solar panels is needed to cover the cost of the grid.",
     "A grid fee on homes with solar panels is out of the question."),
    # "will go ahead with" announces a measure; "must be ruled out" refuses; "the best use" backs; and (a guard:
    # it held before) a keeping ask beside "the only way to keep" something else, a means, not a side
    ("The council will go ahead with a badger cull this autumn.", "Culling the badgers must be ruled out."),
    ("Planting a forest on the old tip is the best use of the site.", "The old tip must remain a meadow."),
    ("Merging the two bands is the only way to keep brass music alive in the town.",
     "The Harbour Band must remain an independent band."),
    # "open to" before who may pass is the state kept, and "no X will be Y-ed" refuses like "nobody will"
    ("Closing the footbridge for good is the only safe option.", "The footbridge must stay open to walkers and cyclists."),
    # an ask to keep a thing against a claim that it will not be kept
    ("The clinic must stay open.", "The health trust will not keep the clinic open."),
    ("The ministry should hire a second icebreaker this winter.", "No extra icebreaker will be hired this winter."),
    # "needs a" backs what it names; "would be wrong" or "a mistake" refuses the proposal it is said of
    ("The harbour town needs a cap on holiday lets.", "A cap on holiday lets in the harbour town is unacceptable."),
    ("The housing trust supports a ban on scooters in its flats.", "Banning scooters from the trust's flats would be wrong."),
    ("The mayor wants a tram line to the airport.", "A tram line to the airport would be a mistake."),
    # "no" before an announcement denies it wherever the subject starts; "won't keep" refuses the keeping; users
    # after "open to" are a state only where the noun phrase ends with them
    ("The ministry should hire a second icebreaker this winter.", "Officials say no extra icebreaker will be hired this winter."),
    ("The clinic must stay open.", "The health trust won't keep the clinic open."),
    ("A public inquiry into the fire is out of the question.", "The minister is open to a public inquiry into the fire."),
    ("Closing the footbridge for good is the only safe option.", "The footbridge must stay open to local people."),
    # an asked removal is set aside only where the other claim backs the same verb ("will scrap", "to rule out"),
    # not where it names the word otherwise ("calls to scrap it", "scrapping it", "the ruling")
    ("The toll should be scrapped.", "The mayor backs the toll and dismissed calls to scrap it."),
    ("The toll should be scrapped.", "The government backs the toll, saying scrapping it would cost jobs."),
    ("Night flights should be ruled out.", "The airport will run night flights as the court's ruling allows."),
    # "can't keep up" is no keeping named: the ask to keep the ferry still refuses against a plan to replace it
    ("The ferry must stay in service.", "The council plans to replace the ferry, which can't keep up with demand."),
    # the review's checks: "agree more" unnegated still backs; a compound or a possessive after "open to" is no
    # user who may pass; "will not keep up" a subsidy refuses its keeping
    ("Both parties agree more buses are needed.", "More buses are out of the question."),
    ("The tram plan is unacceptable.", "The mayor said she couldn't agree more with the plan for a tram."),
    ("Traffic-calming measures are out of the question.", "The mayor is open to traffic-calming measures."),
    ("Residents' proposals for the square are out of the question.", "The mayor is open to residents' proposals for the square."),
    ("The subsidy must stay.", "The council will not keep up the subsidy."),
    # the wrong remedy, no need for it, a state here to stay; a proposal being made
    ("Voters should approve the cap on rent rises.", "A legal cap on rent rises is the wrong answer to the housing shortage."),
    ("An inquiry into the forecast must be set up.", "The government sees no need for an inquiry into the forecast."),
    ("The council will introduce permits for vape retailers.", "Vape retailers need no new permits."),
    ("The beavers in the river should be trapped and removed.", "The beavers in the river are here to stay."),
    ("The federation is proposing that the city share the games.", "The city will not share the games with any other city."),
    ("A cap on rent rises will be the wrong answer to the shortage.", "Voters should approve the cap on rent rises."),
    # a recommendation backs; a vote asked against it, or an ask that none of it be given, refuses
    ("The board recommends that shareholders approve the merger.", "Shareholders should vote down the merger."),
    ("Parliament should approve the loan to the airline.", "Parliament must vote against the airline's loan."),
    ("The operator wants to grow its taxi fleet.", "The city must issue no new licences for the taxi fleet."),
    ("The board recommends the merger.", "Planning officers recommended against the merger."),
    # "any plan to" names what is refused; a rule announced with "will make ... compulsory" backs it
    ("The government is ready to let private firms run driving tests.",
     "The examiners' union rejects any plan to let private firms run driving tests."),
    ("Skellanor will make ear tags compulsory for every sheep.", "Mandatory ear tagging of sheep will not be accepted by farmers."),
])
def test_a_proposal_backed_by_one_claim_and_refused_by_the_other(a, b):
    assert opposed_positions(a, b) and opposed_positions(b, a)
    assert "positions" in kinds(a, b)


@pytest.mark.parametrize("a, b", [
    ("The minister supports the plan.", "The mayor backs the plan."),
    ("The regulator rejected the bid.", "The court refused the appeal."),
    ("The union is ready to talk about pay but rejects any talk of job cuts.", "Management is ready to talk about pay."),
    ("Prices rose 4 percent in May.", "Prices fell in May."),
    ("There is no doubt the plan will be allowed.", "The council backs the plan."),
    ("The government will not introduce the bill.", "The opposition rejects the bill."),
    # a ban backs the ban, not what it bans: against a refusal of the banned thing it is no opposition
    ("The government will ban fracking.", "Campaigners oppose fracking."),
    # an announcement in doubt, on a condition, of nothing, or that nobody makes backs nothing
    ("It is not clear whether the council will ban cars from the centre.", "A car ban in the centre is unacceptable."),
    ("The police will ban the march unless the route changes.", "A ban on the march is unacceptable."),
    ("The government will introduce no new taxes.", "New taxes are unacceptable."),
    ("Nobody will introduce a curfew in the town.", "A curfew in the town is unacceptable."),
    # what is expected, not a measure decided: no position
    ("Prices will fall in April.", "The union rejects the pay offer."),
    ("The repairs will cost 2 million euros.", "The council refused to close the road."),
    ("Residents must keep their bins indoors.", "Residents should keep their bins indoors."),
    # two claims that both ask to keep a thing as it is, or one asks and the other has agreed to keep it
    ("The foundry must be kept open as a working foundry.", "The foundry premises must remain a working bell foundry."),
    ("The clinic must stay open.", "The health trust has agreed to keep the clinic open at weekends."),
    ("The clinic must stay open.", "The health trust plans to keep the clinic open."),
    # two ways of saying that nobody will do it
    ("No swans will be moved from the lake.", "Nobody will move the swans from the lake."),
    # a superlative of a person's chances describes, it backs no proposal
    ("Ilse Varn is the best hope for a medal in the sprint.", "Ilse Varn will not be allowed to race in the sprint."),
    # a refusal however its subject opens, against a refusal of the same thing
    ("Under the deal no factory jobs will be cut.", "The union opposes job cuts at the factory."),
    ('"No feral pigeons will be shot," the mayor said.', "Shooting the pigeons is unacceptable."),
    # an ask that a thing be removed sides with a claim that backs its removal in the same verb
    ("The toll should be scrapped.", "The government will scrap the toll."),
    ("The toll should be scrapped.", "The government wants to scrap the toll."),
    # keeping it and more, or stopping something else, is no refusal of the keeping
    ("The clinic must stay open.", "The health trust will not only keep the clinic open but extend its hours."),
    ("The pool must stay open.", "The council must not continue with the sale of the pool."),
    # "would be wrong not to" backs; a place open to its users is a state
    ("The council should build the bridge.", "It would be wrong not to build the bridge."),
    ("Closing the old chapel is out of the question.", "The old chapel remains open to worshippers during the works."),
    # a place open to its users, whatever follows them ("this summer", "24 hours a day", a dash or a quote)
    ("Closing the pier is out of the question.", "The pier remains open to the public this summer."),
    ("Closing the pier is out of the question.", "The pier remains open to walkers 24 hours a day."),
    ("Closing the pier is out of the question.", "The pier stays open to visitors - for now, the trust says."),
    # the same removal backed in its participle, or with the verb split ("will rule it out")
    ("The toll should be scrapped.", "The minister wants the toll scrapped."),
    ("A new runway should be ruled out.", "The minister will rule it out."),
    # "no choice" or "no time" before an announced measure denies nothing
    ("The council has no choice and will close the pool in May.", "The council will close the pool in May."),
    # "couldn't agree more" backs what it agrees with, as the other claim does
    ("The mayor said she couldn't agree more with the plan for a tram.", "The council backs the plan for a tram."),
    # a right answer or a need backs: only "the wrong answer" and "no need" refuse
    ("A cap on rent rises is the right answer to the shortage.", "Voters should approve the cap on rent rises."),
    ("The city needs a new stadium.", "The council will build a new stadium."),
    # idioms of the same words that refuse nothing: a trend here to stay, a person who needs no introduction, a sign
    # the wrong way round, no need to worry
    ("Inflation is here to stay, the central bank warned.", "The central bank will raise rates in June."),
    ("The singer needs no introduction.", "The singer will tour Europe in May."),
    ("The sign on the bridge is the wrong way round.", "The council will replace the sign on the bridge."),
    ("The ministry sees no need to worry about the water supply.", "The utility will test the water supply."),
    # "must ... no" of a bound or a doubt refuses nothing
    ("The council must make no more than two cuts to the bus routes.", "The council will cut two bus routes."),
    ("Voters should have no doubt about the new bridge.", "The council will build the new bridge."),
    # the review's checks: idioms of "must / should <verb> no", a vote to do something, a recommendation against
    ("The government should waste no time in approving the dam.", "The government will approve the dam."),
    ("The club must take no risks with its star striker.", "The club will sell its star striker."),
    ("The council should pay no attention to the petition for a new school.", "The council will build a new school."),
    ("The trust must spare no expense on the new hospital.", "The trust will build the new hospital."),
    ("The council should vote to tear down the old pier.", "The council will tear down the old pier."),
    ("Planning officers recommended against approval of the tower.", "The tower should be blocked."),
    ("The board recommended rejecting the bid.", "Shareholders should vote down the bid."),
    # the review's checks of "will make ... compulsory": a remark about a rule, a rule in doubt or on a condition, an
    # adjective before a noun, "illegal" (a ban, read apart) back nothing
    ("She will make sure vaccination is never compulsory.", "Compulsory vaccination is unacceptable."),
    ("The minister will make the point that masks are not mandatory.", "Mandatory masks are unacceptable."),
    ("The government will make a decision on whether masks are compulsory.", "Mandatory masks are unacceptable."),
    ("It is unclear whether the council will make ear tags compulsory.", "Mandatory ear tags are unacceptable."),
    ("The council will make ear tags compulsory unless farmers object.", "Mandatory ear tags are unacceptable."),
    ("The ferry will make a mandatory stop at Skellanor.", "A stop at Skellanor is unacceptable."),
    ("The government will make it illegal to sell energy drinks to children.",
     "Supermarkets refuse to sell energy drinks to children."),
])
def test_no_opposed_positions_where_both_sides_agree_or_a_claim_takes_both(a, b):
    assert opposed_positions(a, b) is None
    assert "positions" not in kinds(a, b)


@pytest.mark.parametrize("text, refusing", [
    ("The council's plans to close the library are unacceptable.", ("unacceptable",)),
    ("The offer to sell the park is out of the question.", ("out of the question",)),
    ("Their demand for a pay rise was rejected.", ("rejected",)),
    # the subject of a refusal names what is refused, backing words and all
    ("Renewing state support for the Harlow smelter is out of the question.", ("out of the question",)),
    ("Offers to buy the Dunmere club are not up for discussion.", ("not up for discussion",)),
    ("Extending support to the Harlow smelter would be simply unacceptable.", ("unacceptable",)),
    ("Closing the depot is unacceptable and renewing support for it is off the table.",
     ("unacceptable", "off the table")),
])
def test_a_backing_word_that_names_the_refused_proposal_takes_no_side(text, refusing):
    assert positions(text) == ((), refusing)


@pytest.mark.parametrize("text, backing, refusing", [
    ("The union is ready to talk, but closing the depot is unacceptable.", ("ready to",), ("unacceptable",)),
    ("The union is ready to talk but closing the depot is unacceptable.", ("ready to",), ("unacceptable",)),
    ("The union backs the strike because pay cuts are unacceptable.", ("backs",), ("unacceptable",)),
    ("The council supports the plan since delay is not an option.", ("supports",), ("not an option",)),
    ("Ministers want a deal so walking away is off the table.", ("want",), ("off the table",)),
])
def test_a_backing_word_outside_the_refused_subject_still_backs(text, backing, refusing):
    assert positions(text) == (backing, refusing)


def test_reading_refused_subjects_stays_linear_on_long_texts():
    text = "Renewing support for the depot is off the table, and the union backs the strike. " * 800
    started = time.perf_counter()
    backing, refusing = positions(text)
    assert time.perf_counter() - started < 2.0
    assert len(backing) == len(refusing) == 800


def test_a_backing_word_under_a_negation_or_inside_a_refusal_refuses():
    assert positions("Kestria is not ready for a deal.") == ((), ("not ready for",))
    assert positions("The merger must be blocked.") == ((), ("must be blocked",))
    assert positions("The merger must go ahead.") == (("must",), ())
    # "no more than", "no fewer than" bound an amount: the announcement is made, not denied
    assert positions("No fewer than 40 will be demolished.") == (("will be demolished",), ())
    # "no" opening a subject denies the announcement; "no" inside the subject does not
    assert positions("No more branches will be closed this year.") == ((), ("will be closed",))
    assert positions("The council said no extra vessel will be hired.") == ((), ("will be hired",))
    assert positions("Homes with no private garden will receive a free compost bin.") == (("will receive",), ())
    assert positions("Homes with no garden will receive a free compost bin.") == (("will receive",), ())
    # "will go ahead" alone says what happens; "will go ahead with" announces a measure
    assert positions("The festival will go ahead as planned.") == ((), ())
    assert positions("The toll should be scrapped.") == ((), ("should be scrapped",))
    # "open to" before who may pass is a state; before a proposal it takes a side
    assert positions("The bridge stayed open to lorries throughout.") == ((), ())
    assert positions("The minister remains open to a compromise deal.") == (("open to",), ())
    assert positions("Thirty jobs will be lost when the foundry closes.") == ((), ())
    # only a conditional "would be wrong" refuses a proposal; "the charge is wrong" denies a claim
    assert positions("The agency's charge against the steelworks is wrong.") == ((), ())
    # "with no" however long the noun between it and the backing word, and "no choice" or "in no time", deny nothing
    assert positions("Commuters with no alternatives want the rail line reopened.") == (("want",), ())
    assert positions("The council has no choice and will close the pool.") == (("will close",), ())
    assert positions("In no time the council will rebuild the pier.") == (("will rebuild",), ())



@pytest.mark.parametrize("a, b", [
    ("Reactor 2 was shut down on 3 March.", "Reactor 2 is still running at reduced power."),
    ("The regulator revoked the lending licence.", "The lending licence remains valid during the appeal."),
    ("Work on the stadium was halted in January.", "Work on the stadium has never stopped."),
])
def test_a_state_said_to_last_against_a_claim_that_does_not_say_so(a, b):
    cues = [c for c in find_cues(a, b) if c.kind == "persistence"]
    assert cues and cues[0].a == "" and cues[0].b in b.lower()
    assert cue_features(a, b)[CUE_FEATURE_NAMES.index("persistence")] == 1.0


def test_no_persistence_cue_where_both_claims_say_a_state_lasts_or_neither_does():
    assert "persistence" not in kinds("The plant is still open.", "The plant still employs 200 people.")
    assert "persistence" not in kinds("The plant closed in May.", "The plant shut its doors in May.")
