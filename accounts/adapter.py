"""The directory's allauth adapter: what allauth asks of the site."""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage, LoginStageController
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.emails import emails_match
from accounts.models import User
from config.network import client_address

# settings.ACCOUNT_EMAIL_SUBJECT_PREFIX, marked so that the catalogue translates it (format_email_subject).
# Translators: the start of every account e-mail's subject, before the subject itself.
gettext_noop("Upper Cervical Directory: ")


class AccountAdapter(DefaultAccountAdapter):
    # allauth's messages in the directory's words: "e-mail", plain sentences. The keys are allauth's.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": _("This account is inactive."),
        "cannot_remove_primary_email": _("You cannot remove your primary e-mail address."),
        "duplicate_email": _("This e-mail address is on your account already."),
        "email_password_mismatch": _("The e-mail address or the password is not right."),
        "email_taken": _("An account with this e-mail address exists already."),
        "enter_current_password": _("Enter your current password."),
        "incorrect_password": _("That password is not right."),
        "invalid_or_expired_key": _("This link has expired or is not valid."),
        "invalid_login": _("The e-mail address or the password is not right."),
        "invalid_password_reset": _("This link to reset your password is not valid."),
        "max_email_addresses": _("An account can have at most %d e-mail addresses."),
        "too_many_login_attempts": _("Too many failed attempts to sign in. Wait a few minutes and try again."),
        "unknown_email": _("No account has this e-mail address."),
        "unverified_primary_email": _("Your primary e-mail address must be confirmed first."),
        "rate_limited": _("Too many requests in a short time. Wait a few minutes and try again."),
    }

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's rate limits (and so the site's own, through allauth's limiter) count by: the
        same as the API's throttle, behind the same trusted proxies."""
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address.")
        return address

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        """A new account keeps the language its sign-up page was in: its e-mails are written in it."""
        user.language = supported_language(translation.get_language())
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails, with the address people write to for help, in the language of the account the
        address belongs to (the request's language when it belongs to none).

        allauth builds the e-mail's links (confirmation, password reset, sign-up) from the request before it gets
        here, so they carry the request's language prefix: they are moved to the account's language here, the
        page they open being the same."""
        context = {"contact_email": settings.CONTACT_EMAIL, **context}
        user = account_for(email)
        if user is None:
            super().send_mail(template_prefix, email, context)
            return
        language = supported_language(user.language)
        host = self.request.get_host() if self.request is not None else None  # allauth.core.context's request
        for key, value in context.items():
            if key.endswith("_url") and isinstance(value, str) and urlsplit(value).netloc in ("", host):
                context[key] = translate_url(value, language)
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject: str) -> str:
        """The subject after settings.ACCOUNT_EMAIL_SUBJECT_PREFIX, the prefix in the e-mail's language."""
        prefix = app_settings.EMAIL_SUBJECT_PREFIX
        if prefix is None:
            return super().format_email_subject(subject)
        return gettext(prefix) + str(subject)

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        """Confirms the address; in a browser other than the one that signed up, also signs its account in.

        allauth signs in on confirmation only where the sign-up's session is (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION);
        a practitioner who opens the link in another browser would be asked for the password they just chose.
        The link signs in once at most: allauth confirms an address once, and an address already confirmed is
        not passed here again. A new address added to an account with a confirmed one does not sign in: that
        link proves the new mailbox, not the account's.
        """
        user = email_address.user
        signs_in = (
            request.method == "POST"
            and not request.user.is_authenticated
            and not email_address.verified
            and user.is_active
            and not self._signing_up_here(request, user)
            and not EmailAddress.objects.filter(user=user, verified=True).exclude(pk=email_address.pk).exists()
        )
        if not super().confirm_email(request, email_address):
            return False
        if signs_in:
            self.login(request, user)
            self.add_message(request, messages.SUCCESS, "account/messages/logged_in.txt", {"user": user})
        return True

    @staticmethod
    def _signing_up_here(request: HttpRequest, user) -> bool:
        """Whether this browser's session is waiting on this account's e-mail confirmation (allauth then signs it
        in itself, resuming the sign-up)."""
        stage = LoginStageController.enter(request, EmailVerificationStage.key)
        return bool(stage and stage.login.user and stage.login.user.pk == user.pk)


def supported_language(code: str | None) -> str:
    """The one of settings.LANGUAGES `code` is written in (the default language for none of them)."""
    try:
        return translation.get_supported_language_variant(code or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def account_for(address: str) -> User | None:
    """The account an e-mail address belongs to (its sign-in address or one of its allauth addresses), compared
    by accounts.emails.emails_match: the database's case-insensitive match only narrows the candidates."""
    candidates = [(user.email, user) for user in User.objects.filter(email__iexact=address).order_by("pk")]
    rows = EmailAddress.objects.filter(email__iexact=address).select_related("user").order_by("pk")
    candidates += [(row.email, row.user) for row in rows]
    return next((user for stored, user in candidates if emails_match(stored, address)), None)
