"""Settings: flags > ALERTCTL_* environment > alertctl.toml > defaults.

The settings file holds transports and mail identity, never secrets; secrets come from the
environment or from a file that the settings name.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alertctl.errors import Invalid

if TYPE_CHECKING:
    from alertctl.config_schema import SettingProblem

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
    # What is wrong in the file (config_schema): every command refuses to work on a file with
    # a problem, `alertctl check` lists them all.
    problems: tuple["SettingProblem", ...] = ()

    def refuse_problems(self) -> None:
        """Refuse a settings file that cannot mean what was written, before anything is done."""
        if not self.problems:
            return
        first, more = self.problems[0], len(self.problems) - 1
        also = f" (and {more} more: alertctl check lists them all)" if more else ""
        raise Invalid(f"{self.config_path}: {first.message}{also}", hint=first.hint)


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

    found_problems: tuple[SettingProblem, ...] = ()
    if raw:  # the schema is imported only when there is a file to check
        from alertctl.config_schema import problems

        found_problems = tuple(problems(raw))
    database = raw.get("database")
    file_db = database.get("url") if isinstance(database, dict) else None
    if db:
        chosen, origin = db, "--db"
    elif os.environ.get("ALERTCTL_DB"):
        chosen, origin = os.environ["ALERTCTL_DB"], "ALERTCTL_DB"
    elif file_db:
        chosen, origin = str(file_db), str(config_path)
    else:
        chosen, origin = str(default_db_path()), "default"

    fax = raw.get("fax")
    region = os.environ.get("ALERTCTL_FAX_REGION") or (
        fax.get("default_region") if isinstance(fax, dict) else None
    )
    return Settings(
        db=chosen,
        db_origin=origin,
        config_path=config_path,
        config_found=found,
        default_region=str(region or "FR").upper(),
        raw=raw,
        problems=found_problems,
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
class RetentionSettings:
    """How long delivered messages and closed requests are kept (None: for ever)."""

    delivered_days: int | None = None
    closed_requests_days: int | None = None

    @property
    def set(self) -> bool:
        return self.delivered_days is not None or self.closed_requests_days is not None


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
    retention: RetentionSettings = field(default_factory=RetentionSettings)

    def message_deadline(self) -> float:
        """The longest one message may take, whatever the server does: for SMTP, connecting
        (greeting and login included) and the message each within [smtp] timeout; for a fax
        command, [fax] timeout. A sender's lease must outlast it (services.delivery.sender.Lease).
        """
        times = [MAILDIR_SECONDS] if "maildir" in (self.email_transport, self.fax_transport) else []
        if self.email_transport == "smtp" or self.fax_transport == "gateway":
            times.append(2 * self.smtp.timeout)
        if self.fax_transport == "command":
            times.append(self.fax_timeout)
        return max(times, default=MAILDIR_SECONDS)


# Writing one message into a local folder: a generous bound, for the lease.
MAILDIR_SECONDS = 2.0


def delivery_settings(settings: Settings) -> DeliverySettings:
    """The delivery settings, checked whole: a sender refuses to start on any problem."""
    settings.refuse_problems()
    result = delivery_from(settings)
    problems = delivery_problems(result)
    if problems:
        raise Invalid(f"{settings.config_path}: {problems[0].message}", hint=problems[0].hint)
    return result


def delivery_from(settings: Settings) -> DeliverySettings:
    """The settings as the senders use them, from a file with no problem (`Settings.problems`:
    config_schema checked its types), not checked further."""
    raw = settings.raw
    mail, transport, smtp = raw.get("mail", {}), raw.get("transport", {}), raw.get("smtp", {})
    fax, delivery, maildir = raw.get("fax", {}), raw.get("delivery", {}), raw.get("maildir", {})
    defaults = DeliverySettings()
    return DeliverySettings(
        sender=mail.get("from", defaults.sender),
        email_transport=transport.get("email", defaults.email_transport),
        fax_transport=transport.get("fax", defaults.fax_transport),
        maildir=maildir.get("path", defaults.maildir),
        smtp=_smtp_settings(smtp),
        fax_gateway=fax.get("gateway"),
        fax_command=tuple(fax.get("command", ())),
        fax_timeout=float(fax.get("timeout", defaults.fax_timeout)),
        backoff_base=float(delivery.get("backoff_base", defaults.backoff_base)),
        backoff_cap=float(delivery.get("backoff_cap", defaults.backoff_cap)),
        max_attempts=delivery.get("max_attempts", defaults.max_attempts),
        lease_seconds=float(delivery.get("lease_seconds", defaults.lease_seconds)),
        batch_size=delivery.get("batch_size", defaults.batch_size),
        retention=retention_from(settings),
    )


def retention_from(settings: Settings) -> RetentionSettings:
    retention = settings.raw.get("retention", {})
    return RetentionSettings(retention.get("delivered_days"), retention.get("closed_requests_days"))


def _smtp_settings(smtp: dict[str, Any]) -> SmtpSettings:
    tls = smtp.get("tls", False)
    return SmtpSettings(
        host=smtp.get("host", "localhost"),
        port=smtp.get("port", 465 if tls else 587),
        starttls=smtp.get("starttls", not tls),
        tls=tls,
        username=smtp.get("username"),
        password_file=smtp.get("password_file"),
        timeout=float(smtp.get("timeout", 30.0)),
        send_password_without_tls=smtp.get("send_password_without_tls", False),
    )


def delivery_problems(result: DeliverySettings) -> list["SettingProblem"]:
    """What the types alone do not tell: a `From` that is not one address, a password that
    would cross the network in clear."""
    from alertctl.config_schema import SettingProblem

    found = []
    smtp_in_use = result.email_transport == "smtp" or result.fax_transport == "gateway"
    login = result.smtp
    if (
        smtp_in_use
        and login.username
        and not (login.tls or login.starttls or login.send_password_without_tls)
    ):
        found.append(
            SettingProblem(
                "[smtp] username",
                "[smtp] username is set on a connection without TLS: the password would cross "
                "the network in clear",
                "set starttls = true (or tls = true); on a trusted network only, "
                "send_password_without_tls = true",
            )
        )
    if result.lease_seconds <= result.message_deadline():
        found.append(
            SettingProblem(
                "[delivery] lease_seconds",
                f"[delivery] lease_seconds = {result.lease_seconds:g} is not longer than the "
                f"longest one message may take ({result.message_deadline():g} s, from [smtp] "
                "and [fax] timeout): a slow server would outlast the lease, and another sender "
                "would send the message again",
                "raise lease_seconds, or lower [smtp] timeout",
            )
        )
    problem = sender_problem(result.sender)
    if problem is not None:
        found.append(
            SettingProblem(
                "[mail] from",
                f"[mail] from {problem}",
                'write it as from = "Support <support@example.com>"',
            )
        )
    return found


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
