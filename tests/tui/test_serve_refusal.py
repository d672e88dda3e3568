"""The page a browser session shows when its screen refuses to open (annotator/serve/refusal.py)."""

from __future__ import annotations

from textual.widgets import Static

from annotator.serve.refusal import RefusalApp, refusal_text

LOCKED = "annotator: team/alice.jsonl: another annotator process is writing to this store. Close it first, or pass another --out.\n"


def test_the_refusal_shows_the_commands_message_without_its_prefix_or_control_characters() -> None:
    text = refusal_text(LOCKED + "annotator: bad\x1b[31m name\n\n")
    assert text.startswith("This screen could not open:\n\nteam/alice.jsonl: another annotator process is writing")
    assert "annotator: " not in text and "\x1b" not in text and "bad␛[31m name" in text
    assert text.endswith("If this link is open in another tab or window, use that one, or close it and reload this page. (q closes this.)")


async def test_the_refusal_page_shows_the_message_until_q() -> None:
    app = RefusalApp(refusal_text(LOCKED))
    async with app.run_test(size=(100, 30)) as pilot:
        shown = str(app.query_one("#refusal", Static).render())
        assert "another annotator process is writing to this store" in shown
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
