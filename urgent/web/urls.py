from django.urls import include, path

from urgent.actions import staff_views as action_staff_views
from urgent.actions import views as action_views
from urgent.cases import casesheet, feeds
from urgent.cases import views as case_views
from urgent.impact import views as impact_pages
from urgent.inbound import views as inbound_views
from urgent.outreach import views as outreach_views
from urgent.staff import mail_views
from urgent.supporters import views as supporter_views
from urgent.web import views as web_views

urlpatterns = [
    path("", case_views.case_list, name="case_list"),
    path("favicon.ico", web_views.favicon, name="favicon"),
    path("cases/<slug:slug>/", case_views.case_detail, name="case_detail"),
    path("media/people/<str:name>", case_views.person_photo_file, name="person_photo_file"),
    path("staff/mail/", mail_views.mail_list, name="staff_mail_list"),
    path("staff/mail/<str:key>/", mail_views.mail_detail, name="staff_mail_detail"),
    # Supporters (urgent.supporters): joining, "Keep me updated", signed-link pages.
    path("join/", supporter_views.join, name="supporters_join"),
    path("check-your-email/", supporter_views.check_email, name="supporters_check_email"),
    path("preferences/", supporter_views.link_request, name="supporters_link_request"),
    path(
        "cases/<slug:slug>/keep-me-updated/",
        supporter_views.keep_updated,
        name="supporters_keep_updated",
    ),
    path("s/confirm/<str:token>/", supporter_views.confirm, name="supporters_confirm"),
    path("s/preferences/<str:token>/", supporter_views.preferences, name="supporters_preferences"),
    path(
        "s/preferences/<str:token>/stop/",
        supporter_views.preferences_stop,
        name="supporters_preferences_stop",
    ),
    path(
        "s/preferences/<str:token>/export/",
        outreach_views.preferences_export,
        name="supporters_preferences_export",
    ),
    path(
        "s/preferences/<str:token>/erase/",
        outreach_views.preferences_erase,
        name="supporters_preferences_erase",
    ),
    path("s/unsubscribe/<str:token>/", supporter_views.unsubscribe, name="supporters_unsubscribe"),
    # Inbound mail from email services (urgent.inbound).
    path("inbound/<slug:esp>/", inbound_views.webhook, name="inbound_webhook"),
    # Taking action (urgent.actions): composer, channels, letter confirmation, staff views.
    path("act/challenge/", action_views.challenge, name="actions_challenge"),
    path("act/confirm/<str:token>/", action_views.confirm, name="actions_confirm"),
    path("act/fax/status/<str:token>/", action_views.fax_status, name="actions_fax_status"),
    path("act/<slug:slug>/", action_views.compose, name="actions_compose"),
    path("act/<slug:slug>/record/", action_views.record, name="actions_record"),
    path("act/<slug:slug>/pdf/", action_views.letter_pdf, name="actions_pdf"),
    path("act/<slug:slug>/pack/", action_views.evening_pack, name="actions_pack"),
    path("staff/actions/", action_staff_views.official_list, name="actions_staff_officials"),
    path(
        "staff/actions/officials/<uuid:uuid>/",
        action_staff_views.official_detail,
        name="actions_staff_official",
    ),
    path(
        "staff/actions/contact-points/<int:pk>/",
        action_staff_views.contact_point_detail,
        name="actions_staff_contact_point",
    ),
    # Publication formats (urgent.cases.feeds, casesheet), impact (urgent.impact.views) and
    # the JSON API (urgent.api; docs/api.md).
    path("cases/<slug:slug>/sheet.pdf", casesheet.casesheet_view, name="case_sheet_pdf"),
    path("feeds/", feeds.feeds_page, name="feeds"),
    path("feeds/cases.atom", feeds.cases_atom, name="feed_cases_atom"),
    path("feeds/deadlines.ics", feeds.deadlines_ics, name="feed_deadlines_ics"),
    path("impact/", impact_pages.impact_public, name="impact"),
    path("impact/<slug:table>.csv", impact_pages.impact_csv, name="impact_csv"),
    path("staff/impact/", impact_pages.impact_staff, name="staff_impact"),
    path("staff/impact/<slug:table>.csv", impact_pages.impact_staff_csv, name="impact_staff_csv"),
    path("api/v1/", include("urgent.api.urls")),
    # Mailings (urgent.mailings): staff pages of fan-out progress, pause, resume, cancel.
    path("staff/mailings/", include("urgent.mailings.urls")),
    # New case from a document (urgent.ingest): upload or paste, correct, save a draft.
    path("staff/import/", include("urgent.ingest.urls")),
    # Federation (urgent.federation): actor, inbox, outbox, discovery; staff pages.
    path("", include("urgent.federation.urls")),
    path("staff/federation/", include("urgent.federation.staff_urls")),
]
