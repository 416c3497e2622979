"""Pure rules: no database, no CLI, no I/O."""
