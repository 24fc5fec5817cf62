from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("practitioners/<int:pk>-<slug:slug>/report/", views.report, name="report"),
]
