"""Running alertctl: creating the database, the demo, the checks, shell completion, and a person's
data exported or erased."""
