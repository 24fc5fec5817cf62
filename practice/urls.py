from django.urls import path

from practice import views

app_name = "practice"

urlpatterns = [
    path("practice/", views.dashboard, name="dashboard"),
    path("practice/new/", views.listing_new, name="new"),
    path("practice/<int:pk>/edit/", views.listing_edit, name="edit"),
    path("practice/<int:pk>/confirm/", views.listing_confirm, name="confirm"),
    path("practice/account/data.json", views.account_data, name="account_data"),
    path("practice/account/close/", views.account_close, name="account_close"),
    path("practitioners/<int:pk>-<slug:slug>/claim/", views.claim, name="claim"),
    path("for-practitioners/", views.about, name="about"),
]
