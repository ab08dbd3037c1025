from django.urls import path

from urgent.mailings import views

urlpatterns = [
    path("", views.mailing_list, name="mailings_staff_list"),
    path("<int:pk>/", views.mailing_detail, name="mailings_staff_detail"),
    path("<int:pk>/progress.json", views.mailing_progress, name="mailings_staff_progress"),
    path(
        "<int:pk>/<str:action>/",
        views.mailing_act,
        name="mailings_staff_act",
    ),
]
