"""`e`: the name, figure, actor or attribution phrase around the cursor, on sentences shaped like wire copy (written for
these tests), with the cases where it must grow and where it must not."""

from __future__ import annotations

import pytest

from annotator.core.phrases import grow_phrase, phrase_around
from annotator.core.tokens import tokenize


def phrase(sentence: str, word: str, nth: int = 0) -> str:
    """The phrase `e` selects with the cursor on the `nth` token whose text is `word`."""
    tokens = tokenize(sentence)
    index = [token.id for token in tokens if token.text == word][nth]
    first, last = phrase_around(tokens, index)
    return sentence[tokens[first].start:tokens[last].end]


NAMES_ACROSS_PARTICLES = [
    ("The Islamic Resistance in Iraq claimed the drone attack on Tower 22.", "Resistance",
     "Islamic Resistance in Iraq"),
    ("The Islamic Resistance in Iraq claimed the drone attack on Tower 22.", "Iraq", "Islamic Resistance in Iraq"),
    ("The Islamic Resistance in Iraq claimed the drone attack on Tower 22.", "in", "Islamic Resistance in Iraq"),
    ("A statement signed by Al-Muqawama al-Islamiyah fi al-Iraq was posted online.", "Al-Muqawama",
     "Al-Muqawama al-Islamiyah fi al-Iraq"),
    ("A statement signed by Al-Muqawama al-Islamiyah fi al-Iraq was posted online.", "al-Iraq",
     "Al-Muqawama al-Islamiyah fi al-Iraq"),
    ("A statement signed by Al-Muqawama al-Islamiyah fi al-Iraq was posted online.", "fi",
     "Al-Muqawama al-Islamiyah fi al-Iraq"),
    ("Militants loyal to Al-Qaeda in Iraq regrouped near the border.", "Al-Qaeda", "Al-Qaeda in Iraq"),
    ("Shelling resumed near Deir el-Zour overnight.", "Deir", "Deir el-Zour"),
    ("Shelling resumed near Deir el-Zour overnight.", "el-Zour", "Deir el-Zour"),
    ("Forces loyal to Bashar al-Assad pushed east.", "Bashar", "Bashar al-Assad"),
    ("The raid that killed Osama bin Laden took 40 minutes.", "Osama", "Osama bin Laden"),
    ("The raid that killed Osama bin Laden took 40 minutes.", "Laden", "Osama bin Laden"),
    ("Hamza ibn Ali was named as the new commander.", "Hamza", "Hamza ibn Ali"),
    ("Officials in Ar-Raqqa said the market reopened.", "Ar-Raqqa", "Ar-Raqqa"),
    ("Fighting spread to ar-Raqqa province on Monday.", "ar-Raqqa", "ar-Raqqa"),
    ("Ursula von der Leyen spoke in Brussels.", "Ursula", "Ursula von der Leyen"),
    ("The Bank of England held rates.", "Bank", "Bank of England"),
    ("In Syria, the Islamic Revolutionary Guard Corps said at least 18 died.", "Guard",
     "Islamic Revolutionary Guard Corps"),
    ("Iran's Quds Force trains the groups.", "Quds", "Quds Force"),
    ("Ali al-Sistani urged calm.", "al-Sistani", "Ali al-Sistani"),
    ("The 4th Armoured Division moved north.", "4th", "4th Armoured Division"),
    ("The 4th Armoured Division moved north.", "Division", "4th Armoured Division"),
]

NAMES_THAT_STOP = [
    # a sentence-level "in" before a lower-case word
    ("The Islamic Resistance in southern Iraq claimed it.", "Resistance", "Islamic Resistance"),
    ("The Islamic Resistance in eastern Syria denied it.", "Syria", "Syria"),
    # a group and a place, not one name
    ("Hezbollah in Lebanon fired rockets at dawn.", "Hezbollah", "Hezbollah"),
    ("Hezbollah in Lebanon fired rockets at dawn.", "Lebanon", "Lebanon"),
    ("The Popular Mobilization Forces in Iraq issued a statement.", "Forces", "Popular Mobilization Forces"),
    ("US bombers struck targets in Iraq and Syria.", "Iraq", "Iraq"),
    ("Iran in Syria has kept a low profile.", "Iran", "Iran"),
    # a word capitalised only because it starts the sentence
    ("In Syria the fighting went on.", "Syria", "Syria"),
    ("In Syria the fighting went on.", "In", "In"),
    ("The ministry denied any involvement.", "The", "The"),
    # "of" before a lower-case word ends the name
    ("The Ministry of defence officials met.", "Ministry", "Ministry"),
    # "in" then two name words: a place after the sentence's "in"
    ("The Islamic State in New York trial opened.", "State", "Islamic State"),
    # joiners in ordinary prose never join lower-case words
    ("the head of the militia said", "head", "head"),
]

