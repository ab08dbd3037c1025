"""Staff federation pages (included at /staff/federation/ by urgent.web.urls)."""

from django.urls import path

from urgent.federation import incoming_views, staff_views

urlpatterns = [
    path("", staff_views.federation_home, name="federation_staff_home"),
    path("lookup/", staff_views.federation_lookup, name="federation_staff_lookup"),
    path("follow/", staff_views.federation_follow, name="federation_staff_follow"),
    path("deliveries/", staff_views.deliveries_table, name="federation_staff_deliveries"),
    path("incoming/", incoming_views.incoming_list, name="federation_staff_incoming_list"),
    path("incoming/<int:pk>/", incoming_views.incoming_detail, name="federation_staff_incoming"),
    path(
        "incoming/<int:pk>/adopt/",
        incoming_views.incoming_adopt_view,
        name="federation_staff_incoming_adopt",
    ),
    path(
        "incoming/<int:pk>/texts/",
        incoming_views.incoming_texts,
        name="federation_staff_incoming_texts",
    ),
    path(
        "incoming/<int:pk>/changes/",
        incoming_views.incoming_changes,
        name="federation_staff_incoming_changes",
    ),
    path(
        "incoming/<int:pk>/notices/<int:notice_pk>/send/",
        incoming_views.incoming_notice,
        name="federation_staff_incoming_notice",
    ),
    path("network/", staff_views.network_table, name="federation_staff_network"),
    path("refused/", staff_views.refused_list, name="federation_staff_refused"),
    path("instances/<int:pk>/", staff_views.instance_detail, name="federation_staff_instance"),
    path(
        "instances/<int:pk>/key/check/",
        staff_views.instance_key_check,
        name="federation_staff_key_check",
    ),
    path(
        "instances/<int:pk>/key/pin/",
        staff_views.instance_key_pin,
        name="federation_staff_key_pin",
    ),
    path(
        "instances/<int:pk>/<slug:action>/",
        staff_views.instance_act,
        name="federation_staff_act",
    ),
]
