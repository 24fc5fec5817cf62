from django.urls import path

from practice import photos, questions, views

app_name = "practice"

urlpatterns = [
    path("practice/", views.dashboard, name="dashboard"),
    path("practice/new/", views.listing_new, name="new"),
    path("practice/<int:pk>/edit/", views.listing_edit, name="edit"),
    path("practice/<int:pk>/confirm/", views.listing_confirm, name="confirm"),
    path("practice/<int:pk>/training/", views.training, name="training"),
    path("practice/<int:pk>/training/<int:training_pk>/", views.training_edit, name="training_edit"),
    path("practice/<int:pk>/training/<int:training_pk>/remove/", views.training_remove, name="training_remove"),
    path("practice/<int:pk>/training/<int:training_pk>/evidence/", views.training_evidence, name="training_evidence"),
    path("practice/account/data.json", views.account_data, name="account_data"),
    path("practice/account/close/", views.account_close, name="account_close"),
    path("practitioners/<int:pk>-<slug:slug>/claim/", views.claim, name="claim"),
    path("practice/claim/", views.claim_by_npi, name="claim_by_npi"),
    path("for-practitioners/", views.about, name="about"),
]

# Patients' questions (practice/questions.py): the form on a profile, the spam link in the e-mail, the settings.
urlpatterns += [
    path("practitioners/<int:pk>-<slug:slug>/ask/", questions.ask, name="ask"),
    path("practitioners/<int:pk>-<slug:slug>/ask/sent/", questions.ask_sent, name="ask_sent"),
    path("questions/spam/<str:token>/", questions.question_spam, name="question_spam"),
    path("practice/<int:pk>/questions/", questions.question_settings, name="question_settings"),
]

# Photos of a listing (practice/photos.py): the owner's page, alt text, removal.
urlpatterns += [
    path("practice/<int:pk>/photos/", photos.photos, name="photos"),
    path("practice/<int:pk>/photos/<int:photo_pk>/alt-text/", photos.photo_alt_text, name="photo_alt_text"),
    path("practice/<int:pk>/photos/<int:photo_pk>/remove/", photos.photo_remove, name="photo_remove"),
]