FIGURES = [
    ("Troops killed at least 18 militia group members on Sunday.", "at", "at least 18 militia group members"),
    ("Troops killed at least 18 militia group members on Sunday.", "18", "at least 18 militia group members"),
    ("Troops killed at least 18 militia group members on Sunday.", "least", "at least 18 militia group members"),
    ("Troops killed at least 18 militia group members on Sunday.", "members", "at least 18 militia group members"),
    ("Troops killed at least 18 militia group members on Sunday.", "group", "at least 18 militia group members"),
    ("A drone strike killed three American service members in Jordan.", "service", "three American service members"),
    ("The PMF mourned the deaths of 16 of its members in the strikes.", "16", "16 of its members"),
    ("The PMF mourned the deaths of 16 of its members in the strikes.", "members", "16 of its members"),
    ("A drone strike killed three American service members in Jordan.", "three", "three American service members"),
    ("Officials said 16,000 people fled the fighting.", "16,000", "16,000 people"),
    ("Rockets wounded twenty-three people near the port.", "twenty-three", "twenty-three people"),
    ("Dozens of civilians fled the town.", "Dozens", "Dozens of civilians"),
    ("More than 150 fighters crossed the border.", "More", "More than 150 fighters"),
    ("The blast killed two hundred civilians and wounded more.", "two", "two hundred civilians"),
    ("Medics said 3 wounded soldiers were evacuated.", "3", "3 wounded soldiers"),
    ("The ministry put the toll at 18 dead.", "18", "18 dead"),
    ("Police said 12 Hezbollah fighters were among them.", "12", "12 Hezbollah fighters"),
    ("Police said 12 Hezbollah fighters were among them.", "fighters", "12 Hezbollah fighters"),
    ("One of the soldiers died in hospital.", "One", "One of the soldiers"),
    ("Over 2,000 people have been displaced.", "Over", "Over 2,000 people"),
    ("Doctors said between 10 and 15 people were treated.", "between", "between 10 and 15 people"),
    ("Doctors said between 10 and 15 people were treated.", "15", "between 10 and 15 people"),
    ("The blast killed two or three soldiers.", "two", "two or three soldiers"),
    ("Shelling killed 10-15 fighters overnight.", "10-15", "10-15 fighters"),
    ("The blast killed six soldiers and wounded two others.", "two", "two others"),
    # "a" counting a dozen, a hundred: with or without a quantifier, from the figure or the quantifier
    ("Raids killed more than a dozen civilians, mostly women.", "dozen", "more than a dozen civilians"),
    ("Raids killed more than a dozen civilians, mostly women.", "more", "more than a dozen civilians"),
    ("About a dozen soldiers were hurt.", "dozen", "About a dozen soldiers"),
    ("A dozen people fled the village.", "dozen", "A dozen people"),
    ("Shelling killed a hundred villagers.", "hundred", "a hundred villagers"),
    ("Shelling killed scores of people.", "scores", "scores of people"),
    # an adjective or a name before the counted noun
    ("The result was 157 suspected terrorists killed and 1,378 arrested.", "157", "157 suspected terrorists"),
    ("Gunmen killed six Pakistani soldiers.", "six", "six Pakistani soldiers"),
]

