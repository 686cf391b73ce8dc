"""About and help: how to read a fingerprint, what the settings do, how two films are
compared, where films come from."""

import streamlit as st

from fingerprint import Params
from fingerprint.compare._compare import SIMILARITY_SCALE
from fingerprint.compare._sequence import GAP, GAP_OPEN
from webapp.routing import require_router
from webapp.server import MOVIES_ENV_VAR, demos, upload_limit
from webapp.sidebar import ORIGINAL

require_router()

st.markdown("## About Movie Color Fingerprint")
st.markdown(
    f"""
A film's colour fingerprint, or *movie barcode*: moments are taken evenly across the film,
the dominant colours of each frame are found with k-means, and each moment becomes one
column, its colours stacked top to bottom by how much of the picture they cover.
Read it left to right as the film's running time.

It reimplements Chipdelmal's {ORIGINAL}, called "the original" here: its equal-band
strips, its circular plots and its k-means in RGB are all in this app, beside palettes
sized by share, average colours, CIELAB and comparisons of two films.

**Using it.** Point at a column to see its moment's timecode and colours with their hex
codes and shares. Click it to see the frame itself beside its palette; ◀ ▶ (or the left
and right arrow keys) step through the moments. Download a poster, the palettes as CSV or
JSON, or copy the link: it reopens the same film, settings and moment.
"""
)

st.markdown("### Views")
st.markdown(
    f"""
- **Palette**: each column's colours, heights proportional to their share of the frame.
- **Equal bands**: every colour the same height, as the original draws its strips.
- **Average colour**: each moment's mean colour, averaged in linear light (as light mixes),
  so a frame half black and half white reads as mid-grey rather than too dark.
- **Ring**: the circular plot of {ORIGINAL}, the strip bent into a ring; time runs
  clockwise from the top.
- **Colour wheel**: every colour of the film on CIELAB's a*/b* plane (hue around the centre,
  saturation outwards), sized by share. **3-D colour space** adds lightness upwards.
- **Shots** (with **Shots** on in the sidebar): each shot a column as wide as it lasts,
  with its palette. Its poster is the **colour script**, as animation studios plan a
  film's colour: every shot in order, one panel each showing its palette, in rows that
  read left to right. Set **Panels** to *Frames and palettes* and each panel shows the
  shot's middle frame with its palette beside it: the frames are decoded from the film
  once, then kept for every poster.
"""
)

st.markdown("### Colour vision")
st.markdown(
    """
About 1 man in 12 (and 1 woman in 200) sees colour differently, most often telling red
from green less well. **Seen with**, in the sidebar, draws every view, frame and poster as
seen with **protanopia** (no red cones), **deuteranopia** (no green cones) or
**tritanopia** (no blue cones). The **severity** goes from 0 (normal vision) to 1 (the
cone type missing); in between are the milder, commoner forms (protanomaly,
deuteranomaly, tritanomaly).

The simulation is the model of Machado, Oliveira and Fernandes (2009), *A
physiologically-based model for simulation of color vision deficiency*: one published
3×3 matrix per deficiency and severity, applied to the colours in linear light. For
example, the rust #b5543c and the leaf green #5f8a3a are 47 ΔE2000 apart to most eyes, and
less than 2 apart to a deuteranope: the same olive. The model is least exact for
tritanopia, as its authors say.

Only the drawing changes: Compare's scores, the Collection's distances and every CSV and
JSON download are measured on the film's true colours. The choice is kept in the link.
"""
)

st.markdown("### Settings")
st.markdown(
    f"""
- **Samples**: how many moments (columns). Empty means {Params.samples}, one every
  {7200 // Params.samples} seconds of a two-hour film. Never more than the frames in the
  analysed span: a short clip gets one moment per frame, and a note says so.
- **Colours per moment (k)**: the palette size. Changing it reuses the decoded frames.
- **Sampling**: *fast* decodes a keyframe in each slot of the film; *exact* decodes the frame
  on screen at each sample time.
- **Colour space**: CIELAB groups colours as the eye sees them; RGB is what the original
  ({ORIGINAL}) does.
- **Crop black bars**: leaves letterbox and pillarbox bars out of the palettes.
- **Start / End**: analyse part of the film; seconds (95) or h:mm:ss (1:02:03). An end
  past the film's end means the end; the caption under the title shows the span analysed.

Results are cached by the film's content: reopening a film, changing the view or
reloading the page never analyses it again, and two people analysing the same film share
the work.
"""
)

