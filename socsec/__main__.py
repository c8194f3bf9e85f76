"""`python -m socsec`: the same as the `socsec` command."""

from socsec.cli.main import main

main()
