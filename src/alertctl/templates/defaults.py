"""The default alert templates, one per event and language, installed by `alertctl init`.

They show only what the client may see: the external description, never an internal field.
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


_HEADLINES: dict[Language, dict[Event, str]] = {
    Language.FR: {
        Event.OPEN: "Votre demande {{ request.reference }} a bien été enregistrée.",
        Event.RESOLUTION: "Votre demande {{ request.reference }} est résolue.",
        Event.CLOSURE_EXTERNAL: "Votre demande {{ request.reference }} est clôturée.",
        Event.CLOSURE_INTERNAL: "La demande {{ request.reference }} a été clôturée.",
        Event.STATUS_CHANGE: (
            "Votre demande {{ request.reference }} est passée au statut "
            "« {{ request.status.label }} »."
        ),
    },
    Language.EN: {
        Event.OPEN: "Your request {{ request.reference }} has been registered.",
        Event.RESOLUTION: "Your request {{ request.reference }} has been resolved.",
        Event.CLOSURE_EXTERNAL: "Your request {{ request.reference }} has been closed.",
        Event.CLOSURE_INTERNAL: "Request {{ request.reference }} has been closed.",
        Event.STATUS_CHANGE: (
            "Your request {{ request.reference }} is now \u201c{{ request.status.label }}\u201d."
        ),
    },
}

_LABELS: dict[Language, dict[str, str]] = {
    Language.FR: {
        "greeting": "Bonjour {{ recipient.name }},",
        "title": "Objet",
        "description": "Description",
        "contract": "Contrat",
        "product": "Produit",
        "closing": "Le support",
    },
    Language.EN: {
        "greeting": "Hello {{ recipient.name }},",
        "title": "Subject",
        "description": "Description",
        "contract": "Contract",
        "product": "Product",
        "closing": "The support team",
    },
}


def _text(headline: str, labels: dict[str, str]) -> str:
    return (
        f"{labels['greeting']}\n\n{headline}\n\n"
        f"{labels['title']} : {{{{ request.title }}}}\n"
        f"{labels['contract']} : {{{{ contract.code }}}} {{{{ contract.name }}}}\n"
        f"{{% if product %}}{labels['product']} : {{{{ product.name }}}}\n{{% endif %}}"
        f"{{% if request.external_description %}}\n{labels['description']} :\n"
        f"{{{{ request.external_description }}}}\n{{% endif %}}\n"
        f"-- \n{labels['closing']}\n"
    )


def _html(headline: str, labels: dict[str, str]) -> str:
    return (
        f"<p>{labels['greeting']}</p>\n<p>{headline}</p>\n<table>\n"
        f"<tr><th>{labels['title']}</th><td>{{{{ request.title }}}}</td></tr>\n"
        f"<tr><th>{labels['contract']}</th>"
        f"<td>{{{{ contract.code }}}} {{{{ contract.name }}}}</td></tr>\n"
        f"{{% if product %}}<tr><th>{labels['product']}</th>"
        f"<td>{{{{ product.name }}}}</td></tr>{{% endif %}}\n</table>\n"
        f"{{% if request.external_description %}}<p>{labels['description']} :</p>\n"
        f"<pre>{{{{ request.external_description }}}}</pre>{{% endif %}}\n"
        f"<p>{labels['closing']}</p>\n"
    )


def default_templates() -> list[DefaultTemplate]:
    templates = []
    for language, headlines in _HEADLINES.items():
        labels = _LABELS[language]
        for event, headline in headlines.items():
            templates.append(
                DefaultTemplate(
                    name=default_template_name(event, language),
                    language=language,
                    subject="{{ request.title }}",
                    text=_text(headline, labels),
                    html=_html(headline, labels),
                )
            )
    return templates
