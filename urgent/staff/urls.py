from django.urls import path

from urgent.staff import case_views, official_views, photo_views, target_views, views

urlpatterns = [
    path("", views.staff_home, name="staff_home"),
    path("login/", views.staff_login, name="staff_login"),
    path("logout/", views.staff_logout, name="staff_logout"),
    path("verify/", views.staff_verify, name="staff_verify"),
    path("two-factor/", views.staff_totp_setup, name="staff_totp_setup"),
    path("audit/", views.audit_list, name="staff_audit"),
    path("audit.csv", views.audit_export, name="staff_audit_export"),
    path("cases/", case_views.case_list, name="staff_case_list"),
    path("cases/new/", case_views.case_new, name="staff_case_new"),
    path("cases/<int:pk>/", case_views.case_edit, name="staff_case_edit"),
    path("cases/<int:pk>/targets/add/", target_views.case_target_add, name="staff_case_target_add"),
    path("cases/<int:pk>/targets/new/", target_views.case_target_new, name="staff_case_target_new"),
    path(
        "cases/<int:pk>/targets/<int:target_pk>/",
        target_views.case_target_edit,
        name="staff_case_target_edit",
    ),
    path(
        "cases/<int:pk>/targets/<int:target_pk>/remove/",
        target_views.case_target_remove,
        name="staff_case_target_remove",
    ),
    path(
        "cases/<int:pk>/people/<int:person_pk>/photo/",
        photo_views.person_photo,
        name="staff_person_photo",
    ),
    path(
        "cases/<int:pk>/people/<int:person_pk>/photo/remove/",
        photo_views.person_photo_remove,
        name="staff_person_photo_remove",
    ),
    path("cases/<int:pk>/preview/", case_views.case_preview, name="staff_case_preview"),
    path(
        "cases/<int:pk>/preview/alert/",
        case_views.case_preview_alert,
        name="staff_case_preview_alert",
    ),
    path("cases/<int:pk>/publish/", case_views.case_publish, name="staff_case_publish"),
    path("cases/<int:pk>/update/", case_views.case_update_post, name="staff_case_update"),
    path("cases/<int:pk>/close/", case_views.case_close, name="staff_case_close"),
    path("cases/<int:pk>/stop/", case_views.case_stop, name="staff_case_stop"),
    path(
        "cases/<int:pk>/translations/<str:language>/",
        case_views.case_translation,
        name="staff_case_translation",
    ),
    path("officials/", official_views.official_list, name="staff_official_list"),
    path("officials/<int:pk>/", official_views.official_detail, name="staff_official_detail"),
    path("officials/<int:pk>/merge/", official_views.official_merge, name="staff_official_merge"),
    path(
        "officials/<int:pk>/contact-points/add/",
        official_views.contact_point_add,
        name="staff_contact_point_add",
    ),
    path(
        "contact-points/<int:pk>/health/",
        official_views.contact_point_health,
        name="staff_contact_point_health",
    ),
]
