"""The account's own pages, included under each language's prefix before allauth's (config/urls.py)."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("language/", views.language, name="language"),
]
