"""The desk's one public page: "Report incorrect information" on a profile."""

from __future__ import annotations

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from directory.models import Practitioner
from moderation import services
from moderation.forms import ReportForm


@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    practitioner = get_object_or_404(Practitioner.objects.published(), pk=pk)
    if request.method != "POST":
        if slug != practitioner.slug:
            return redirect("moderation:report", pk=practitioner.pk, slug=practitioner.slug, permanent=True)
        return render(request, "moderation/report_form.html", {"practitioner": practitioner, "form": ReportForm()})
    if not ratelimit.consume(request, action="report"):
        return ratelimit.respond_429(request)
    form = ReportForm(request.POST)
    if not form.is_valid():
        context = {"practitioner": practitioner, "form": form}
        return render(request, "moderation/report_form.html", context, status=400)
    if not form.is_spam:  # a bot that filled the hidden field is thanked like anyone, and nothing is kept
        services.report_submit(
            practitioner=practitioner,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        )
    messages.success(
        request, _("Thank you. A moderator will check the listing; your report does not change it by itself.")
    )
    return redirect(practitioner)
