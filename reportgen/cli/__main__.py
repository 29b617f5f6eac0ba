"""`python -m reportgen.cli`: the command line."""

from . import main

main()
