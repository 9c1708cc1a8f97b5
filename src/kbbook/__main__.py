"""`python -m kbbook`."""

from .cli import main

main()
