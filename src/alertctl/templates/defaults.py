"""The default alert templates, one per event and language, installed (and kept current) by
`alertctl init`.

Each says what happened in its subject, then the request's reference and title, so that the
alerts of one request tell themselves apart in a message list. The client's contacts and the
support collaborators each read wording meant for them (`recipient.kind`). Each language has
its own typography: French puts a no-break space before a colon and inside « », English
neither. The text and HTML parts say the same thing. They show only what the client may see:
the external description, never an internal field.
"""

from dataclasses import dataclass

from alertctl.domain.model import Event, Language, default_template_name


@dataclass(frozen=True)
class DefaultTemplate:
    name: str
    language: Language
    subject: str
    text: str
    html: str


NBSP = "\u00a0"
_REF = "{{ request.reference }}"
# The new status, quoted as each language quotes.
_STATUS_FR = f"«{NBSP}{{{{ request.status.label }}}}{NBSP}»"
_STATUS_EN = "\u201c{{ request.status.label }}\u201d"

# An SLA clock's facts (templates/context.py, ClockFacts).
_DUE = "{{ clock.due }}"
_LEFT = "{{ clock.left }}"
_OVERDUE = "{{ clock.overdue }}"
_TARGET = "{{ clock.target }}"

# What happened, for the subject: the status change names the new status.
_WHAT: dict[Language, dict[Event, str]] = {
    Language.FR: {
        Event.OPEN: "Demande enregistrée",
        Event.RESOLUTION: "Demande résolue",
        Event.CLOSURE_EXTERNAL: "Clôture validée",
        Event.CLOSURE_INTERNAL: "Demande clôturée",
        Event.STATUS_CHANGE: f"Statut {_STATUS_FR}",
        Event.GTI_WARNING: "GTI bientôt échue",
        Event.GTI_BREACH: "GTI dépassée",
        Event.GTR_WARNING: "GTR bientôt échue",
        Event.GTR_BREACH: "GTR dépassée",
    },
    Language.EN: {
        Event.OPEN: "Request registered",
        Event.RESOLUTION: "Request resolved",
        Event.CLOSURE_EXTERNAL: "Closure confirmed",
        Event.CLOSURE_INTERNAL: "Request closed",
        Event.STATUS_CHANGE: f"Status {_STATUS_EN}",
        Event.GTI_WARNING: "GTI due soon",
        Event.GTI_BREACH: "GTI missed",
        Event.GTR_WARNING: "GTR due soon",
        Event.GTR_BREACH: "GTR missed",
    },
}

