"""``python -m assistant``: the command line."""

from assistant.interfaces.cli import main

main()
