"""The directory's allauth adapter: what allauth asks of the site."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage, LoginStageController
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from config.network import client_address


class AccountAdapter(DefaultAccountAdapter):
    # allauth's messages in the directory's words: "e-mail", plain sentences. The keys are allauth's.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "account_inactive": "This account is inactive.",
        "cannot_remove_primary_email": "You cannot remove your primary e-mail address.",
        "duplicate_email": "This e-mail address is on your account already.",
        "email_password_mismatch": "The e-mail address or the password is not right.",
        "email_taken": "An account with this e-mail address exists already.",
        "enter_current_password": "Enter your current password.",
        "incorrect_password": "That password is not right.",
        "invalid_or_expired_key": "This link has expired or is not valid.",
        "invalid_login": "The e-mail address or the password is not right.",
        "invalid_password_reset": "This link to reset your password is not valid.",
        "max_email_addresses": "An account can have at most %d e-mail addresses.",
        "too_many_login_attempts": "Too many failed attempts to sign in. Wait a few minutes and try again.",
        "unknown_email": "No account has this e-mail address.",
        "unverified_primary_email": "Your primary e-mail address must be confirmed first.",
        "rate_limited": "Too many requests in a short time. Wait a few minutes and try again.",
    }

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's rate limits (and so the site's own, through allauth's limiter) count by: the
        same as the API's throttle, behind the same trusted proxies."""
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address.")
        return address

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails, with the address people write to for help."""
        super().send_mail(template_prefix, email, {"contact_email": settings.CONTACT_EMAIL, **context})

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
