"""The service files shipped in packaging/ run the sender as the README says."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import invoke

ROOT = Path(__file__).resolve().parent.parent


def unit(path: Path) -> dict[str, list[str]]:
    """A systemd unit's settings, each key with all its values (a key may repeat)."""
    settings: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_the_systemd_unit_runs_the_watcher_restarts_it_and_stops_it_with_sigterm(
    tmp_path: Path,
) -> None:
    settings = unit(ROOT / "packaging" / "systemd" / "alertctl-send.service")
    (command,) = settings["ExecStart"]
    argv = shlex.split(command)
    assert argv[0].endswith("/alertctl")
    assert argv[1:] == ["alerts", "send", "--watch", "--log-format", "json"]
    assert settings["Restart"] == ["on-failure"]
    assert settings["KillSignal"] == ["SIGTERM"]
    environment = dict(e.split("=", 1) for e in settings["Environment"])
    assert set(environment) == {"ALERTCTL_CONFIG", "ALERTCTL_DB"}
    # The command line it runs is one this alertctl takes.
    assert invoke(tmp_path / "none.db", *argv[1:], "--help").exit_code == 0
    # Ready when the watcher says so, restarted when its loop stops pinging the watchdog,
    # reloaded by SIGHUP.
    assert settings["Type"] == ["notify"]
    assert settings["NotifyAccess"] == ["main"]
    assert settings["WatchdogSec"] and int(settings["WatchdogSec"][0]) > 0
    assert settings["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert settings["StateDirectory"] == ["alertctl"]
    assert environment["ALERTCTL_DB"].startswith("/var/lib/alertctl/")


MAX_EXPOSURE = 2.0


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_systemd_unit_is_rated_2_or_lower_by_systemd_analyze() -> None:
    path = ROOT / "packaging" / "systemd" / "alertctl-send.service"
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(path)],
        capture_output=True,
        text=True,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= MAX_EXPOSURE, done.stdout


def test_the_hardened_unit_still_reaches_the_network_and_its_state_folder() -> None:
    settings = unit(ROOT / "packaging" / "systemd" / "alertctl-send.service")
    families = settings["RestrictAddressFamilies"][0].split()
    assert {"AF_INET", "AF_INET6", "AF_UNIX"} <= set(families)  # SMTP, PostgreSQL, notify
    assert "PrivateNetwork" not in settings and "IPAddressDeny" not in settings
    assert settings["ProtectSystem"] == ["strict"]
    assert settings["WorkingDirectory"] == ["/var/lib/alertctl"]


def test_the_cron_line_runs_one_sender_at_a_time() -> None:
    lines = (ROOT / "packaging" / "cron" / "alertctl-send").read_text().splitlines()
    (entry,) = [line for line in lines if line.startswith("* * * * *")]
    assert "flock -n" in entry and entry.split("flock -n ", 1)[1].split()[1:4] == [
        "/opt/alertctl/bin/alertctl",
        "alerts",
        "send",
    ]
    assert entry in (ROOT / "README.md").read_text()
