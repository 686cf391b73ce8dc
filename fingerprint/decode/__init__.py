"""Reading films: which stream is the film and what it holds (`probe`), frames sampled
evenly straight from the file (`sample`, `frame_at`), and HDR or wide-gamut pictures
brought to the SDR colours every palette is measured in (`to_sdr`).

Modules: `_video` (open and probe, with every failure turned into our exceptions),
`_reader` (one decoder walking forward), `_rgb` (a frame to RGB at working size),
`_sampling` (the samples, several decoders in parallel: `decoder_count`), `_frames`
(the samples as arrays, and held compressed), `_hdr` (HDR to SDR), `_matrices` (the
YCbCr matrices, one table).
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