FIGURES_THAT_STOP = [
    ("In Syria, at least 18 died in Deir el-Zour.", "at", "at least 18"),  # a verb after the figure
    ("Gunmen killed 18 in Deir el-Zour.", "18", "18"),  # a preposition
    ("US forces carried out more than 150 attacks last year.", "150", "more than 150"),  # attacks are not people
    ("Jets struck over 85 sites across the region.", "85", "over 85"),
    ("In 2023 militants killed five soldiers.", "2023", "2023"),  # a year counts nobody
    ("The convoy was 40 km from the border.", "40", "40"),
    ("About 30, mostly civilians, were hurt.", "30", "About 30"),  # punctuation ends the phrase
    ("Strikes hit 12 times over two days.", "12", "12"),
    ("The 18 were buried on Monday.", "18", "18"),
    ("It took three days to reach 200 people.", "three", "three"),
    ("Militants attacked 4 bases holding soldiers and contractors.", "4", "4"),
    ("Sixteen people who fled said so.", "people", "Sixteen people"),
    ("Scores were 5 and 6 people apart.", "5", "5"),  # "and" makes a range only after "between"
    ("The 2023-24 season was cut short.", "2023-24", "2023-24"),
    ("Police said 12 Hezbollah fighters were among them.", "Hezbollah", "Hezbollah"),  # a name stays a name
    ("Gunmen killed 18 in the village near the river.", "village", "village"),  # no people counted
    ("US forces carried out more than 150 attacks last year.", "last", "last"),
    ("It was a dozen times worse.", "dozen", "a dozen"),  # "a dozen" of what is not people
    ("A man was hurt.", "man", "man"),  # "a" before what is no figure word stays out
]


@pytest.mark.parametrize(("sentence", "word", "expected"), NAMES_ACROSS_PARTICLES)
def test_e_grows_a_name_across_its_particles(sentence: str, word: str, expected: str) -> None:
    assert phrase(sentence, word) == expected


@pytest.mark.parametrize(("sentence", "word", "expected"), NAMES_THAT_STOP)
def test_e_does_not_grow_a_name_across_the_sentences_words(sentence: str, word: str, expected: str) -> None:
    assert phrase(sentence, word) == expected


@pytest.mark.parametrize(("sentence", "word", "expected"), FIGURES)
def test_e_grows_a_figure_to_the_people_it_counts(sentence: str, word: str, expected: str) -> None:
    assert phrase(sentence, word) == expected


@pytest.mark.parametrize(("sentence", "word", "expected"), FIGURES_THAT_STOP)
def test_e_keeps_a_figure_alone_where_no_people_follow(sentence: str, word: str, expected: str) -> None:
    assert phrase(sentence, word) == expected


def test_a_word_that_is_neither_stays_alone_and_whitespace_tokens_are_looked_through() -> None:
    assert phrase("Officials said the strikes continued.", "strikes") == "strikes"
    text = "Troops loyal to Bashar\n\nal-Assad advanced."
    assert phrase(text, "Bashar") == "Bashar\n\nal-Assad"


def grown(sentence: str, word: str, presses: int) -> list[str]:
    """The selections `e` makes, pressed `presses` times with the cursor first on `word` (the screen leaves
    the cursor on the selection's last token)."""
    tokens = tokenize(sentence)
    cursor = next(token.id for token in tokens if token.text == word)
    selection: tuple[int, int] | None = None
    selections = []
    for _ in range(presses):
        selection = grow_phrase(tokens, selection, cursor)
        cursor = selection[1]
        selections.append(sentence[tokens[selection[0]].start:tokens[selection[1]].end])
    return selections


