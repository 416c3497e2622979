"""Out-of-range numbers and huge values get a short error: every text field has a limit, ids
fit in 64 bits, and no error echoes more than an excerpt of a bad value."""

import json
from pathlib import Path

import pytest

from tests.cli.test_ingest import write_feed
from tests.helpers import invoke, ok, refused

HUGE = "A" * 100_000


@pytest.mark.parametrize("command", [["show"], ["retry"], ["cancel"]])
def test_an_id_beyond_64_bits_is_bad_usage(sample_db: Path, command: list[str]) -> None:
    result = invoke(sample_db, "alerts", *command, "99999999999999999999999")
    assert result.exit_code == 2, str(result)
    assert "must be at most 9,223,372,036,854,775,807, not 99999999999999999999999" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["client", "add", HUGE, "--name", "x"],
        ["client", "show", HUGE],
        ["contact", "add", "c", "--client", HUGE],
        ["link", "contract", HUGE, "--contact", "alice"],
        ["request", "show", HUGE],
        ["alerts", "preview", HUGE],
        ["template", "show", HUGE],
        ["contact", "alerts", "alice", "--on", HUGE],
    ],
)
def test_a_huge_value_is_echoed_as_a_short_excerpt(sample_db: Path, args: list[str]) -> None:
    result = invoke(sample_db, *args)
    assert result.exit_code in (1, 2), str(result)[:500]
    assert len(result.stderr) < 400, result.stderr[:500]
    assert "(100,000 characters)" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["client", "add", "BIG", "--name", "n" * 201], "name is too long: 201 characters"),
        (
            ["client", "alerts", "ACME", "-e", "open", "--enable", "--keyword", "k" * 101],
            "keyword is too long: 101 characters, at most 100",
        ),
        (
            ["request", "open", "R9", "--contract", "K1", "--title", "t" * 301],
            "title is too long: 301 characters, at most 300",
        ),
        (
            [
                "request",
                "open",
                "R9",
                "--contract",
                "K1",
                "--title",
                "T",
                "--external-description",
                "d" * 20_001,
            ],
            "external description is too long: 20,001 characters, at most 20,000",
        ),
    ],
)
def test_each_text_field_has_a_limit(sample_db: Path, args: list[str], message: str) -> None:
    refused(sample_db, args, 1, message)


def test_a_template_has_a_limit(sample_db: Path, tmp_path: Path) -> None:
    body = tmp_path / "big.txt"
    body.write_text("x" * 100_001)
    refused(
        sample_db,
        ["template", "add", "big", "--subject", "s", "--text", str(body)],
        1,
        "template is too long: 100,001 characters, at most 100,000",
    )


def test_a_feed_line_too_long_fails_alone(sample_db: Path, tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "feed.jsonl",
        [
            {"reference": "R1", "contract": "K1", "title": "T", "external_description": "x" * 50},
            {
                "reference": "R2",
                "contract": "K1",
                "title": "T",
                "external_description": HUGE[:30_000],
            },
            {"reference": "R3", "contract": "K1", "title": "T", "x": "y" * 200_000},
        ],
    )
    result = invoke(sample_db, "request", "ingest", str(feed), "--json")
    assert result.exit_code == 1
    failures = json.loads(result.stdout)["failures"]
    assert failures == [
        {
            "line": 2,
            "message": "external description is too long: 30,000 characters, at most 20,000",
        },
        {"line": 3, "message": "line too long: 200,060 characters, at most 100,000"},
    ]
    assert json.loads(result.stdout)["saves"] == 1


def test_settings_out_of_range_are_refused_before_sending(sample_db: Path) -> None:
    Path("alertctl.toml").write_text("[delivery]\nbatch_size = 1000000000000000000000000000\n")
    result = invoke(sample_db, "alerts", "send")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: alertctl.toml: [delivery] batch_size = 10000000000000000000 is out of range: "
        "from 1 to 10000"
    )
    # Every command that reads the settings refuses them, and works again once they are fixed.
    assert invoke(sample_db, "alerts", "list").exit_code == 1
    Path("alertctl.toml").write_text("[delivery]\nbatch_size = 100\n")
    ok(sample_db, "alerts", "list")
