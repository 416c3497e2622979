"""Counts in messages agree with their nouns."""

from alertctl.domain.wording import counted


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert counted(1, "alert") == "1 alert"
    assert counted(0, "alert") == "0 alerts"
    assert counted(2, "status", "statuses") == "2 statuses"
    assert counted(1_234, "save record") == "1,234 save records"