ATTRIBUTIONS = [
    # the source before the cue, back to where its clause begins
    ("US officials said the drones came from the east.", "said", "US officials said"),
    ("Shelling killed four people overnight, the Defence Ministry said on Monday.", "said",
     "the Defence Ministry said"),
    ("Tehran officially denied any role in the raid.", "denied", "Tehran officially denied"),
    ("Tehran officially denied any role in the raid.", "officially", "Tehran officially denied"),
    ("It was a drone that Kurdish officials blamed on the militia.", "blamed", "Kurdish officials blamed"),
    ("The ministry has also confirmed the deaths.", "confirmed", "The ministry has also confirmed"),
    ("Rescuers found no survivors, the army later announced.", "announced", "the army later announced"),
    ("A spokesman for the group told reporters the fighters had withdrawn.", "told",
     "A spokesman for the group told reporters"),
    ("Since June, cells of the network have claimed responsibility for 40 attacks.", "claimed",
     "cells of the network have claimed responsibility"),
    ("Officials at Al-Noor Hospital said they had run out of blood.", "said", "Officials at Al-Noor Hospital said"),
    ("Villagers reached by phone warned that the road was mined.", "warned", "Villagers reached by phone warned"),
    ("Aid agencies estimate that 9,000 people fled.", "estimate", "Aid agencies estimate"),
    # present tense and other forms; a document or a body as the source, its article in
    ("It was a raid which local officials say killed 12 people.", "say", "local officials say"),
    ("Afghan authorities have said they are investigating.", "said", "Afghan authorities have said"),
    ("Two died. The statement said more were hurt.", "said", "The statement said"),
    ("Later, a statement said two soldiers died.", "said", "a statement said"),
    ("In Kyiv, the report said three died.", "said", "the report said"),
    ("The governor said later that 19 people had been hurt.", "said", "The governor said"),
    # an apposition between commas belongs to the source
    ("A commander of the Eastern Shield Brigade, Abu Omar al-Jabouri, denied the claim.", "denied",
     "A commander of the Eastern Shield Brigade, Abu Omar al-Jabouri, denied"),
    ("The U.N. envoy, Karin Lund, said she was alarmed.", "said", "The U.N. envoy, Karin Lund, said"),
    ("In Basra, the port authority, a body run by the province, reported that two ships sank.", "reported",
     "the port authority, a body run by the province, reported"),
    # the source after the cue, where the cue opens its clause
    ('"We will not leave," said one shepherd, who gave no name.', "said", "said one shepherd"),
    ("Two died, said the ministry in a statement.", "said", "said the ministry"),
    ("Eleven were hurt, according to the ministry.", "according", "according to the ministry"),
    ("Eleven were hurt, according to Kurdish security officials.", "to", "according to Kurdish security officials"),
    ("Eleven were hurt, according to the town's civil defence.", "according", "according to the town's civil defence"),
    # a cue without a source
    ("The convoy was reportedly hit near the border.", "reportedly", "reportedly"),
    ("Later it was reported that the bridge had fallen.", "reported", "it was reported"),
]

ATTRIBUTIONS_HOSTILE = [
    ("said the ministry.", "said", "said the ministry"),  # the cue opens the paragraph
    ("Said the minister: no more talks.", "Said", "Said the minister"),
    ('"They said nothing," he added.', "said", "They said"),  # a cue inside a quotation
    ('"They said nothing," he added.', "added", "he added"),
    ("The curfew began and said nothing of the roads.", "said", "said"),  # no source, and none after "and"
    ("The militia, which said nothing, withdrew.", "said", "said"),
    ("The operation's stated aim was deterrence.", "stated", "stated"),  # an adjective after a possessive
    ("The reports could not be verified.", "reports", "reports"),  # a noun after an article
    ("Witnesses put the toll at 18.", "put", "put"),  # "put" reports nothing
    ("Bombers struck depots officials said were used by the militia.", "said", "officials said"),  # no verb in it
    ("The United States said the strikes would go on.", "said", "The United States said"),  # a name, not a cue
    ("US and Afghan officials say the road is open.", "say", "US and Afghan officials say"),  # a shared source
    ("Troops killed 18 in Iraq and US officials said so.", "said", "US officials said"),  # a place, then the source
]

ACTOR_PHRASES = [
    ("Clashes between army units and an armed group went on.", "army", "army units"),
    ("Clashes between army units and an armed group went on.", "units", "army units"),
    ("Clashes between army units and an armed group went on.", "armed", "armed group"),
    ("The shells landed among local residents queuing for bread.", "local", "local residents"),
    ("The talks broke down as rebel forces and the government traded blame.", "rebel", "rebel forces"),
    ("The talks broke down as rebel forces and the government traded blame.", "government", "government"),
    ("Its air force had carried out the raid.", "air", "air force"),
    ("Regional health officials said two died.", "health", "Regional health officials"),
    ("It was a drone that Kurdish officials blamed on the militia.", "Kurdish", "Kurdish officials"),
    ("Convoys were hit by Russian-backed militias overnight.", "Russian-backed", "Russian-backed militias"),
    ("Convoys were hit by Russian-backed militias overnight.", "militias", "Russian-backed militias"),
    ("A United Nations monitoring mission said the camp was full.", "mission", "United Nations monitoring mission"),
    ("The Quds Force trained the group.", "Quds", "Quds Force"),  # the article stays outside
    ("Gunmen fired on an Army convoy near the pass.", "Army", "Army convoy"),
    # two names that share the noun
    ("US and Afghan officials say the road is open.", "US", "US and Afghan officials"),
    ("US and Afghan officials say the road is open.", "officials", "US and Afghan officials"),
]

