from django.urls import path

from directory.api import views

app_name = "api"

urlpatterns = [
    path("practitioners/", views.PractitionerList.as_view(), name="practitioner-list"),
    path("places/", views.PlaceSuggestions.as_view(), name="place-suggestions"),
]
