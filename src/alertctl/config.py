"""Settings: flags > ALERTCTL_* environment > alertctl.toml > defaults.

The settings file holds transports and mail identity, never secrets; secrets come from the
environment or from a file that the settings name.
"""

import os
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
        import tomllib  # compiling its patterns costs 17 ms: only when there is a file to read

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


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 587
    starttls: bool = True
    tls: bool = False  # implicit TLS (port 465)
    username: str | None = None
    password_file: str | None = None
    timeout: float = 30.0
    # A login over a connection without TLS sends the password in clear: only when asked.
    send_password_without_tls: bool = False

    def password(self) -> str | None:
        """From ALERTCTL_SMTP_PASSWORD, or the file the settings name; never stored or printed."""
        secret = os.environ.get("ALERTCTL_SMTP_PASSWORD")
        if secret is not None:
            return secret
        if self.password_file is None:
            return None
        path = Path(self.password_file).expanduser()
        try:
            if path.stat().st_mode & 0o077:
                raise Invalid(
                    f"password file {path} must be readable by its owner only (chmod 600)"
                )
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise Invalid(f"cannot read password file {path}: {exc.strerror}") from None


@dataclass(frozen=True)
class DeliverySettings:
    """How alerts leave: transports, mail identity, retries. Defaults deliver into ./outbox/."""

    sender: str = "alertctl <alertctl@localhost>"
    email_transport: str = "maildir"
    fax_transport: str = "maildir"
    maildir: str = "outbox"
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    fax_gateway: str | None = None
    fax_command: tuple[str, ...] = ()
    fax_timeout: float = 120.0
    backoff_base: float = 60.0
    backoff_cap: float = 3600.0
    max_attempts: int = 8
    lease_seconds: float = 300.0
    batch_size: int = 50


def delivery_settings(settings: Settings) -> DeliverySettings:
    """The delivery settings, checked whole: a sender refuses to start on any problem."""
    raw = settings.raw
    mail, transport, smtp = raw.get("mail", {}), raw.get("transport", {}), raw.get("smtp", {})
    fax, delivery, maildir = raw.get("fax", {}), raw.get("delivery", {}), raw.get("maildir", {})
    defaults = DeliverySettings()
    try:
        result = DeliverySettings(
            sender=str(mail.get("from", defaults.sender)),
            email_transport=str(transport.get("email", defaults.email_transport)),
            fax_transport=str(transport.get("fax", defaults.fax_transport)),
            maildir=str(maildir.get("path", defaults.maildir)),
            smtp=_smtp_settings(smtp),
            fax_gateway=fax.get("gateway"),
            fax_command=tuple(str(a) for a in fax.get("command", ())),
            fax_timeout=float(fax.get("timeout", 120.0)),
            backoff_base=float(delivery.get("backoff_base", defaults.backoff_base)),
            backoff_cap=float(delivery.get("backoff_cap", defaults.backoff_cap)),
            max_attempts=int(delivery.get("max_attempts", defaults.max_attempts)),
            lease_seconds=float(delivery.get("lease_seconds", defaults.lease_seconds)),
            batch_size=int(delivery.get("batch_size", defaults.batch_size)),
        )
    except (TypeError, ValueError) as exc:
        raise Invalid(f"invalid delivery settings in {settings.config_path}: {exc}") from None
    if "password" in smtp:
        raise Invalid(
            f"{settings.config_path}: [smtp] password is not read from the settings file",
            hint="set ALERTCTL_SMTP_PASSWORD or [smtp] password_file",
        )
    _check_transports(result)
    _check_values(result, settings.config_path)
    return result


