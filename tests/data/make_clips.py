"""Makes this project's own test clips in tests/data (see README.md beside this script).

They stand in for borrowed clips whose origin is undocumented, so they cannot ship: each
is drawn frame by frame with NumPy and encoded with PyAV (the ``av`` package the engine
reads with), H.264 video and AAC sound, in a way that writes the same bytes every run.

    python tests/data/make_clips.py [OUT_DIR]     # default: this folder

Every property a test checks (size, frame count and times, rotation, bar width) is a
constant here. Another FFmpeg build may encode other bytes, never another answer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

HERE = Path(__file__).resolve().parent
CLOCK = 90_000  # ticks per second, as phones and most MP4 writers stamp video
SOUND_RATE = 48_000

# --- a phone recording, held upside down, at a variable frame rate ---------------------
PHONE = "synth_phone_2s_720p_rot180_vfr_h264.mp4"
PHONE_SIZE = (1280, 720)  # coded (width, height); shown the same size, turned 180 degrees
PHONE_ROTATION = 180
# Gaps between frames (ms): a phone camera's rate follows the light and the processor.
PHONE_GAPS_MS = (
    100, 67, 133, 100, 83, 117, 67, 100, 150, 83, 100, 67,
    117, 100, 133, 83, 67, 100, 117, 83, 100, 133, 67, 100,
)
PHONE_TIMES_MS = tuple(int(t) for t in np.concatenate([[0], np.cumsum(PHONE_GAPS_MS)]))

# --- a black-and-white 4:3 film inside a 16:9 frame ------------------------------------
PILLARBOX = "synth_pillarbox_6s_360p_bw_h264.mp4"
PILLARBOX_SIZE = (640, 360)
PILLARBOX_BAR = 80  # black columns left and right: the picture is 480 of 640 px wide
PILLARBOX_FPS = 24
PILLARBOX_FRAMES = 144
PILLARBOX_CUT = 72  # the second shot's first frame

# --- a very short clip at an odd frame rate --------------------------------------------
SHORT = "synth_short_1s_240p_h264.mp4"
SHORT_SIZE = (320, 240)
SHORT_FPS = Fraction(2503, 100)  # 25.03 fps, a camera's measured rate
SHORT_FRAMES = 30


def _grid(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel centres as fractions of the frame: ``x`` (1, W) and ``y`` (H, 1) in 0-1."""
    x = (np.arange(width) + 0.5)[None, :] / width
    y = (np.arange(height) + 0.5)[:, None] / height
    return x, y


