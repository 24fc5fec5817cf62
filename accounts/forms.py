from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, costing the same whether or not the address already has an account."""

    def try_save(self, request: HttpRequest):
        if self.account_already_exists:
            # allauth then only e-mails the address's owner, while a new account hashes its password: hashing
            # here too keeps the answer's time from telling a stranger which addresses have accounts.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class LanguageForm(forms.ModelForm):
    """The language an account's e-mails are written in (accounts.views.language)."""

    class Meta:
        model = User
        fields = ["language"]
        labels = {"language": _("Language")}
        help_texts = {"language": _("E-mails from the directory are written in this language.")}
