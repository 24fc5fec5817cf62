"""E-mails to practitioners: plain text, saying why they were sent, linking back with absolute URLs."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from directory.models import Practitioner


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def email_send(*, to: str, template: str, context: dict) -> None:
    """Renders <template>_subject.txt and <template>.txt (in practice/email/ unless the name has a folder) and
    sends them once the transaction commits."""
    path = template if "/" in template else f"practice/email/{template}"
    context = {"site_url": settings.SITE_URL, "practice_url": absolute_url(reverse("practice:dashboard")), **context}
    subject = " ".join(render_to_string(f"{path}_subject.txt", context).split())
    body = render_to_string(f"{path}.txt", context)
    # robust: a mail server that is down is logged, never turns a write that committed into an error page.
    transaction.on_commit(lambda: send_mail(subject, body, None, [to]), robust=True)


def owner_notify(*, practitioner: Practitioner, template: str, **context: object) -> None:
    """E-mails the listing's owner, if it has one (an imported listing nobody has claimed has none)."""
    if practitioner.owner is None:
        return
    profile_url = absolute_url(practitioner.get_absolute_url())
    edit_url = absolute_url(reverse("practice:edit", kwargs={"pk": practitioner.pk}))
    email_send(
        to=practitioner.owner.email,
        template=template,
        context={"practitioner": practitioner, "profile_url": profile_url, "edit_url": edit_url, **context},
    )
