from django.urls import path

from urgent.cases import views as case_views
from urgent.core import views as core_views

urlpatterns = [
    path("", case_views.case_list, name="case_list"),
    path("cases/<slug:slug>/", case_views.case_detail, name="case_detail"),
    path("staff/mail/", core_views.mail_list, name="staff_mail_list"),
    path("staff/mail/<str:key>/", core_views.mail_detail, name="staff_mail_detail"),
]