# The sentence that says what happened: (to the client's contacts, to the support team).
_HEADLINES: dict[Language, dict[Event, tuple[str, str]]] = {
    Language.FR: {
        Event.OPEN: (
            f"Votre demande {_REF} a bien été enregistrée. Nous revenons vers vous rapidement.",
            f"Une nouvelle demande, {_REF}, a été enregistrée pour {{{{ client.name }}}}.",
        ),
        Event.RESOLUTION: (
            f"Votre demande {_REF} est résolue. Si le problème persiste, répondez-nous.",
            f"La demande {_REF} de {{{{ client.name }}}} est résolue.",
        ),
        Event.CLOSURE_EXTERNAL: (
            f"Vous avez validé la clôture de votre demande {_REF}. Merci.",
            f"{{{{ client.name }}}} a validé la clôture de la demande {_REF}.",
        ),
        Event.CLOSURE_INTERNAL: (
            f"Votre demande {_REF} est clôturée.",
            f"La demande {_REF} de {{{{ client.name }}}} est clôturée.",
        ),
        Event.STATUS_CHANGE: (
            f"Votre demande {_REF} est passée au statut {_STATUS_FR}.",
            f"La demande {_REF} de {{{{ client.name }}}} est passée au statut {_STATUS_FR}.",
        ),
        Event.GTI_WARNING: (
            f"Nous nous sommes engagés à prendre en charge votre demande {_REF} avant le "
            f"{_DUE}{NBSP}; il reste {_LEFT} de temps ouvré.",
            f"La GTI de la demande {_REF} de {{{{ client.name }}}} échoit le {_DUE}{NBSP}: "
            f"il reste {_LEFT} de temps ouvré sur {_TARGET}.",
        ),
        Event.GTI_BREACH: (
            f"Votre demande {_REF} n’a pas été prise en charge dans le délai garanti, échu le "
            f"{_DUE}. Nous vous prions de nous en excuser et la traitons en priorité.",
            f"La GTI de la demande {_REF} de {{{{ client.name }}}} est dépassée depuis le "
            f"{_DUE}{NBSP}: {_OVERDUE} de temps ouvré au-delà de {_TARGET}.",
        ),
        Event.GTR_WARNING: (
            f"Nous nous sommes engagés à résoudre votre demande {_REF} avant le "
            f"{_DUE}{NBSP}; il reste {_LEFT} de temps ouvré.",
            f"La GTR de la demande {_REF} de {{{{ client.name }}}} échoit le {_DUE}{NBSP}: "
            f"il reste {_LEFT} de temps ouvré sur {_TARGET}.",
        ),
        Event.GTR_BREACH: (
            f"Votre demande {_REF} n’a pas été résolue dans le délai garanti, échu le "
            f"{_DUE}. Nous vous prions de nous en excuser et la traitons en priorité.",
            f"La GTR de la demande {_REF} de {{{{ client.name }}}} est dépassée depuis le "
            f"{_DUE}{NBSP}: {_OVERDUE} de temps ouvré au-delà de {_TARGET}.",
        ),
    },
    Language.EN: {
        Event.OPEN: (
            f"Your request {_REF} has been registered. We will get back to you shortly.",
            f"A new request, {_REF}, has been registered for {{{{ client.name }}}}.",
        ),
        Event.RESOLUTION: (
            f"Your request {_REF} has been resolved. If the problem persists, reply to us.",
            f"Request {_REF} from {{{{ client.name }}}} has been resolved.",
        ),
        Event.CLOSURE_EXTERNAL: (
            f"You confirmed the closure of your request {_REF}. Thank you.",
            f"{{{{ client.name }}}} confirmed the closure of request {_REF}.",
        ),
        Event.CLOSURE_INTERNAL: (
            f"Your request {_REF} has been closed.",
            f"Request {_REF} from {{{{ client.name }}}} has been closed.",
        ),
        Event.STATUS_CHANGE: (
            f"The status of your request {_REF} is now {_STATUS_EN}.",
            f"The status of request {_REF} from {{{{ client.name }}}} is now {_STATUS_EN}.",
        ),
        Event.GTI_WARNING: (
            f"We committed to take charge of your request {_REF} by {_DUE}: {_LEFT} of "
            "business time is left.",
            f"The GTI of request {_REF} from {{{{ client.name }}}} falls due at {_DUE}: "
            f"{_LEFT} of business time is left of {_TARGET}.",
        ),
        Event.GTI_BREACH: (
            f"Work on your request {_REF} did not start within the guaranteed time, which "
            f"ended at {_DUE}. We apologise, and are treating it as a priority.",
            f"The GTI of request {_REF} from {{{{ client.name }}}} was missed at {_DUE}: "
            f"{_OVERDUE} of business time over {_TARGET}.",
        ),
        Event.GTR_WARNING: (
            f"We committed to resolve your request {_REF} by {_DUE}: {_LEFT} of business "
            "time is left.",
            f"The GTR of request {_REF} from {{{{ client.name }}}} falls due at {_DUE}: "
            f"{_LEFT} of business time is left of {_TARGET}.",
        ),
        Event.GTR_BREACH: (
            f"Your request {_REF} was not resolved within the guaranteed time, which ended at "
            f"{_DUE}. We apologise, and are treating it as a priority.",
            f"The GTR of request {_REF} from {{{{ client.name }}}} was missed at {_DUE}: "
            f"{_OVERDUE} of business time over {_TARGET}.",
        ),
    },
}

# Labels, each with its language's colon (French: a no-break space before it).
_LABELS: dict[Language, dict[str, str]] = {
    Language.FR: {
        "greeting": "Bonjour {{ recipient.name }},",
        "request": f"Demande{NBSP}:",
        "status": f"Statut{NBSP}:",
        "contract": f"Contrat{NBSP}:",
        "product": f"Produit{NBSP}:",
        "site": f"Site{NBSP}:",
        "description": f"Description{NBSP}:",
        "signature": "Le support",
    },
    Language.EN: {
        "greeting": "Hello {{ recipient.name }},",
        "request": "Request:",
        "status": "Status:",
        "contract": "Contract:",
        "product": "Product:",
        "site": "Site:",
        "description": "Description:",
        "signature": "The support team",
    },
}

