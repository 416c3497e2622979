"""Settings: flags > ALERTCTL_* environment > alertctl.toml > defaults.

The settings file holds transports and mail identity, never secrets; secrets come from the
environment or from a file that the settings name.
"""

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alertctl.errors import Invalid

CONFIG_FILE_NAME = "alertctl.toml"


def default_config_path() -> Path:
    """`./alertctl.toml` when there is one, else the user's configuration folder."""
    local = Path(CONFIG_FILE_NAME)
    if local.exists():
        return local
    from platformdirs import user_config_dir

    return Path(user_config_dir("alertctl")) / CONFIG_FILE_NAME


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("alertctl")) / "alertctl.db"


@dataclass(frozen=True)
class Settings:
    db: str
    db_origin: str
    config_path: Path
    config_found: bool
    default_region: str = "FR"
    raw: dict[str, Any] = field(default_factory=dict)


def load_settings(*, db: str | None = None, config: str | None = None) -> Settings:
    """Read the settings with their precedence; `db` and `config` are the flags' values."""
    config_path = Path(config or os.environ.get("ALERTCTL_CONFIG") or default_config_path())
    raw: dict[str, Any] = {}
    found = config_path.is_file()
    if found:
        try:
            raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise Invalid(f"cannot read settings file {config_path}: {exc}") from None
    elif config or os.environ.get("ALERTCTL_CONFIG"):
        raise Invalid(f"settings file {config_path} does not exist")

    file_db = raw.get("database", {}).get("url")
    if db:
        chosen, origin = db, "--db"
    elif os.environ.get("ALERTCTL_DB"):
        chosen, origin = os.environ["ALERTCTL_DB"], "ALERTCTL_DB"
    elif file_db:
        chosen, origin = str(file_db), str(config_path)
    else:
        chosen, origin = str(default_db_path()), "default"

    region = os.environ.get("ALERTCTL_FAX_REGION") or raw.get("fax", {}).get("default_region")
    return Settings(
        db=chosen,
        db_origin=origin,
        config_path=config_path,
        config_found=found,
        default_region=str(region or "FR").upper(),
        raw=raw,
    )
