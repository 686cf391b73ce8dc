"""Films with known answers that several test modules read: tones at known levels
(`make_tones`, the sound print) and shots with cuts and a cross-fade at known times
(`make_clips`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .videos import ffmpeg_exe

LEVELS = (None, -20.0, -6.0)
TONES = f"if(lt(t,2),0,if(lt(t,4),{10 ** (-20 / 20)},{10 ** (-6 / 20)}))*sin(2*PI*1000*t)"


def make_tones(path: Path, *, codec: str = "aac", video: str = "libx264") -> Path:
    """A 6 s film (grey picture) whose sound is `LEVELS`, 2 s each."""
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y",
         "-f", "lavfi", "-i", "color=c=gray:s=160x90:r=10:d=6",
         "-f", "lavfi", "-i", f"aevalsrc='{TONES}':s=48000:d=6:c=stereo",
         "-c:v", video, "-pix_fmt", "yuv420p", "-c:a", codec, "-shortest", str(path)],
        check=True,
    )
    return path


FPS = 24
# Clips of 2, 2, 2 s, then 3 s and 3 s joined by a 1 s cross-fade (xfade): hard cuts at
# 2, 4 and 6 s, the cross-fade from 8 to 9 s, its middle at 8.5 s; 11 s in all.
CUTS = (2.0, 4.0, 6.0, 8.5)
END = 11.0


def make_clips(path: Path) -> Path:
    size = "160x90"
    sources = [
        f"testsrc2=s={size}:r={FPS}:d=2",
        f"rgbtestsrc=s={size}:r={FPS}:d=2",
        f"smptehdbars=s={size}:r={FPS}:d=2",
        f"colorspectrum=s={size}:r={FPS}:d=3",  # (gradients picks random colours: not this)
        f"testsrc=s={size}:r={FPS}:d=3",
    ]
    inputs = [arg for source in sources for arg in ("-f", "lavfi", "-i", source)]
    graph = (
        "[0][1][2]concat=n=3[a];[3][4]xfade=transition=fade:duration=1:offset=2[b];"
        "[a][b]concat=n=2,format=yuv420p"
    )
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", *inputs, "-filter_complex", graph,
         # One thread, bit-exact: the film is the same bytes on every run.
         "-c:v", "libx264", "-g", "48", "-threads", "1", "-filter_complex_threads", "1",
         "-fflags", "+bitexact", str(path)],
        check=True,
    )
    return path
