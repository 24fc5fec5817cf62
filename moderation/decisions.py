"""Deciding on the page that shows the thing: Approve, Reject (with its reason, asked in place), Publish,
Unpublish and Resolve as buttons on a listing's, an edit's, a claim's and a report's own admin page. Each calls
the same service as the list's action (one audit entry, the same e-mails), then opens the next item waiting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from moderation.services import ReviewConflict

TEXT_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Decision:
    """One button: what it says, whether it asks for a reason (or a note) first, when it applies, what it does."""

    name: str
    label: str
    act: Callable[[Model, AbstractBaseUser, str], object]
    applies: Callable[[Model], bool]
    asks: str = ""  # the label of the text it asks for ("Reason", "Note"); empty: a plain button
    help: str = ""  # who reads that text
    asks_a_date: bool = False  # the text is a date after today (YYYY-MM-DD), asked with the browser's date field

    @property
    def primary(self) -> bool:
        return not self.asks


class DecisionText(forms.Form):
    text = forms.CharField(max_length=TEXT_MAX_LENGTH, strip=True)


class DecidedOnItsPage(admin.ModelAdmin):
    """A ModelAdmin whose change page carries its `decisions` as buttons. `waiting()` is the queue the next item
    is taken from, oldest first."""

    decisions: tuple[Decision, ...] = ()
    change_form_template = "moderation/admin/decision_change_form.html"

    def waiting(self) -> QuerySet:
        raise NotImplementedError

    def get_urls(self) -> list:
        decide = path(
            "<path:object_id>/decide/<slug:decision>/",
            self.admin_site.admin_view(require_POST(self.decide_view)),
            name=self._url_name("decide").removeprefix("admin:"),
        )
        return [decide, *super().get_urls()]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        item = self.get_object(request, object_id)
        offered = []
        if item is not None and self.has_change_permission(request, item):
            offered = [decision for decision in self.decisions if decision.applies(item)]
        context = {
            "decisions": offered,
            "decide_url_name": self._url_name("decide"),
            "tomorrow": timezone.localdate() + timedelta(days=1),  # the first date a date decision takes
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def decide_view(self, request: HttpRequest, object_id: str, decision: str) -> HttpResponse:
        item = self.get_object(request, object_id)
        if item is None:
            raise Http404
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        chosen = next((offered for offered in self.decisions if offered.name == decision), None)
        if chosen is None:
            raise Http404
        here = reverse(self._url_name("change"), args=[item.pk])
        text = ""
        if chosen.asks:
            form = DecisionText(request.POST)
            if not form.is_valid():
                self.message_user(request, f"{chosen.label}: write the {chosen.asks.lower()} first.", messages.ERROR)
                return HttpResponseRedirect(here)
            text = form.cleaned_data["text"]
        if not chosen.applies(item):
            self.message_user(request, f"{item} can no longer be decided that way.", messages.WARNING)
            return HttpResponseRedirect(here)
        try:
            chosen.act(item, request.user, text)
        except ReviewConflict as conflict:
            self.message_user(request, str(conflict), messages.WARNING)
            return HttpResponseRedirect(here)
        self.message_user(request, f"{chosen.label}: done for {item}.", messages.SUCCESS)
        return self._next(request, item)

    def _next(self, request: HttpRequest, decided: Model) -> HttpResponse:
        """The next item waiting, oldest first; the queue on the admin's index when nothing else waits."""
        following = self.waiting().exclude(pk=decided.pk).first()
        if following is None:
            self.message_user(request, f"No other {self.model._meta.verbose_name_plural} are waiting.")
            return HttpResponseRedirect(reverse("admin:index"))
        return HttpResponseRedirect(reverse(self._url_name("change"), args=[following.pk]))

    def _url_name(self, view: str) -> str:
        return f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_{view}"
