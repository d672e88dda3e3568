"""Label tints that stay apart in every terminal: truecolor, 256 colours and 16.

A span is drawn on its label's colour blended into the background. Over ssh a terminal often
has 256 colours and no COLORTERM, and the colours are then rounded to the nearest of the 256
(or the 16) a terminal has: two dark blends of blue and green round to the same one. So each
label's tint is picked, in schema order, from blends near the wanted strength (then stronger,
then with the hue turned a little) as the first whose rounding in 256 and in 16 colours no
earlier label (nor the background) has, and on which white or black text reads in all three
(`tint_text`: in 16 colours white text on a tint drawn light grey or yellow could not be read).
Pure and cached: computed once per theme.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

from rich.color import ColorSystem
from textual.color import Color
from textual.dom import DOMNode

TINT = 0.45  # a span's background: the label's colour this far into the background
FAINT = 0.22  # a suggestion's, fainter
FAINTEST_STRONG = 0.35  # a suggestion is never drawn as strongly as a span
ROUNDED = (ColorSystem.EIGHT_BIT, ColorSystem.STANDARD)  # what a terminal without truecolor shows
HUE_TURNS = (0.0, 0.05, -0.05, 0.1, -0.1)  # of a full turn: a label's colour, then its near neighbours
# How a terminal's 16 colours usually look (xterm's defaults): rich rounds with a darker palette
# (yellow as brown), but judging a tint's text by that would put white on what most terminals draw yellow.
XTERM_16 = ((0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
            (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
            (255, 0, 255), (0, 255, 255), (255, 255, 255))
READABLE = 3.0  # the least contrast ratio (WCAG) of a span's text on its tint, in every colour system
TEXTS = (Color(255, 255, 255), Color(0, 0, 0))


def rounded(color: Color, system: ColorSystem) -> int:
    """The palette number `color` is drawn with in a terminal of `system` colours (as rich rounds it)."""
    number = color.rich_color.downgrade(system).number
    assert number is not None  # a colour from RGB always rounds to a palette entry
    return number


def drawn_rgb(color: Color, system: ColorSystem | None) -> tuple[int, int, int]:
    """The RGB a terminal of `system` colours shows for `color` (None: truecolor)."""
    if system is None:
        return color.rgb
    number = rounded(color, system)
    if system == ColorSystem.STANDARD:
        return XTERM_16[number]
    red, green, blue = color.rich_color.downgrade(system).get_truecolor()
    return red, green, blue


def _luminance(rgb: tuple[int, int, int]) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = rgb
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG's contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _worst_contrast(text: Color, tint: Color) -> float:
    """The contrast of `text` on `tint` where it is least: in truecolor, 256 or 16 colours."""
    return min(contrast_ratio(drawn_rgb(text, system), drawn_rgb(tint, system)) for system in (None, *ROUNDED))


@lru_cache(maxsize=256)
def tint_text(tint: Color) -> Color:
    """The text on `tint`: white on a dark tint, black on a light one (as truecolor shows it), unless
    256 or 16 colours draw the tint so that the other reads better ("yellow" for a dark orange)."""
    usual = TEXTS[0] if tint.brightness < 0.5 else TEXTS[1]
    if _worst_contrast(usual, tint) >= READABLE:
        return usual
    return max(TEXTS, key=lambda text: _worst_contrast(text, tint))


def _readable(tint: Color) -> bool:
    return _worst_contrast(tint_text(tint), tint) >= READABLE


def _candidates(color: Color, background: Color, amount: float, strongest: float) -> Iterator[Color]:
    """Blends of `color` into `background`, nearest `amount` first (none past `strongest`), then of
    colours a little around its hue."""
    amounts = sorted({amount, amount + 0.1, amount - 0.1, amount + 0.2, amount + 0.35, 1.0},
                     key=lambda strength: (abs(strength - amount), -strength))
    hue, saturation, lightness = color.hsl
    for turn in HUE_TURNS:
        base = color if not turn else Color.from_hsl((hue + turn) % 1.0, saturation, lightness)
        for strength in amounts:
            if 0 < strength <= strongest:
                yield background.blend(base, strength)


def _keeps_hue(color: Color, tint: Color, most: float = 0.05) -> bool:
    """Whether `tint`, rounded to 256 colours, is within `most` of a turn of `color`'s hue (and not grey)."""
    red, green, blue = tint.rich_color.downgrade(ColorSystem.EIGHT_BIT).get_truecolor()
    hue, saturation, _ = Color(red, green, blue).hsl
    turn = abs(hue - color.hsl.h) % 1.0
    return saturation > 0.2 and min(turn, 1 - turn) <= most


@lru_cache(maxsize=64)
def _tints(colors: tuple[tuple[str, Color], ...], background: Color, amount: float,
           strongest: float) -> dict[str, Color]:
    taken = {system: {rounded(background, system)} for system in ROUNDED}
    tints: dict[str, Color] = {}
    for name, color in colors:
        options = list(_candidates(color, background, amount, strongest))
        # The candidates apart from the others in 256 colours, of those the ones apart in 16 as well, and
        # of those the ones whose text reads: with more labels than 16 colours can tell apart, 256 colours
        # still can (the tag names the label). Looked at in order, and only until the first that reads
        # and that a 256-colour terminal still draws in the label's hue (blue stays blue): a start pays
        # for every label's tints, twice, before its first paint.
        apart_in_256: list[Color] = []
        apart_in_both: list[Color] = []
        readable: list[Color] = []
        chosen: Color | None = None
        for candidate in options:
            if rounded(candidate, ColorSystem.EIGHT_BIT) in taken[ColorSystem.EIGHT_BIT]:
                continue
            apart_in_256.append(candidate)
            if rounded(candidate, ColorSystem.STANDARD) in taken[ColorSystem.STANDARD]:
                continue
            apart_in_both.append(candidate)
            if _readable(candidate):
                readable.append(candidate)
                if _keeps_hue(color, candidate):
                    chosen = candidate
                    break
        if chosen is None:  # none reads in the label's hue: the first in its hue of the best group there is
            apart = readable or apart_in_both or apart_in_256 or options
            chosen = next((c for c in apart if _keeps_hue(color, c)), apart[0])
        for system in ROUNDED:
            taken[system].add(rounded(chosen, system))
        tints[name] = chosen
    return tints


def label_tints(colors: Mapping[str, Color], background: Color, amount: float = TINT,
                strongest: float = 1.0) -> dict[str, Color]:
    """Each label's tint on `background`: its colour blended in by about `amount` (at most `strongest`),
    told apart from the other labels' (in schema order) and from the background in 256 and in 16 colours."""
    return _tints(tuple(colors.items()), background, amount, strongest)


def span_background(node: DOMNode) -> Color:
    """What spans are drawn on: the paragraph's background (`$surface`). The paragraph, the label bar
    and the span list tint every label against it, so a label has one colour in all three."""
    paragraphs = node.screen.query("ParagraphView") if node.is_attached else ()
    return next(iter(paragraphs), node).background_colors[1]
