"""``python -m voice``: the ``voice`` command, for a virtualenv whose scripts are not on the PATH."""

from .cli import main

main()
