from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models

from accounts.forms import EmailUserChangeForm, EmailUserCreationForm
from accounts.models import User


@admin.register(User)
class EmailUserAdmin(UserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    # Dates the system keeps are shown, not edited (the split date and time boxes had no labels); groups and
    # permissions are lists of labelled checkboxes (the two-box picker labels a plain span).
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = []
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]})]
