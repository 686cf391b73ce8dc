"""``python -m fingerprint`` and the ``fingerprint`` command: the command line.

A Ctrl-C while NumPy and FFmpeg load is held until they have loaded, then honoured as an
ordinary interruption (status 130): raised inside an extension module's import it would
surface as an ImportError with a traceback.

The garbage collector rests while the modules load and at exit: the objects the imports
make live as long as the process, so the collector's passes over them find nothing, and
the interpreter's last collections at exit walked them all again (20 ms of every
command, docs/benchmarks.md, issue 18 §3). In between it runs as ever.
"""

import gc
import signal
import sys


def run() -> int:
    interrupted = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    gc.disable()
    try:
        from .cli import INTERRUPTED, main
    finally:
        signal.signal(signal.SIGINT, previous)
        gc.enable()
    if interrupted:
        print("\ninterrupted", file=sys.stderr)
        return INTERRUPTED
    try:
        return main()
    finally:
        # Frozen objects are left to the process's exit, which frees them at once; Python
        # does not promise finalisers at exit to objects that outlive it anyway.
        gc.freeze()


if __name__ == "__main__":
    sys.exit(run())
