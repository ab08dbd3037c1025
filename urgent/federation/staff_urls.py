"""Staff federation pages (included at /staff/federation/ by urgent.web.urls)."""

from django.urls import path

from urgent.federation import staff_views

urlpatterns = [
    path("", staff_views.federation_home, name="federation_staff_home"),
    path("lookup/", staff_views.federation_lookup, name="federation_staff_lookup"),
    path("follow/", staff_views.federation_follow, name="federation_staff_follow"),
    path("deliveries/", staff_views.deliveries_table, name="federation_staff_deliveries"),
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
