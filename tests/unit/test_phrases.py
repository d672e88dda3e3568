"""`e`: the name or figure phrase around the cursor, on sentences shaped like wire copy (written for
these tests), with the cases where it must grow and where it must not."""

from __future__ import annotations

import pytest

from annotator.core.phrases import phrase_around
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
