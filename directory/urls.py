from django.urls import path

from directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("practitioners/<int:pk>-<slug:slug>/", views.practitioner_detail, name="practitioner-detail"),
    path("techniques/<slug:slug>/", views.technique_detail, name="technique-detail"),
]
