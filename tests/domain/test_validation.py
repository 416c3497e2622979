import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alertctl.domain.model import Event, Source, parse_enum_list
from alertctl.domain.validation import check_code, check_text, normalize_email, normalize_fax
from alertctl.errors import Invalid

LINE_BREAKING = st.sampled_from(["\r", "\n", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"])


@given(st.text(max_size=20), LINE_BREAKING, st.text(max_size=20))
def test_text_with_any_control_character_is_refused(before: str, char: str, after: str) -> None:
    with pytest.raises(Invalid, match=f"U\\+{ord(char):04X}|U\\+"):
        check_text(before + char + after, "name")


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Zl", "Zp", "Cs")),
        min_size=1,
        max_size=200,  # the longest name
    )
)
def test_text_without_control_characters_is_kept_stripped(value: str) -> None:
    if not value.strip() or any(
        c in value for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    ):
        return
    assert check_text(value, "name") == value.strip()
    assert all(unicodedata.category(c) not in ("Cc", "Zl", "Zp") for c in check_text(value, "n"))


@pytest.mark.parametrize("code", ["ACME", "K1", "alice", "a.b-c_d", "X" * 64])
def test_valid_codes(code: str) -> None:
    assert check_code(code, "client") == code


@pytest.mark.parametrize("code", ["", "-a", "a b", "A/B", "X" * 65, "é", "a\nb"])
def test_invalid_codes(code: str) -> None:
    with pytest.raises(Invalid):
        check_code(code, "client")


def test_email_is_normalised_without_network() -> None:
    assert normalize_email("Alice@ACME.Example") == "Alice@acme.example"
    with pytest.raises(Invalid):
        normalize_email("alice@@acme.example")


@pytest.mark.parametrize(
    ("number", "region", "e164"),
    [
        ("01 45 00 00 01", "FR", "+33145000001"),
        ("+1 217 555 0100", "FR", "+12175550100"),
        ("(217) 555-0100", "US", "+12175550100"),
    ],
)
def test_fax_numbers_are_stored_in_e164(number: str, region: str, e164: str) -> None:
    assert normalize_fax(number, region) == e164


def test_enum_lists_keep_order_and_drop_repeats() -> None:
    assert parse_enum_list(Event, "resolution, open,resolution", "event") == [
        Event.RESOLUTION,
        Event.OPEN,
    ]
    assert parse_enum_list(Source, "client", "source") == [Source.CLIENT]
    with pytest.raises(Invalid, match="no source given"):
        parse_enum_list(Source, " , ", "source")
