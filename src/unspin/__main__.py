"""``python -m unspin`` runs the command line."""

from .cli import main

main()
