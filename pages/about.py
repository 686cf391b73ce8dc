"""About and help: how to read a fingerprint, what the settings do, how two films are
compared, where films come from."""

import streamlit as st

from fingerprint import Params
from fingerprint.compare._compare import SIMILARITY_SCALE
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
