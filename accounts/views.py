"""The account's own pages beside allauth's: the language its e-mails are written in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import LanguageForm


@login_required
@require_http_methods(["GET", "POST"])
def language(request: HttpRequest) -> HttpResponse:
    """The signed-in account's language: a GET shows it, a POST changes it and goes on to this page in the
    chosen language (its URL prefix), where the success message is in that language too."""
    if request.method == "POST":
        form = LanguageForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            code = form.instance.language
            with translation.override(code):
                name = form.instance.get_language_display()
                messages.success(request, _("Your language is now %(language)s.") % {"language": name})
            return redirect(translate_url(request.path, code))
    else:
        form = LanguageForm(instance=request.user)
    return render(request, "account/language.html", {"form": form})
