"""Movie Color Fingerprint: a film's dominant colours over its running time.

>>> from fingerprint import analyze, Params
>>> fp = analyze("film.mp4", params=Params(samples=500, clusters=5))
>>> fp.colors.shape   # (samples, k, 3) uint8, each palette ordered by share

The names here are the one way in for a library user; each subpackage holds one concern:

- `decode`: probe a film, sample its frames, HDR to SDR;
- `palette`: colour maths, k-means, black bars, colour-blind vision (`seen_with`);
- `cache`: the on-disk cache keyed by content;
- `shots`: cuts, fades, dissolves and each shot's palette (the ``shots`` extra);
- `sound`: the sound print, loudness at each moment;
- `compare`: two films side by side, palette distances;
- `collection`: many films, `fingerprint batch` on Dask (the ``batch`` extra);
- `poster`: PNG and SVG posters, the colour script among them (Pillow only);
- `plotting`: the app's Plotly figures (the ``plot`` extra);
- `cli`: the ``fingerprint`` command.

Names are imported on first use (PEP 562 through `lazy_loader`, as scikit-image does, from
`__init__.pyi`, which type checkers read), so ``import fingerprint`` is instant: the command
line can catch Ctrl-C before NumPy and FFmpeg load.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
