"""`python -m stance.cli`: the command line."""

from . import main

main()
