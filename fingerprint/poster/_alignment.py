"""Two films' sequence alignment (`SequenceAlignment`) as a block of the Compare PNG
(`fingerprint.poster._comparison`), drawn with Pillow as the page's figure draws it
(`fingerprint.plotting._sequence`, which shares `GAP_COLOR`, `MAX_JOINS` and
`thinned_pairs` from here).

Film A's strip above film B's on one axis of seconds (not 0-100 %: a cut or an insertion
then reads as the joins leaning by its length after it), lines joining the moments the
global alignment paired (solid when closer than a gap costs, dotted when not), each gap
hatched red on its film's strip with a red bar and its length beside it, and the
best-matching stretch outlined in white. Over it the alignment score and what it means,
under it a time scale, the gaps and the best match in words
(`fingerprint.compare._sequence_text`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from PIL import Image, ImageColor, ImageDraw, ImageFont

from .._theme import BACKGROUND, HIGHLIGHT, INK, MUTED
from ..compare._sequence import SequenceAlignment
from ..compare._sequence_text import gap_lines, local_line, score_meaning
from ..model import Fingerprint
from ..timecodes import tick_step, timecode
from ._caption import plain_text
from ._strips import strip_image

__all__ = ["GAP_COLOR", "JOIN_COLOR", "MAX_JOINS", "alignment_image", "thinned_pairs"]

#: The most join lines drawn: more is a grey smear at a screen's width (1000 moments).
MAX_JOINS = 150
#: What marks a gap: a red apart from the film colours' blue and orange (Tableau 10's).
GAP_COLOR = "#e15759"
#: The joins' grey: the page's 45 % white over the background.
JOIN_COLOR = tuple(round(0.45 * i + 0.55 * g) for i, g in zip(INK, BACKGROUND, strict=True))
# Pixel columns per join line drawn in the PNG: more is a grey band, not lines.
_JOIN_SPACING = 24

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
# Seconds from a film's start to the image's columns.
XOf = Callable[[ArrayLike], np.ndarray]


def thinned_pairs(pairs: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the pairs to draw: every pair beside a jump (where a gap or a shift
    is, so its edges show), then evenly spaced ones, at most ``limit`` in all."""
    count = len(pairs)
    if count <= limit:
        return np.arange(count)
    step = np.diff(pairs, axis=0)
    jumps = np.flatnonzero((step != 1).any(axis=1))
    edges = np.unique(np.concatenate([jumps, jumps + 1]))[: limit // 3]
    even = np.linspace(0, count - 1, limit - len(edges)).round().astype(np.int64)
    return np.unique(np.concatenate([edges, even]))


def alignment_image(
    al: SequenceAlignment, a: Fingerprint, b: Fingerprint, *, width: int, margin: int,
    label: int, strip_height: int, font: Font,
) -> Image.Image:
    """The alignment block, ``width`` pixels wide: its caption, the two strips joined
    (``a`` and ``b`` drawn over the alignment's spans), the scale and the lines of words.
    ``label`` is the text's line unit and ``font`` its font, as the rest of the PNG's."""
    m, inner = margin, width - 2 * margin
    align_h, join_h = max(12, strip_height // 3), max(20, strip_height // 3)
    bar_h, tag_h = max(4, label // 3), round(label * 1.4)
    head = [(line, color) for text, color in (
        (f"Moment by moment, in order (sequence alignment): score {al.score:.2f}", INK),
        (score_meaning(al), MUTED),
        ("Red: only in one film (a gap). White outline: the best-matching stretch. "
         "Lines join paired moments (dotted: far apart).", MUTED),
    ) for line in _wrapped(plain_text(text, font), font, inner)]
    words = [line for text in (*gap_lines(al), local_line(al))
             for line in _wrapped(plain_text(text, font), font, inner)]
    rows = [label * 1.2, label * 1.6 * len(head), tag_h, bar_h, align_h, join_h, align_h,
            bar_h, tag_h, label * 1.8, label * 1.6 * len(words)]
    image = Image.new("RGB", (width, round(sum(rows))), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = label * 1.2
    for text, color in head:
        draw.text((m, y), text, font=font, fill=color)
        y += label * 1.6
    end = float(max(al.edges_a[-1], al.edges_b[-1]))

    def x_of(t: ArrayLike) -> np.ndarray:
        """Seconds from a film's start to the image's columns (one axis for both)."""
        return m + inner * np.asarray(t, dtype=np.float64) / end

    top_a = round(y + tag_h + bar_h)
    top_b = top_a + align_h + join_h
    for fp, edges, top, tag in ((a, al.edges_a, top_a, "A"), (b, al.edges_b, top_b, "B")):
        x0, x1 = (round(float(v)) for v in x_of(edges[[0, -1]]))
        strip = strip_image(fp, width=max(1, x1 - x0), height=align_h)
        image.paste(Image.fromarray(strip), (x0, top))
        draw.text((m / 2, top + align_h / 2), tag, font=font, fill=INK, anchor="mm")
    _hatch(image, al, x_of, tops={"a": top_a, "b": top_b}, height=align_h)
    joins = min(MAX_JOINS, max(10, inner // _JOIN_SPACING))
    _joins(draw, al, x_of, y0=top_a + align_h, y1=top_b - 1, limit=joins)
    _gap_marks(draw, al, x_of, font=font, right=width - m,
               bars={"a": (top_a - bar_h, top_a - bar_h - 2),
                     "b": (top_b + align_h, top_b + align_h + bar_h + 2)}, bar_h=bar_h)
    if al.local is not None:  # the best-matching stretch, outlined on both strips
        for side, top in (("a", top_a), ("b", top_b)):
            x0, x1 = x_of(al.local[side])
            draw.rectangle([x0, top, max(x0 + 1, x1 - 1), top + align_h - 1],
                           outline=HIGHLIGHT, width=2)
    y = top_b + align_h + bar_h + tag_h
    _scale(draw, x_of, end=end, y=y, label=label, font=font, left=m, right=width - m)
    y += label * 1.8
    for text in words:
        draw.text((m, y), text, font=font, fill=MUTED)
        y += label * 1.6
    return image


def _hatch(image: Image.Image, al: SequenceAlignment, x_of: XOf, *, tops: dict[str, int],
           height: int) -> None:
    """Each gap's stretch of its film's strip hatched red (diagonal lines, so the
    colours stay visible between them)."""
    pixels = np.asarray(image).copy()
    red = np.array(ImageColor.getrgb(GAP_COLOR)[:3], dtype=np.uint8)
    spacing = max(6, height // 4)
    for run in al.gaps:
        x0, x1 = (round(float(v)) for v in x_of([run.start, run.end]))
        x1 = max(x1, x0 + 1)
        top = tops[run.film]
        rows, cols = np.mgrid[top:top + height, x0:x1]
        lines = (rows + cols) % spacing < 2
        pixels[rows[lines], cols[lines]] = red
    image.paste(Image.fromarray(pixels))


def _joins(draw: ImageDraw.ImageDraw, al: SequenceAlignment, x_of: XOf, *, y0: int, y1: int,
           limit: int) -> None:
    """A line from each drawn pair's moment in A to its moment in B: solid when the two
    are closer than a gap costs (a good match), dotted when not; thinned to ``limit``."""
    chosen = thinned_pairs(al.pairs, limit)
    middles_a = (al.edges_a[:-1] + al.edges_a[1:]) / 2
    middles_b = (al.edges_b[:-1] + al.edges_b[1:]) / 2
    xa = x_of(middles_a[al.pairs[chosen, 0]])
    xb = x_of(middles_b[al.pairs[chosen, 1]])
    for x0, x1, d in zip(xa.tolist(), xb.tolist(), al.pair_distance[chosen].tolist(),
                         strict=True):
        if d <= al.gap:
            draw.line([(x0, y0), (x1, y1)], fill=JOIN_COLOR, width=1)
        else:
            for t in np.arange(0, 1, 6 / max(1, y1 - y0)):  # dots every ~6 px down
                t2 = min(1.0, t + 2 / max(1, y1 - y0))
                draw.line([(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t),
                           (x0 + (x1 - x0) * t2, y0 + (y1 - y0) * t2)],
                          fill=JOIN_COLOR, width=1)


def _gap_marks(draw: ImageDraw.ImageDraw, al: SequenceAlignment, x_of: XOf, *, font: Font,
               right: float, bars: dict[str, tuple[int, int]], bar_h: int) -> None:
    """A red bar beside each gap's stretch, on the side away from the joins, and its
    length by it: "only in A · 20.0 s", or "20.0 s" where the long one would run into
    the film's previous label, or nothing."""
    last = {"a": -np.inf, "b": -np.inf}
    for run in sorted(al.gaps, key=lambda r: r.start):
        x0, x1 = (float(v) for v in x_of([run.start, run.end]))
        bar, text_y = bars[run.film]
        draw.rectangle([x0, bar, max(x0, x1 - 1), bar + bar_h - 1], fill=GAP_COLOR)
        anchor = "ld" if run.film == "a" else "la"  # above A's bar, under B's
        for text in (f"only in {run.film.upper()} · {run.end - run.start:.1f} s",
                     f"{run.end - run.start:.1f} s"):
            text = plain_text(text, font)
            tw = draw.textlength(text, font=font)
            at = min(x0, right - tw)
            if at >= last[run.film] + 4:
                draw.text((at, text_y), text, font=font, fill=GAP_COLOR, anchor=anchor)
                last[run.film] = at + tw
                break


def _scale(draw: ImageDraw.ImageDraw, x_of: XOf, *, end: float, y: float, label: int,
           font: Font, left: float, right: float) -> None:
    """Ticks at round times (0:00:30, 0:01:00, ...) under the strips, each labelled
    where its label clears the previous one (about 110 px a label)."""
    step = tick_step(end, most=max(2, min(8, round((right - left) / 110))))
    last = -np.inf
    for t in np.arange(0, end + 1e-9, step).tolist():
        x = float(x_of(t))
        draw.line([(x, y), (x, y + label * 0.4)], fill=MUTED, width=1)
        text = timecode(t)
        tw = draw.textlength(text, font=font)
        at = min(max(left, x - tw / 2), right - tw)
        if at >= last + label / 2:
            draw.text((at, y + label * 0.5), text, font=font, fill=MUTED)
            last = at + tw


def _wrapped(text: str, font: Font, width: float) -> list[str]:
    """``text`` broken between words into lines ``width`` pixels wide at most (a word
    wider than that keeps a line of its own): read whole, never cut or shrunk."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