def _smooth_noise(rng: np.random.Generator, width: int, height: int, cell: int) -> np.ndarray:
    """Low-frequency texture in about -1..1: random values on a coarse grid, blended."""
    gh, gw = height // cell + 2, width // cell + 2
    coarse = rng.uniform(-1, 1, (gh, gw))
    ys = np.arange(height) / cell
    xs = np.arange(width) / cell
    y0, x0 = ys.astype(int), xs.astype(int)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    fy, fx = fy * fy * (3 - 2 * fy), fx * fx * (3 - 2 * fx)
    a = coarse[y0][:, x0]
    b = coarse[y0][:, x0 + 1]
    c = coarse[y0 + 1][:, x0]
    d = coarse[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def _disc(x: np.ndarray, y: np.ndarray, cx: float, cy: float, r: float, aspect: float):
    """Soft-edged disc mask (0-1) of radius ``r`` (fraction of the height)."""
    d = np.hypot((x - cx) * aspect, y - cy)
    return np.clip((r - d) / 0.004 + 0.5, 0, 1)


def _to_uint8(rgb: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def phone_frame(t: float, texture: np.ndarray) -> np.ndarray:
    """The upright picture at ``t`` s: sky, sun, a field, a red ball rolling right, and
    the small shake of a hand-held camera."""
    width, height = PHONE_SIZE
    shake_x = 6 * np.sin(2 * np.pi * 1.3 * t) + 3 * np.sin(2 * np.pi * 3.1 * t)
    shake_y = 4 * np.sin(2 * np.pi * 1.7 * t + 1)
    x, y = _grid(width, height)
    x = x + shake_x / width
    y = y + shake_y / height
    aspect = width / height
    horizon = 0.62 + 0.02 * (x - 0.5)
    sky_mix = np.clip(y / horizon, 0, 1)[..., None]
    sky = (1 - sky_mix) * np.array([40, 90, 175]) + sky_mix * np.array([175, 205, 235])
    frame = np.broadcast_to(sky, (height, width, 3)).copy()
    sun = _disc(x, y, 0.18, 0.2, 0.08, aspect)[..., None]
    frame = frame * (1 - sun) + sun * np.array([255, 235, 150])
    ground = (y > horizon)[..., None]
    depth = np.clip((y - horizon) / (1 - horizon), 0, 1)[..., None]
    grass = np.array([70, 120, 45]) * (0.8 + 0.35 * depth) + 22 * texture[..., None]
    frame = np.where(ground, grass, frame)
    ball = _disc(x, y, 0.25 + 0.25 * t, 0.8, 0.07, aspect)[..., None]
    frame = frame * (1 - ball) + ball * np.array([205, 35, 30])
    return _to_uint8(frame)


def pillarbox_frame(i: int) -> np.ndarray:
    """Frame ``i`` of the B&W film: a lit wall and floor with a figure walking across,
    then a dark room with a bright window; lamp flicker and a vignette throughout. The
    picture never goes black at its edges, so only the bars are bars."""
    width, height = PILLARBOX_SIZE
    inner = width - 2 * PILLARBOX_BAR
    x, y = _grid(inner, height)
    aspect = inner / height
    t = i / PILLARBOX_FPS
    if i < PILLARBOX_CUT:
        luma = np.where(y < 0.7, 185 - 40 * y, 110 - 30 * (y - 0.7)) + 0 * x
        px = 0.15 + 0.55 * t / 3
        body = (np.abs(x - px) < 0.06) & (y > 0.35) & (y < 0.85)
        head = _disc(x, y, px, 0.28, 0.07, aspect) > 0.5
        luma = np.where(body | head, 45, luma)
    else:
        luma = 70 + 25 * y + 0 * x
        window = (np.abs(x - 0.65) < 0.13) & (np.abs(y - 0.35) < 0.18)
        luma = np.where(window, 225, luma)
        sill = (np.abs(x - 0.65) < 0.16) & (np.abs(y - 0.55) < 0.015)
        luma = np.where(sill, 150, luma)
    vignette = 1 - 0.35 * np.clip(np.hypot(x - 0.5, (y - 0.5) * 0.9) / 0.7, 0, 1) ** 2
    flicker = 1 + 0.04 * np.sin(2 * np.pi * 5.3 * t) * np.cos(2 * np.pi * 0.7 * t)
    picture = np.clip(luma * vignette * flicker, 40, 255)
    frame = np.zeros((height, width, 3), np.uint8)
    frame[:, PILLARBOX_BAR : PILLARBOX_BAR + inner] = _to_uint8(picture)[..., None]
    return frame


def short_frame(i: int) -> np.ndarray:
    """Frame ``i`` of the short clip: colour bands drifting through the hues behind a
    white disc that bounces, so every frame differs."""
    width, height = SHORT_SIZE
    x, y = _grid(width, height)
    hue = (x + 0.3 * y + i / SHORT_FRAMES) % 1.0
    k = (np.array([5.0, 3.0, 1.0]) + 6 * hue[..., None]) % 6
    rgb = 255 * (1 - 0.8 * np.clip(np.minimum(k, 4 - k), 0, 1))
    disc = _disc(x, y, 0.2 + 0.6 * i / (SHORT_FRAMES - 1), 0.5 - 0.3 * np.sin(np.pi * i / 12),
                 0.12, width / height)[..., None]
    return _to_uint8(rgb * (1 - disc) + 250 * disc)


def _sound(seconds: float, seed: int, tones: Sequence[float]) -> np.ndarray:
    """Mono float32 sound: soft noise (a room, a projector) and quiet tones."""
    rng = np.random.default_rng(seed)
    n = round(seconds * SOUND_RATE)
    noise = np.convolve(rng.standard_normal(n), np.ones(24) / 24, mode="same")
    t = np.arange(n) / SOUND_RATE
    wave = 0.2 * noise + sum(0.08 * np.sin(2 * np.pi * f * t) for f in tones)
    fade = np.minimum(1, np.minimum(t, t[-1] - t) / 0.02)
    return (wave * fade).astype(np.float32)


def write_clip(
    path: Path,
    frames: Callable[[int], np.ndarray],
    times: Sequence[Fraction],
    sound: np.ndarray,
    *,
    rate: Fraction,
    rotation: int | None = None,
    x264: dict[str, str] | None = None,
) -> Path:
    """Encode ``frames(i)`` shown at ``times[i]`` seconds (stamped on the `CLOCK`),
    H.264 at nominal ``rate``, with ``sound`` as mono AAC."""
    with av.open(str(path), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=rate)
        first = frames(0)
        video.height, video.width = first.shape[:2]
        video.pix_fmt = "yuv420p"
        video.time_base = Fraction(1, CLOCK)
        video.codec_context.time_base = Fraction(1, CLOCK)
        # One thread and no assembly: x264's SIMD paths read a few bytes past their
        # buffers at some sizes, so the same run could otherwise write different bytes.
        video.codec_context.thread_count = 1
        video.options = {"preset": "medium", "crf": "26", "x264-params": "asm=0",
                         **(x264 or {})}
        if rotation is not None:
            video.set_display_rotation(rotation)
        audio = container.add_stream("aac", rate=SOUND_RATE, layout="mono")
        audio.bit_rate = 48_000

        for i, t in enumerate(times):
            picture = first if i == 0 else frames(i)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = round(t * CLOCK)
            frame.time_base = Fraction(1, CLOCK)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)

        step = 1024
        for start in range(0, len(sound), step):
            chunk = sound[None, start : start + step]
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate = SOUND_RATE
            frame.pts = start
            frame.time_base = Fraction(1, SOUND_RATE)
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    return path


def make_phone(out: Path) -> Path:
    width, height = PHONE_SIZE
    texture = _smooth_noise(np.random.default_rng(17), width + 40, height + 40, 24)
    texture = texture[20 : 20 + height, 20 : 20 + width]
    times = [Fraction(ms, 1000) for ms in PHONE_TIMES_MS]
    # Held upside down: the sensor's picture is the scene turned 180 degrees, and the
    # display matrix turns it back.
    return write_clip(
        out / PHONE,
        lambda i: np.ascontiguousarray(np.rot90(phone_frame(float(times[i]), texture), 2)),
        times,
        _sound(float(times[-1]) + 0.1, 1, [330.0]),
        rate=Fraction(10),
        rotation=PHONE_ROTATION,
        x264={"profile": "baseline", "crf": "30"},
    )


def make_pillarbox(out: Path) -> Path:
    times = [Fraction(i, PILLARBOX_FPS) for i in range(PILLARBOX_FRAMES)]
    return write_clip(
        out / PILLARBOX, pillarbox_frame, times,
        _sound(PILLARBOX_FRAMES / PILLARBOX_FPS, 2, [196.0, 247.0]),
        rate=Fraction(PILLARBOX_FPS),
    )


def make_short(out: Path) -> Path:
    times = [i / SHORT_FPS for i in range(SHORT_FRAMES)]
    return write_clip(
        out / SHORT, short_frame, times, _sound(float(SHORT_FRAMES / SHORT_FPS), 3, [523.0]),
        rate=SHORT_FPS,
    )


def main(argv: Sequence[str]) -> None:
    out = Path(argv[0]) if argv else HERE
    out.mkdir(parents=True, exist_ok=True)
    for make in (make_phone, make_pillarbox, make_short):
        path = make(out)
        print(f"{path}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
