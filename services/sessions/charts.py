"""The report's charts, drawn by matplotlib on the server as SVG (no browser script needed).

matplotlib is loaded when the first chart is drawn: it weighs some 40 MB in a process, and most
API processes never draw one.
"""

import io
from functools import cache

BLUE, GREY = "#1f5f99", "#b8c4d0"


@cache
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display on a server; must precede pyplot
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "font.family": "DejaVu Sans"})
    return plt


def _svg(figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight")
    _pyplot().close(figure)
    text = out.getvalue()
    return text[text.index("<svg"):]  # inline in HTML: no XML prologue


def bars(title: str, labels: list[str], values: list[int | None], unit: str = "") -> str | None:
    """Horizontal bars; a suppressed (None) value is drawn as an empty bar marked `<k`."""
    if not labels:
        return None
    figure, axes = _pyplot().subplots(figsize=(5.5, 0.45 * len(labels) + 0.8))
    shown = [v or 0 for v in values]
    axes.barh(labels, shown, color=[BLUE if v is not None else GREY for v in values])
    for y, value in enumerate(values):
        axes.text((value or 0) + 0.2, y, "suppressed" if value is None else f"{value}{unit}",
                  va="center")
    axes.invert_yaxis()
    axes.set_title(title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


def rates(title: str, labels: list[str], values: list[float | None]) -> str | None:
    """Attendance or retention rates as columns, 0-100%."""
    if not labels:
        return None
    figure, axes = _pyplot().subplots(figsize=(5.5, 2.4))
    percent = [None if v is None else round(v * 100) for v in values]
    axes.bar(labels, [p or 0 for p in percent], color=BLUE)
    for x, value in enumerate(percent):
        axes.text(x, (value or 0) + 2, "n/a" if value is None else f"{value}%", ha="center")
    axes.set_ylim(0, 115)
    axes.set_ylabel("%")
    axes.set_title(title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)
