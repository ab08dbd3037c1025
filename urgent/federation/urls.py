"""Public federation URLs (included at the site root by urgent.web.urls)."""

from django.urls import path

from urgent.federation import views

urlpatterns = [
    path("federation/actor", views.actor_view, name="federation_actor"),
    path("federation/inbox", views.inbox_view, name="federation_inbox"),
    path("federation/outbox", views.outbox_view, name="federation_outbox"),
    path("federation/context.jsonld", views.context_view, name="federation_context"),
    path(
        "federation/activities/<uuid:activity_uuid>",
        views.activity_view,
        name="federation_activity",
    ),
    path("federation/cases/<uuid:case_uuid>", views.case_object_view, name="federation_case"),
    path("federation/news", views.news_actor_view, name="federation_news"),
    path("federation/news/inbox", views.news_inbox_view, name="federation_news_inbox"),
    path(
        "federation/news/<str:name>",
        views.news_collection_view,
        name="federation_news_collection",
    ),
    path(".well-known/webfinger", views.webfinger_view, name="federation_webfinger"),
    path(".well-known/urgent", views.well_known_view, name="federation_well_known"),
    path(".well-known/nodeinfo", views.nodeinfo_index_view, name="federation_nodeinfo_index"),
    path("nodeinfo/2.1", views.nodeinfo_view, name="federation_nodeinfo"),
]
