"""`e` on the annotate screen: real key presses, then the saved store read back (rules: tests/unit/test_phrases.py)."""

from __future__ import annotations

from annotator.tui.app import AnnotatorApp

SIZE = (100, 32)

ATTRIBUTED = {"claims": [
    "Shelling killed four people overnight, the Defence Ministry said on Monday.",
    "It was a drone that Kurdish officials blamed on the militia, according to the town's civil defence.",
]}


def saved_spans(space, paragraph_id: str) -> list[tuple[str, str]]:
    record = space.saved()[paragraph_id]
    return sorted((span["label"], record["text"][span["start"]:span["end"]]) for span in record["spans"])


async def press_to(pilot, app: AnnotatorApp, word: str) -> None:
    """Move the cursor right until it is on `word`."""
    screen = app.screen
    for _ in range(100):
        if screen.tokens[screen.cursor].text == word:  # type: ignore[attr-defined]
            return
        await pilot.press("right")
    raise AssertionError(f"{word!r} not reached")


async def test_e_on_a_cue_then_a_label_key_tags_the_source_and_the_cue(workspace):
    space = workspace(ATTRIBUTED)
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await press_to(pilot, app, "said")
        await pilot.press("e", "4")
    assert saved_spans(space, "claims#0") == [("ATTRIBUTION", "the Defence Ministry said")]


async def test_e_pressed_again_grows_an_actor_to_the_attribution_it_is_the_source_of(workspace):
    space = workspace(ATTRIBUTED)
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("pagedown")
        await press_to(pilot, app, "Kurdish")
        await pilot.press("e", "1")  # ACTOR "Kurdish officials": the actor's noun phrase
        await pilot.press("e", "e", "4")  # the same phrase again, then the attribution around it
        await press_to(pilot, app, "according")
        await pilot.press("e", "4")  # the source after "according to"
    assert saved_spans(space, "claims#1") == [
        ("ACTOR", "Kurdish officials"), ("ATTRIBUTION", "Kurdish officials blamed"),
        ("ATTRIBUTION", "according to the town's civil defence"),
    ]


async def test_the_worked_example_in_docs_keys_md_tags_every_span_in_21_keys(workspace):
    paragraph = "US officials said at least 18 people died in Deir el-Zour when the Islamic Revolutionary Guard Corps struck."
    space = workspace({"worked": [paragraph]})
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    keys = [
        "e", "1",  # ACTOR "US officials": e takes the actor's noun phrase
        "right", "e", "4",  # ATTRIBUTION "US officials said": e on the cue takes its source in
        "right", "e", "3",  # CASUALTY "at least 18 people"
        "right", "right", "right", "e", "2",  # LOCATION "Deir el-Zour"
        "right", "right", "right", "e", "1",  # ACTOR "Islamic Revolutionary Guard Corps"
        "enter", "k",  # refused: the CASUALTY needs its status; the panel opens on it, k = killed
        "enter",  # accept
    ]
    assert len(keys) == 21
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
    assert saved_spans(space, "worked#0") == sorted([
        ("ACTOR", "US officials"), ("ATTRIBUTION", "US officials said"), ("CASUALTY", "at least 18 people"),
        ("LOCATION", "Deir el-Zour"), ("ACTOR", "Islamic Revolutionary Guard Corps"),
    ])
    assert space.saved()["worked#0"]["answer"] == "accept"
    casualty = next(span for span in space.saved()["worked#0"]["spans"] if span["label"] == "CASUALTY")
    assert casualty["attributes"]["status"] == "killed"


async def test_e_closes_the_jump_prompt_and_selects_the_phrase_unless_it_goes_on_a_word(workspace):
    space = workspace({"jump": ["Rockets fell on Tehran as the Defence Ministry said, and Tell Ahmar emptied."]})
    app = AnnotatorApp(space.session, store_path="annotations.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", "T", "e", "1")  # "Te" goes on "Tehran": typed; 1 then tags the word
        await pilot.press("f", "s", "a", "e", "4")  # no word starts "sae": e closes the prompt on "said", selects
        await pilot.press("f", "T", "e", "l", "e", "2")  # "Tel" reached; "Tele" starts no word: e selects "Tell Ahmar"
    assert saved_spans(space, "jump#0") == [
        ("ACTOR", "Tehran"), ("ATTRIBUTION", "the Defence Ministry said"), ("LOCATION", "Tell Ahmar"),
    ]
