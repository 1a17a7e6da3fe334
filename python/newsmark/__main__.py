"""``python -m newsmark``: the ``newsmark`` command."""

from ._cli import main

main()