# A contract's name only when it says more than its code ("K1" named "K1" prints once).
_CONTRACT = (
    "{{ contract.code }}{% if contract.name and contract.name != contract.code %}"
    " \u2013 {{ contract.name }}{% endif +%}"
)
_FOR_CONTACTS = '{% if recipient.kind == "contact" %}'

# The facts, as (label, value, condition or None), in the order both parts show them.
_FACTS = (
    ("request", f"{_REF} \u2013 {{{{ request.title }}}}", None),
    ("status", "{{ request.status.label }}", None),
    ("contract", _CONTRACT, None),
    ("product", "{{ product.name }}", "product"),
    ("site", "{{ site.name }}", "site"),
)


def _headline(language: Language, event: Event) -> str:
    to_contacts, to_support = _HEADLINES[language][event]
    # `+%}`: this block's line end is kept (the environment trims the one after a block).
    return f"{_FOR_CONTACTS}{to_contacts}{{% else %}}{to_support}{{% endif +%}}"


def _facts(line: str, labels: dict[str, str]) -> str:
    """One `line` (with {label} and {value}) a fact, those that may be missing in an `if`."""
    return "".join(
        (f"{{% if {condition} %}}" if condition else "")
        + line.format(label=labels[key], value=value)
        + ("{% endif %}" if condition else "")
        for key, value, condition in _FACTS
    )


def _text(language: Language, event: Event) -> str:
    labels = _LABELS[language]
    facts = _facts("{label} {value}\n", labels)
    return (
        f"{labels['greeting']}\n\n{_headline(language, event)}\n\n{facts}"
        "{% if request.external_description +%}\n"
        f"{labels['description']}\n{{{{ request.external_description }}}}\n"
        "{% endif +%}\n"
        f"-- \n{labels['signature']}\n"
    )


# Inline style only: mail clients drop <style> blocks and external sheets, and honour these.
_BODY = (
    "margin:0;padding:16px;background:#ffffff;color:#1f2328;"
    "font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5"
)
_BOX = "max-width:640px;margin:0 auto"
_TABLE = "border-collapse:collapse;margin:12px 0;width:100%"
_TH = "text-align:left;vertical-align:top;padding:4px 12px 4px 0;color:#59636e;white-space:nowrap"
_TD = "vertical-align:top;padding:4px 0;overflow-wrap:anywhere;word-break:break-word"
_DESCRIPTION = (
    "white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;margin:4px 0 12px;"
    "padding:8px 12px;background:#f6f8fa;border-left:3px solid #d0d7de"
)
_SIGNATURE = "color:#59636e;margin-top:24px"


def _html(language: Language, event: Event) -> str:
    labels = _LABELS[language]
    rows = _facts(
        f'<tr><th style="{_TH}">{{label}}</th><td style="{_TD}">{{value}}</td></tr>\n', labels
    )
    return html_document(
        f"<p>{labels['greeting']}</p>\n<p>{_headline(language, event)}</p>\n"
        f'<table role="presentation" style="{_TABLE}">\n{rows}</table>\n'
        "{% if request.external_description %}"
        f"<p>{labels['description']}</p>\n"
        f'<div style="{_DESCRIPTION}">{{{{ request.external_description }}}}</div>\n'
        "{% endif %}"
        f'<p style="{_SIGNATURE}">{labels["signature"]}</p>\n',
        language=language.value,
        title=_subject(language, event),
    )


def html_document(body: str, *, language: str, title: str) -> str:
    """The one whole, responsive document every HTML alert goes out in: the shipped templates'
    bodies, and a client's own template, which is a body (a fragment of HTML)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n</head>\n"
        f'<body style="{_BODY}">\n<div style="{_BOX}">\n{body}</div>\n</body>\n</html>\n'
    )


def is_document(html: str) -> bool:
    """Whether an HTML template is a whole document already (a client may write one)."""
    start = html.lstrip()[:15].lower()
    return start.startswith(("<!doctype", "<html"))


def _subject(language: Language, event: Event) -> str:
    colon = f"{NBSP}:" if language is Language.FR else ":"
    return f"{_WHAT[language][event]}{colon} {_REF} \u2013 {{{{ request.title }}}}"


def default_templates() -> list[DefaultTemplate]:
    return [
        DefaultTemplate(
            name=default_template_name(event, language),
            language=language,
            subject=_subject(language, event),
            text=_text(language, event),
            html=_html(language, event),
        )
        for language in Language
        for event in Event
    ]
