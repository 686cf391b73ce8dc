"""``python -m fingerprint`` and the ``fingerprint`` command: the command line.

A Ctrl-C while NumPy and FFmpeg load is held until they have loaded, then honoured as an
ordinary interruption (status 130): raised inside an extension module's import it would
surface as an ImportError with a traceback.
"""

import signal
import sys


def run() -> int:
    interrupted = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
    try:
        from .cli import INTERRUPTED, main
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted:
        print("\ninterrupted", file=sys.stderr)
        return INTERRUPTED
    return main()


if __name__ == "__main__":
    sys.exit(run())
