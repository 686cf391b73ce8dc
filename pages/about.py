"""About and help: how to read a fingerprint, what the settings do, where films come from."""

import streamlit as st

from webapp.routing import require_router
from webapp.server import MOVIES_ENV_VAR, demos, upload_limit

require_router()

st.markdown("## About Movie Color Fingerprint")
st.markdown(
    """
A film's colour fingerprint, or *movie barcode*: moments are taken evenly across the film,
the dominant colours of each frame are found with k-means, and each moment becomes one
column, its colours stacked top to bottom by how much of the picture they cover.
Read it left to right as the film's running time.

**Using it.** Point at a column to see its moment's timecode and colours with their hex
codes and shares. Click it to see the frame itself beside its palette; ◀ ▶ step through
the moments. Download a poster, the palettes as CSV or JSON, or copy the link: it reopens
the same film, settings and moment.
"""
)

st.markdown("### Views")
st.markdown(
    """
- **Palette**: each column's colours, heights proportional to their share of the frame.
- **Equal bands**: every colour the same height, as the original tool drew it.
- **Average colour**: each moment's mean colour, averaged in linear light (as light mixes),
  so a frame half black and half white reads as mid-grey rather than too dark.
- **Ring**: the original's circular plot; time runs clockwise from the top.
- **Colour wheel**: every colour of the film on CIELAB's a*/b* plane (hue around the centre,
  saturation outwards), sized by share. **3-D colour space** adds lightness upwards.
"""
)

st.markdown("### Settings")
st.markdown(
    """
- **Samples**: how many moments (columns). Empty means one per frame of a short clip, and
  1000 for a feature film (one every 7 seconds of a two-hour film).
- **Colours per moment (k)**: the palette size. Changing it reuses the decoded frames.
- **Sampling**: *fast* decodes a keyframe in each slot of the film; *exact* decodes the frame
  on screen at each sample time.
- **Colour space**: CIELAB groups colours as the eye sees them; RGB is what the original did.
- **Crop black bars**: leaves letterbox and pillarbox bars out of the palettes.
- **Start / End**: analyse part of the film; seconds (95) or h:mm:ss (1:02:03).

Results are cached by the film's content: reopening a film, changing the view or
reloading the page never analyses it again, and two people analysing the same film share
the work.
"""
)

st.markdown("### Your films")
st.markdown(
    f"""
- **Upload** any video up to {upload_limit()}. It is kept in this server's cache
  folder so that a share link can reopen it.
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
