"""Bar charts drawn on the server as SVG: the geometry here, the drawing in
templates/manage/_bar_chart.html, the colours in the site's CSS by class.

No chart library and no script: the content security policy allows neither inline script
nor inline style, and a chart of a few labelled bars needs neither. Every bar carries its
label and its number as text, so colour is never the only cue; the table beside a chart is
its accessible version (the SVG is hidden from screen readers).
"""

from __future__ import annotations

from dataclasses import dataclass

# The drawing's own units (its viewBox): it scales to the width of its column, about one to
# one on a phone (the stylesheet's 14px text stays about 14px there).
WIDTH = 340
LABEL_WIDTH = 134  # a bar's words, left of the bar
COUNT_WIDTH = 40  # its number, right of the longest bar
HEADING_HEIGHT = 30
ROW_HEIGHT = 26
BAR_HEIGHT = 16
BAR_X = LABEL_WIDTH
BAR_SPAN = WIDTH - LABEL_WIDTH - COUNT_WIDTH


@dataclass(frozen=True)
class Heading:
    """A group's name above its bars ("Push")."""

    text: str
    y: int  # the text's baseline


@dataclass(frozen=True)
class Bar:
    """One labelled bar: its words, its number, its tone (a CSS class) and where it goes."""

    label: str
    group: str
    count: int
    tone: str
    y: int  # the bar's top
    width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 3  # the text's baseline, level with the bar

    @property
    def count_x(self) -> float:
        return BAR_X + self.width + 6


@dataclass(frozen=True)
class BarChart:
    headings: list[Heading]
    bars: list[Bar]
    height: int
    width: int = WIDTH
    bar_x: int = BAR_X
    bar_height: int = BAR_HEIGHT
    label_x: int = LABEL_WIDTH - 8  # labels end here (text-anchor: end)


def grouped_bars(groups: list[tuple[str, list[tuple[str, int, str]]]]) -> BarChart:
    """A chart of ``groups``, each (name, [(label, count, tone), ...]): a heading per group
    and a bar per label, all on one scale (the largest count spans the width)."""
    largest = max((count for _, bars in groups for _, count, _ in bars), default=0)
    headings, drawn = [], []
    y = 0
    for name, bars in groups:
        if not bars:
            continue
        y += HEADING_HEIGHT
        headings.append(Heading(name, y - 8))
        for label, count, tone in bars:
            # A bar of one sign-in among thousands still shows (at least a sliver).
            width = max(2.0, round(BAR_SPAN * count / largest, 1)) if count else 0.0
            drawn.append(Bar(label, name, count, tone, y, width))
            y += ROW_HEIGHT
    return BarChart(headings=headings, bars=drawn, height=y + 4)
