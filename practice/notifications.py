"""E-mails to practitioners: plain text, saying why they were sent, linking back with absolute URLs, each in its
recipient's language (accounts.models.User.language)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from directory.models import Practitioner


def one_line(text: str) -> str:
    """A rendered subject on one line: runs of ASCII whitespace (the template's line breaks) become one space; a
    no-break space stays (French puts one before a colon)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def owner_language(practitioner: Practitioner) -> str:
    """The language the listing's owner reads their e-mails in; English for a listing nobody manages."""
    owner = practitioner.owner
    return (owner.language if owner is not None else "") or settings.LANGUAGE_CODE


def email_send(*, to: str, template: str, context: dict, language: str | None = None) -> None:
    """Renders <template>_subject.txt and <template>.txt (in practice/email/ unless the name has a folder) in
    `language` (English when none is given), with the practice area's link in that language, and sends them
    once the transaction commits."""
    path = template if "/" in template else f"practice/email/{template}"
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, "practice_url": absolute_url(reverse("practice:dashboard")),
                   **context}  # fmt: skip
        subject = one_line(render_to_string(f"{path}_subject.txt", context))
        body = render_to_string(f"{path}.txt", context)
    # robust: a mail server that is down is logged, never turns a write that committed into an error page.
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]), robust=True)


def owner_notify(*, practitioner: Practitioner, template: str, **context: object) -> None:
    """E-mails the listing's owner, if it has one (an imported listing nobody has claimed has none), in the
    owner's language, every link in it leading to the pages in that language."""
    if practitioner.owner is None:
        return
    language = owner_language(practitioner)
    with translation.override(language):
        links = {
            "profile_url": absolute_url(practitioner.get_absolute_url()),
            "edit_url": absolute_url(reverse("practice:edit", kwargs={"pk": practitioner.pk})),
            "training_url": absolute_url(reverse("practice:training", kwargs={"pk": practitioner.pk})),
            "photos_url": absolute_url(reverse("practice:photos", kwargs={"pk": practitioner.pk})),
        }
    email_send(
        to=practitioner.owner.email,
        template=template,
        context={"practitioner": practitioner, **links, **context},
        language=language,
    )
