"""Use cases: one function per command, each in one unit of work. No Typer, no Rich."""
