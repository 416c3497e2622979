"""What a TAB proposes: the codes in the database that start with what was typed."""

from alertctl.db.lookup import CodeKind, codes


def complete(
    db: str | None, config: str | None, kind: CodeKind, prefix: str, within: str | None = None
) -> list[tuple[str, str]]:
    """(code, description) pairs; nothing when the settings or the database cannot be read,
    since a shell's completion has nowhere to show an error."""
    from alertctl.config import load_settings

    try:
        return codes(load_settings(db=db, config=config).db, kind, prefix, within=within)
    except Exception:
        return []