def _smtp_settings(smtp: dict[str, Any]) -> SmtpSettings:
    return SmtpSettings(
        host=str(smtp.get("host", "localhost")),
        port=int(smtp.get("port", 465 if smtp.get("tls") else 587)),
        starttls=bool(smtp.get("starttls", not smtp.get("tls", False))),
        tls=bool(smtp.get("tls", False)),
        username=smtp.get("username"),
        password_file=smtp.get("password_file"),
        timeout=float(smtp.get("timeout", 30.0)),
        send_password_without_tls=smtp.get("send_password_without_tls", False) is True,
    )


def _check_transports(result: DeliverySettings) -> None:
    if result.email_transport not in ("maildir", "smtp"):
        raise Invalid(f"unknown e-mail transport {result.email_transport!r}: maildir or smtp")
    if result.fax_transport not in ("maildir", "gateway", "command"):
        raise Invalid(
            f"unknown fax transport {result.fax_transport!r}: maildir, gateway or command"
        )
    if result.fax_transport == "gateway" and not result.fax_gateway:
        raise Invalid("fax transport 'gateway' needs [fax] gateway = \"{number}@...\"")
    if result.fax_transport == "command" and not result.fax_command:
        raise Invalid("fax transport 'command' needs [fax] command = [\"sendfax\", ...]")


def _check_values(result: DeliverySettings, path: Path) -> None:
    smtp_in_use = result.email_transport == "smtp" or result.fax_transport == "gateway"
    login = result.smtp
    if smtp_in_use and login.username and not (login.tls or login.starttls):
        _refuse_password_in_clear(login, path)
    for name, value, low, high in _ranges(result):
        if not low <= value <= high:
            raise Invalid(
                f"{path}: {name} = {str(value)[:20]} is out of range: from {low:g} to {high:g}"
            )
    problem = sender_problem(result.sender)
    if problem is not None:
        raise Invalid(
            f"{path}: [mail] from {problem}",
            hint='write it as from = "Support <support@example.com>"',
        )


def _refuse_password_in_clear(login: SmtpSettings, path: Path) -> None:
    if not login.send_password_without_tls:
        raise Invalid(
            f"{path}: [smtp] username is set on a connection without TLS: the password would "
            "cross the network in clear",
            hint="set starttls = true (or tls = true); on a trusted network only, "
            "send_password_without_tls = true",
        )


def _ranges(s: DeliverySettings) -> list[tuple[str, float, float, float]]:
    """Each number of the settings with the range it must fall in."""
    day = 86_400.0
    return [
        ("[smtp] port", s.smtp.port, 1, 65_535),
        ("[smtp] timeout", s.smtp.timeout, 0.1, 3_600),
        ("[fax] timeout", s.fax_timeout, 1, 3_600),
        ("[delivery] backoff_base", s.backoff_base, 0, day),
        ("[delivery] backoff_cap", s.backoff_cap, 0, 7 * day),
        ("[delivery] max_attempts", s.max_attempts, 1, 1_000),
        ("[delivery] lease_seconds", s.lease_seconds, 0.1, day),
        ("[delivery] batch_size", s.batch_size, 1, 10_000),
    ]


def sender_problem(sender: str) -> str | None:
    """Why a `From` cannot be used: it must be exactly one valid address, on one line."""
    from email.utils import getaddresses

    shown = sender if len(sender) <= 60 else sender[:57] + "..."
    if any(ord(c) < 32 or ord(c) == 127 for c in sender):
        return f"{shown!r} holds a line break or a control character"
    found = getaddresses([sender])
    if len(found) != 1 or "@" not in found[0][1]:
        return f"{shown!r} is not one e-mail address"
    import re

    from alertctl.domain.validation import normalize_email

    local, _, domain = found[0][1].rpartition("@")
    try:
        # The sender's own domain may be a local one (localhost, an intranet name), which
        # email-validator rightly refuses for recipients: only the local part is checked by it.
        normalize_email(f"{local}@example.com")
    except Invalid:
        return f"{shown!r} is not a valid e-mail address"
    if not re.fullmatch(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*", domain):
        return f"{shown!r} is not a valid e-mail address"
    return None
