"""Counts in messages, with the noun in the right number ("1 alert", "2 alerts")."""


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`count` and its noun: the singular for exactly one, the plural (by default the
    singular and an s) otherwise, zero included, as English has it."""
    noun = singular if count == 1 else plural or f"{singular}s"
    return f"{count:,} {noun}"
