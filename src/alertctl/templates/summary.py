"""The words of the alerts a release makes (docs/rules.md, "Holding alerts"): coalesced status
changes, and the summary of what a person's quiet hours, digest or cap held.

Their layout is the project's, not a client's: a summary lists alerts that each client's own
template has rendered already, so they are written here rather than as stored templates. They
are plain text, the one form every channel (a fax included) reads.
"""

from dataclasses import dataclass
from datetime import datetime

from alertctl.domain.holds import HoldReason
from alertctl.domain.model import Language


@dataclass(frozen=True)
class Transition:
    at: datetime  # in the reader's zone
    before: str
    after: str


@dataclass(frozen=True)
class Item:
    at: datetime  # in the reader's zone
    subject: str
    text: str


_WORDS = {
    Language.FR: {
        "changes": "Changements de statut ({n}, heures en {zone}) :",
        "summary": "Résumé de vos alertes ({n})",
        "hello": "Bonjour,",
        "times": "Heures en {zone}.",
        "signature": "Le support",
        HoldReason.QUIET_HOURS: "Voici les {n} alertes arrivées pendant vos heures calmes.",
        HoldReason.DIGEST: "Voici les {n} alertes de votre résumé.",
        HoldReason.CAP: "Voici les {n} alertes arrivées au-delà de votre limite par heure.",
        HoldReason.COALESCING: "Voici les {n} alertes en attente.",
    },
    Language.EN: {
        "changes": "Status changes ({n}, times in {zone}):",
        "summary": "Summary of your alerts ({n})",
        "hello": "Hello,",
        "times": "Times in {zone}.",
        "signature": "The support team",
        HoldReason.QUIET_HOURS: "Here are the {n} alerts that came during your quiet hours.",
        HoldReason.DIGEST: "Here are the {n} alerts of your digest.",
        HoldReason.CAP: "Here are the {n} alerts that came over your hourly limit.",
        HoldReason.COALESCING: "Here are the {n} alerts that were waiting.",
    },
}


def _at(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def transitions_text(transitions: list[Transition], zone: str, language: Language) -> str:
    """The status changes, one a line, with their times."""
    words = _WORDS[language]
    lines = [words["changes"].format(n=len(transitions), zone=zone)]
    lines += [f"  {_at(t.at)}  {t.before} -> {t.after}" for t in transitions]
    return "\n".join(lines)


def coalesced(transitions: list[Transition], last_text: str, zone: str, language: Language) -> str:
    """The body of coalesced changes, or of an alert that carries them: the changes, then the
    alert the last one (or the carrier) rendered."""
    return f"{transitions_text(transitions, zone, language)}\n\n{last_text}"


def summary(
    items: list[Item], reason: HoldReason, zone: str, language: Language
) -> tuple[str, str]:
    """The subject and body of one summary."""
    words = _WORDS[language]
    n = len(items)
    lines = [
        words["hello"],
        "",
        f"{words[reason].format(n=n)} {words['times'].format(zone=zone)}",
    ]
    for number, item in enumerate(items, 1):
        lines += ["", f"{number}. {_at(item.at)}  {item.subject}", ""]
        # Indented, so that an alert's own signature line ("-- ") is no signature for mail
        # readers, which would hide what follows it.
        lines += [f"   {line}" if line else "" for line in item.text.splitlines()]
    lines += ["", "-- ", words["signature"]]
    return words["summary"].format(n=n), "\n".join(lines) + "\n"
