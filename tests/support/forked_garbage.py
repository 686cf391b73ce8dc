"""Run as a script (tests/engine/test_forking.py): the pipeline forks its children while
the parent holds garbage that owns threads only the parent has, and each child collects
garbage first thing. Prints ``ok`` when every child came back.

    python tests/support/forked_garbage.py FILM
"""

import gc
import sys

import av
import numpy as np

import fingerprint.palette._workers as workers
import fingerprint.sound._forked as forked
from fingerprint import Params, analyze
from fingerprint.palette._histogram import color_histograms
from fingerprint.palette._kmeans import palettes_in_parts


def garbage():
    """An unreachable cycle holding a resampler whose filter graph runs threads."""
    frame = av.AudioFrame.from_ndarray(np.zeros((2, 1024), np.float32), format="fltp",
                                       layout="stereo")
    frame.sample_rate = 44100
    resampler = av.AudioResampler(format="s16", layout="mono", rate=22050)
    resampler.resample(frame)
    cycle = [resampler]
    cycle.append(cycle)


def collecting(real):
    def first_collect(*args):
        gc.collect()  # what a busy child soon does
        return real(*args)
    return first_collect


gc.disable()
forked._serve = collecting(forked._serve)
workers.ignore_interrupts = collecting(workers.ignore_interrupts)
garbage()
fp = analyze(sys.argv[1], params=Params(samples=6, sound=True))
garbage()
frames = np.random.default_rng(0).integers(0, 256, (200, 8, 8, 3), dtype=np.uint8)
offsets, counts, means, _ = color_histograms(frames)
list(palettes_in_parts([(offsets, counts, means)], k=3))
print("ok", len(fp.loudness))
