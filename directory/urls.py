from django.urls import path

from directory import embed, views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("practitioners/<int:pk>-<slug:slug>/", views.practitioner_detail, name="practitioner-detail"),
    path("techniques/<slug:slug>/", views.technique_detail, name="technique-detail"),
    path("photos/<int:pk>/<str:name>", views.photo_file, name="photo-file"),
    path("embed/", embed.embed, name="embed"),
    path("embed/theme.css", embed.embed_theme, name="embed-theme"),
    path("embed/build/", embed.embed_builder, name="embed-builder"),
    path("embed.js", embed.embed_script, name="embed-script"),
]
