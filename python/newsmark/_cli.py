"""The ``newsmark`` command installed with the package: the command line of
the binary, run in this process by the engine."""

import os
import signal
import sys


def main() -> None:
    """Runs ``newsmark`` with ``sys.argv`` and exits with its code."""
    from . import _native

    # As in the binary: Ctrl-C stops the command at once (Python's handler
    # would only set a flag the engine never reads).
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    args = [os.fsencode("newsmark")] + [os.fsencode(a) for a in sys.argv[1:]]
    code = _native.main(args)
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
