"""Loudness (LUFS) of sound in memory, by EBU R128 / ITU-R BS.1770.

Each channel is K-weighted (a high shelf for the head's effect, a high-pass for the ear's
deafness to rumble), its mean square weighted by position (surrounds x1.41, LFE left
out), summed, and ``-0.691 + 10 log10``. K-weighting is applied in the frequency domain:
by Parseval the mean square of the filtered window is the window's power spectrum
weighted by the filters' squared magnitude, so one FFT per window and channel replaces a
sample-by-sample IIR loop (which NumPy cannot batch). It differs from filtering in time
only by the filters' start-up transient, a few ms of a window of seconds.
"""

from __future__ import annotations

import functools
import math

import numpy as np

# R128's absolute gate: anything quieter (silence reads as -inf) is reported at this floor,
# so a silent column has a level a chart and a JSON file can hold.
FLOOR = -70.0
# Samples per FFT block: bins of 5.4 Hz at 44.1 kHz, fine enough for the K-weighting's
# gentlest slope: tones above 100 Hz read within 0.01 dB of the standard's filters; at
# 30-45 Hz, on the high-pass's slope, within 0.8 dB.
_BLOCK = 8192
# Blocks per batched FFT: bounds the spectra held at once to a few MB however long the
# window (exact mode's slot of a long film with few samples may span minutes).
_CHUNK = 32

# BS.1770 K-weighting as analogue prototypes, so it applies at any sample rate (the
# standard gives coefficients for 48 kHz only; these reproduce them: libebur128's values).
_SHELF = (3.999843853973347, 0.7071752369554196, 1681.974450955533)  # gain dB, Q, Hz
_HIGH_PASS = (0.5003270373238773, 38.13547087602444)  # Q, Hz


def _biquad_gain(b: tuple, a: tuple, w: np.ndarray) -> np.ndarray:
    """|H(e^jw)|² of a biquad."""
    z = np.exp(-1j * w)
    return np.abs(np.polyval(b[::-1], z) / np.polyval(a[::-1], z)) ** 2


@functools.lru_cache(maxsize=8)
def k_weighting(rate: int, n: int) -> np.ndarray:
    """K-weighting's squared magnitude at the ``n // 2 + 1`` bins of an n-point rfft, mirror
    images counted: ``|rfft(x, n)|² @ k_weighting(rate, n) / n`` is the filtered sum of squares."""
    w = 2 * np.pi * np.fft.rfftfreq(n, 1 / rate) / rate
    gain_db, q, fc = _SHELF
    k = np.tan(np.pi * fc / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    shelf = _biquad_gain(
        (vh + vb * k / q + k * k, 2 * (k * k - vh), vh - vb * k / q + k * k),
        (1 + k / q + k * k, 2 * (k * k - 1), 1 - k / q + k * k),
        w,
    )
    q, fc = _HIGH_PASS
    k = np.tan(np.pi * fc / rate)
    a0 = 1 + k / q + k * k
    # The standard leaves this numerator unnormalised (a passband gain of +0.04 dB).
    high_pass = _biquad_gain((1, -2, 1), (1, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0), w)
    gain = shelf * high_pass
    # Each bin but DC and Nyquist stands for itself and its mirror image.
    gain[1 : (n + 1) // 2] *= 2
    gain.flags.writeable = False  # shared by the cache
    return gain


def channel_weights(names: list[str]) -> np.ndarray:
    """BS.1770's weight of each channel by its position: surrounds 1.41, LFE 0, others 1."""
    surround = {"SL", "SR", "BL", "BR", "SIDE_LEFT", "SIDE_RIGHT", "BACK_LEFT", "BACK_RIGHT"}
    return np.array(
        [0.0 if "LFE" in n else 1.41 if n in surround else 1.0 for n in names]
    )


def lufs(samples: np.ndarray, *, rate: int, weights: np.ndarray | None = None) -> float:
    """Loudness (LUFS) of ``samples`` ``(channels, n)`` float, full scale ±1: a sine of
    peak 10^(L/20) in every channel of a stereo pair reads L at 1 kHz. Silence reads
    `FLOOR`; an empty window reads NaN."""
    channels, n = samples.shape
    if n == 0:
        return math.nan
    weights = np.ones(channels) if weights is None else weights
    gain = _pair_gain(rate, _BLOCK)
    # Parseval block by block: blocks of _BLOCK samples (the last zero-padded, which adds
    # no energy) share one cached filter response, and short FFTs batched over blocks
    # cost a third of one long FFT of the window. Whole blocks go _CHUNK at a time, so a
    # long window needs no padded copy and its spectra take a bounded amount of memory.
    # Each chunk copied to double precision first: the window is a strided view of the
    # decoder's buffer, and NumPy 2.4's FFT of the view took 2.2 ms against 0.55 ms for
    # a contiguous copy, float32 or float64 alike (3 s of stereo at 44.1 kHz). The power
    # spectrum is summed from the spectrum's real and imaginary parts read as floats
    # (`_power`): `np.abs(...) ** 2` takes a square root per bin, 0.27 ms a 3 s window
    # against 0.10 ms (docs/benchmarks.md, "Sixth round").
    energy = np.zeros(channels)
    for lo in range(0, n, _CHUNK * _BLOCK):
        chunk = samples[:, lo : lo + _CHUNK * _BLOCK].astype(np.float64)
        blocks, rest = divmod(chunk.shape[1], _BLOCK)
        if blocks:
            whole = chunk[:, : blocks * _BLOCK].reshape(channels, blocks, _BLOCK)
            energy += _power(np.fft.rfft(whole, axis=2)) @ gain
        if rest:
            energy += _power(np.fft.rfft(chunk[:, None, blocks * _BLOCK :], n=_BLOCK)) @ gain
    power = float(weights @ energy) / (_BLOCK * n)
    return max(FLOOR, -0.691 + 10 * math.log10(power)) if power > 0 else FLOOR


def _power(spectra: np.ndarray) -> np.ndarray:
    """Spectra ``(channels, blocks, bins)`` to each channel's real parts squared and
    imaginary parts squared, side by side, summed over blocks (`_pair_gain` weights and
    sums them to the power)."""
    parts = spectra.view(np.float64)
    return np.einsum("cbf,cbf->cf", parts, parts)


@functools.lru_cache(maxsize=8)
def _pair_gain(rate: int, n: int) -> np.ndarray:
    """`k_weighting` for each bin's real and imaginary parts, as `_power` lays them out."""
    gain = np.repeat(k_weighting(rate, n), 2)
    gain.flags.writeable = False
    return gain
