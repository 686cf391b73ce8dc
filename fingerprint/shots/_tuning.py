"""Shot detection's tuning: every number that changes which boundaries are found or which
pixels a shot's palette is drawn from.

Every upper-case number here keys the cache (`shots_key`): a retuned detector is never
served boundaries an older one found. Each says where it was measured.
"""

# Long side of the frames the detectors see, px. PySceneDetect's own default downscales
# HD to about 256 px; half that finds the same cuts (tests/test_shots.py) at a quarter of
# the per-frame work.
SIZE = 128
# ContentDetector's threshold and shortest shot, PySceneDetect's defaults (27; 15 frames),
# and ThresholdDetector's (mean pixel value 12 of 255 is black).
CUT_THRESHOLD = 27.0
FADE_THRESHOLD = 12.0
MIN_SHOT_FRAMES = 15
# Dissolve test: the span compared (s), the least mean change over it (0-255 RGB, at the
# 32-px size below) and how far from a linear mix the middle frame may be, relative to
# that change (a cut across the window scores 0.5: its middle is one end).
DISSOLVE = 1.0
DISSOLVE_CHANGE = 25.0
DISSOLVE_MIX = 0.2
# ... and the share of the picture that must change (by more than DISSOLVE_PIXEL in some
# channel): a dissolve to another shot changes nearly all of it (98 % in the test film's
# cross-fade), a title fading in over a shot only its letters and their glow (at most 52 %
# for the large "Big Buck Bunny" of the benchmark film, 1080p).
DISSOLVE_PIXEL = 20.0
DISSOLVE_SPREAD = 0.7
TINY = 32
# The longest dissolve placed by its ramp (s): it sets the frames kept for it. The least
# share of the new picture, and of the old, at a frame inside the ramp (a cut the content
# detector marks there is the dissolve's own), and the shares where the ramp is taken to
# start and end when it is read again between its own ends.
DISSOLVE_LONGEST = 2.5
DISSOLVE_EDGE = 0.02
DISSOLVE_END = 0.05
# Width (px) of the frames a dissolve's ramp is read from (the cross-fades of
# tests/test_shots.py, one reading, before rounding to a frame: at 32 px a 2 s one from a
# colour spectrum to testsrc read 1.5 frames late, at 8 px 1.0; a 1 s one between two
# panning pictures 1.1 frames late and 0.35 early).
RAMP = 8
# Pixels drawn from each frame for its shot's reservoir (`_pixels.POOL` kept per shot),
# and the frames they are drawn for at once (one numpy call, not one per frame).
PER_FRAME = 16
DRAWS = 64

# Bumped when a change to the detectors or the reservoirs changes what they find without
# changing one of the numbers above: the cache then finds the shots again (`shots_key`).
# 4: B-frames nothing after them uses are decoded without the loop filter (`_decoders`).
DETECTOR_VERSION = 4
