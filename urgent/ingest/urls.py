from django.urls import path

from urgent.ingest import views

urlpatterns = [
    path("", views.import_start, name="ingest_start"),
    path("<uuid:uuid>/", views.import_review, name="ingest_review"),
    path("<uuid:uuid>/update/", views.import_add_update, name="ingest_add_update"),
    path("<uuid:uuid>/discard/", views.import_discard, name="ingest_discard"),
    path("<uuid:uuid>/original/", views.import_original, name="ingest_original"),
]