ACTOR_PHRASES_THAT_STOP = [
    ("Tehran trains militias across the region.", "Tehran", "Tehran"),  # a verb in "-s" between them
    ("The army shelled the farms.", "army", "army"),
    ("US strikes resulted in deaths.", "US", "US"),  # strikes are not actors
    ("It is a body comprising groups backed by Tehran.", "groups", "groups"),
    ("Police said 12 Hezbollah fighters were among them.", "Hezbollah", "Hezbollah"),  # a figure counts them
    ("The ministry was hit by American bombs.", "American", "American"),
    ("Strikes hit Iraq and Syria on Monday.", "Iraq", "Iraq"),  # two names with no noun after them
]

GROWN_AGAIN = [
    ("It was a drone that Kurdish officials blamed on the militia.", "Kurdish",
     ["Kurdish officials", "Kurdish officials blamed", "Kurdish officials blamed"]),
    ("Tehran officially denied any role.", "Tehran", ["Tehran", "Tehran officially denied"]),
    ("Depots used by Iran's Islamic Revolutionary Guard Corps were hit.", "Iran",
     ["Iran", "Iran's Islamic Revolutionary Guard Corps"]),
    ("Depots used by Iran's Islamic Revolutionary Guard Corps were hit.", "Guard",
     ["Islamic Revolutionary Guard Corps", "Iran's Islamic Revolutionary Guard Corps"]),
    ("Money went through the Islamic Revolutionary Guard Corps' Quds Force to them.", "Quds",
     ["Quds Force", "Islamic Revolutionary Guard Corps' Quds Force"]),
    ("Eleven were hurt, according to the ministry.", "ministry", ["ministry", "according to the ministry"]),
    ("The strikes continued.", "strikes", ["strikes", "strikes"]),  # nothing larger: e changes nothing
]


@pytest.mark.parametrize(("sentence", "word", "expected"), ATTRIBUTIONS)
def test_e_on_a_cue_selects_the_source_and_the_cue(sentence: str, word: str, expected: str) -> None:
    assert phrase(sentence, word) == expected


@pytest.mark.parametrize(("sentence", "word", "expected"), ATTRIBUTIONS_HOSTILE)
def test_e_on_a_cue_where_the_source_is_odd_or_missing(sentence: str, word: str, expected: str) -> None:
    assert phrase(sentence, word) == expected


@pytest.mark.parametrize(("sentence", "word", "expected"), ACTOR_PHRASES)
def test_e_takes_an_actors_noun_phrase_without_its_article(sentence: str, word: str, expected: str) -> None:
    assert phrase(sentence, word) == expected


@pytest.mark.parametrize(("sentence", "word", "expected"), ACTOR_PHRASES_THAT_STOP)
def test_e_leaves_out_what_is_not_the_actors_noun(sentence: str, word: str, expected: str) -> None:
    assert phrase(sentence, word) == expected


@pytest.mark.parametrize(("sentence", "word", "expected"), GROWN_AGAIN)
def test_e_again_grows_to_the_next_larger_phrase(sentence: str, word: str, expected: list[str]) -> None:
    assert grown(sentence, word, len(expected)) == expected


def test_e_again_on_a_selection_made_by_shift_arrows_grows_it_to_the_phrase_around_the_cursor() -> None:
    tokens = tokenize("The Islamic Revolutionary Guard Corps struck.")
    assert grow_phrase(tokens, (1, 2), 2) == (1, 4)


def test_e_looks_only_near_the_cursor_so_a_long_paragraph_gives_what_a_short_one_does() -> None:
    sentence = "Shelling killed four people overnight, the Defence Ministry said, and the curfew held. "
    tokens = tokenize(sentence * 400)
    cue = [token.id for token in tokens if token.text == "said"][200]
    first, last = grow_phrase(tokens, None, cue)
    assert " ".join(token.text for token in tokens[first:last + 1]) == "the Defence Ministry said"
