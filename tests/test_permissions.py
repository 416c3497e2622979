"""Files holding personal data are readable by their owner only, whatever the umask: the
database and its WAL and SHM, `config export -o`, maildir messages, fax files; and a fax file
left by a killed sender is removed by the next one."""

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.cli.test_faults import OPEN_R1


def alertctl(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed entry point, started with a permissive umask."""
    done = subprocess.run(
        [sys.executable, "-c", "from alertctl.cli.app import main; main()", "--db", str(db), *args],
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert done.returncode == 0, done.stderr
    return done


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_alertctl_writes_is_private(sample_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    alertctl(db, "init")
    alertctl(
        db, "config", "apply", str(Path(__file__).parent.parent / "sample-data" / "setup.toml")
    )
    alertctl(db, *OPEN_R1)
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db}{suffix}")
        if path.exists():
            assert mode(path) == 0o600, path
    export = tmp_path / "export.toml"
    export.write_text("old")
    export.chmod(0o644)
    alertctl(db, "config", "export", "-o", str(export))
    assert mode(export) == 0o600
    alertctl(db, "alerts", "send")
    messages = (
        list((tmp_path / "outbox" / "new").iterdir())
        if (tmp_path / "outbox").exists()
        else list(Path("outbox/new").iterdir())
    )
    assert messages
    assert {mode(m) for m in messages} == {0o600}


def test_a_fax_file_left_by_a_killed_sender_is_removed(tmp_path: Path) -> None:
    from alertctl.transports.fax_command import remove_stale_fax_files

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = Path(tempfile.mkdtemp(prefix=f"alertctl-fax-{dead.pid}-"))
    (stale / "fax.txt").write_text("Bonjour Alice, +33145000001")
    living = Path(tempfile.mkdtemp(prefix=f"alertctl-fax-{os.getpid()}-"))
    try:
        assert stale in remove_stale_fax_files()
        assert not stale.exists()
        assert living.exists(), "a running sender's file is left alone"
    finally:
        living.rmdir()
