"""``python -m service``: the command line (see ``service.cli``)."""
from .cli import main

main(prog_name="python -m service")
