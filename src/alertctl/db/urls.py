"""What `--db` names, without importing SQLAlchemy (shell completion reads it too)."""

from pathlib import Path


def to_url(db: str) -> str:
    """`--db` takes a SQLAlchemy URL or a plain path to a SQLite file."""
    return db if "://" in db else f"sqlite:///{Path(db).expanduser()}"