st.markdown("### Comparing two films")
st.markdown(
    f"""
**Compare** puts two films on one time axis, 0 to 100 % of each one's running time, so a
short film and a long one line up. Film A is the film you were exploring. Colour
differences are in ΔE2000, the CIE's measure of how different two colours look: about 2
is just noticeable, 10 clearly different, 50 and more opposite colours.

- **Palette similarity**, 0 to 1: how alike the two whole-film palettes are (every
  colour of a film clustered together), no matter *when* the colours occur. It comes from
  the least colour change that turns one palette into the other (the earth mover's
  distance, in ΔE2000): identical palettes score 1, a distance of {SIMILARITY_SCALE:g} ΔE
  scores 0.5, opposite colours score near 0.
- **Mean difference**, in ΔE: the average of the difference strip, whose columns compare
  the two films' palettes at the same relative time. It counts *when* colours occur:
  two films with the same colours in a different order have a similar palette but a
  high mean difference.
- **Curve correlation**, −1 to +1: whether the films brighten, saturate and warm
  together (+1), independently (0) or in opposite directions (−1); the mean of the
  correlations of the lightness, chroma and warmth curves, n/a when a curve is flat.
- **Most different at**: where in the running time the difference strip peaks.

**Moment by moment.** Relative time is wrong as soon as one film has a scene the other
lacks: a cut scene, an added prologue, a director's cut, a clip or a trailer. So the
two films' moments are also paired in order, as genes are aligned (Needleman-Wunsch for
the whole films, Smith-Waterman for the best-matching stretch), each pair costing the
ΔE2000 distance between its two palettes, as the difference strip measures it.

- **Gaps**: stretches one film has and the other lacks, marked in red and listed with
  their times from that film's start. A cut scene is a gap in the longer film; an added
  one, a gap in the film that has it; footage replaced by other footage, a gap in each.
- **Gap cost**: leaving moments unpaired costs {GAP_OPEN:g} ΔE2000 per gap and {GAP:g}
  more per moment in it. Opening a gap costs more than lengthening one, so an edit comes
  out as one gap rather than in pieces; and a stretch whose moments differ by more than
  about {2 * GAP:g} ΔE2000 on average ("clearly different") is left in a gap rather than
  paired. These costs were chosen on synthetic films with known edits (cuts of 2 to
  20 s, an insertion, a replaced scene, a clip), where every edit was found within a
  sample or two of where it was made.
- **Alignment score**, 0 to 1: how much of both films pairs up in order. 1 for the same
  moments in the same order; each pair counts less the further apart its colours, each
  moment in a gap counts 0. A 2-minute film against itself with 24 s cut out scores
  0.75 to 0.9 (less when the two were sampled at different instants), two unrelated
  films 0.
- **Best-matching stretch**: the part of each film that matches the other best, such as
  where a clip was cut from. The page shows it instead of the whole films when those
  mostly do not pair (under half of the moments) but a stretch does.

The comparison's PNG download draws this too, under the strips and palettes: both films
on their own running times, the paired moments joined, the gaps hatched in red with
their lengths, the best-matching stretch outlined in white, and the alignment score with
what it means.
"""
)

st.markdown("### Searching a collection")
st.markdown(
    """
On **Collection**, **Search the films** finds moments across every film of the page (the
library's films, or the batch folder's when the app was started on one: `fingerprint
batch`, then `streamlit run app.py -- --collection DIR`) by colour: pick a colour or
type hex codes (#c0392b). A moment's palette colour that is ΔE2000 *d* away from the
colour asked for and covers a share *s* of the frame scores

  score = √s × 1 / (1 + (d / 10)²)

and the moment scores with its best colour; colours more than 15 ΔE away do not count.
The second factor is the palette similarity above (½ at 10 ΔE); the square root lets a
small patch of exactly the colour rank: the very colour on a quarter of the frame scores
0.5, like the whole frame in a colour 10 ΔE away, and 4 % of the frame exactly scores
0.2. Several colours are a palette: a moment must hold each of them, and scores the
geometric mean of their scores. Each hit shows its film, its timecode, the film's strip
around the moment over the moment's palette, how far (ΔE) and how much of the frame;
**Open** shows it on Explore at that moment.

**Moments like one** lists the moments of other films whose palettes are nearest a
moment's (the earth mover's distance, as for two films); **Like this** on a hit starts
there. **Films like one** lists the films nearest a film by whole-film palette, the
Compare page's palette distance. The command line does the same:
`fingerprint search DIR --color '#c0392b' [--json]`, `--like FILM [--at TIME]`.
"""
)

st.markdown("### Your films")
st.markdown(
    f"""
- **Upload** any video up to {upload_limit()}. It goes to this server's disk as it
  arrives and is kept in its cache folder, private to your browser tab. When several
  visitors upload at once, the server may ask you to try again in a minute.
- **Movies folder**: when you run the app yourself, open films of any size without
  uploading them:

  ```
  streamlit run app.py -- --movies ~/Movies
  ```

  or set `{MOVIES_ENV_VAR}=~/Movies`. Only files under that folder can be opened.
- **Library**: every film this server has analysed, with its duration, resolution and when.
"""
)

st.markdown("### Demo films")
for demo in demos().values():
    st.markdown(
        f"- **{demo.title}**: {demo.description}  \n"
        f"  {demo.credit} · [{demo.licence}]({demo.licence_url}) · [source]({demo.source_url})"
    )
