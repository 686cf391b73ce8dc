"""``python -m fingerprint`` and the ``fingerprint`` command: the command line.

The command line is imported inside `run`, so a Ctrl-C while NumPy and FFmpeg load is an
ordinary interruption (status 130), not a traceback.
"""

import sys


def run() -> int:
    try:
        from .cli import main
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(run())
