"""Self-reported actions and the abuse controls on every action form."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone

from tests.actions.helpers import case, compose_data, solved
from urgent.actions.models import Action, PendingLetter


def record(client: Client, **data: Any) -> Any:
    payload = {"channel": "phone", "altcha": solved(), "website": "", **data}
    return client.post("/act/ua-101-26/record/", payload)


def test_i_called_is_counted_once_per_solved_challenge(demo: None) -> None:
    client = Client()
    before = Action.objects.filter(case__slug="ua-101-26").count()
    payload = solved()
    response = record(client, altcha=payload)
    assert response.status_code == 200
    assert "your action is counted" in response.content.decode()
    action = Action.objects.latest("id")
    assert action.channel == "phone" and not action.confirmed
    assert {o.name for o in action.officials.all()} == {"Oraz Baymuradov", "Serdar ANNAYEV"}
    replay = record(client, altcha=payload)
    assert replay.status_code == 400
    assert "already sent once" in replay.content.decode()
    assert Action.objects.filter(case__slug="ua-101-26").count() == before + 1


def test_recorded_action_row_is_complete(demo: None) -> None:
    """The intake's one-statement insert fills every column as `save()` would."""
    response = record(client := Client(), channel="social", letter="@x Release him")
    assert response.status_code == 200
    action = Action.objects.latest("id")
    assert action.uuid and action.created_at and action.updated_at
    assert action.created_at <= timezone.now()
    assert (action.channel, action.letter, action.signature) == ("social", "@x Release him", "")
    assert action.officials.count() == 2
    assert record(client, channel="post").status_code == 200
    assert Action.objects.latest("id").uuid != action.uuid


def test_thanks_page_is_shared_but_each_form_gets_its_own_token(demo: None) -> None:
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tokens = []
    for client in (first, second):
        client.get("/cases/ua-101-26/")
        token = client.cookies["csrftoken"].value
        page = client.post(
            "/act/ua-101-26/record/",
            {"channel": "phone", "altcha": solved(), "website": "", "csrfmiddlewaretoken": token},
        ).content.decode()
        assert "your action is counted" in page
        form_token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        assert not form_token.startswith("csrfmark")
        tokens.append(form_token)
        # The language form on the thanks page works, and returns to the case.
        switched = client.post(
            "/i18n/setlang/",
            {
                "language": "fr",
                "next": page.split('name="next" type="hidden" value="')[1].split('"')[0],
                "csrfmiddlewaretoken": form_token,
            },
        )
        assert switched.status_code == 302 and switched["Location"] == "/cases/ua-101-26/"
        french = client.post(
            "/act/ua-101-26/record/",
            {"channel": "phone", "altcha": solved(), "website": "", "csrfmiddlewaretoken": token},
        ).content.decode()
        assert 'lang="fr"' in french and "your action is counted" not in french
        client.post(
            "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": form_token}
        )
    assert tokens[0] != tokens[1]


def test_record_answers_json_for_scripts_and_the_bench(demo: None) -> None:
    response = Client().post(
        "/act/ua-101-26/record/",
        {"channel": "social", "altcha": solved(), "letter": "@x Release him"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    assert response.json()["channel"] == "social"
    bad = Client().post(
        "/act/ua-101-26/record/", {"channel": "carrier-pigeon"}, HTTP_ACCEPT="application/json"
    )
    assert bad.status_code == 400 and "channel" in bad.json()["fields"]


def test_without_proof_of_work_a_network_gets_a_few_actions_an_hour(demo: None) -> None:
    client = Client()
    for _ in range(5):
        assert record(client, altcha="").status_code == 200
    refused = record(client, altcha="")
    assert refused.status_code == 429
    assert "Without JavaScript" in refused.content.decode()
    assert record(client, altcha="bm90IGEgcGF5bG9hZA==").status_code == 429  # forged: none
    assert record(client).status_code == 200  # a solved challenge still goes through


def test_per_ip_and_per_address_limits_name_the_limit(demo: None, settings: Any) -> None:
    settings.URGENT_ACTIONS_PER_IP_PER_HOUR = 2
    client = Client()
    assert record(client).status_code == 200
    assert record(client).status_code == 200
    refused = record(client)
    assert refused.status_code == 429 and "the limit is 2" in refused.content.decode()
    other = Client(REMOTE_ADDR="127.0.0.9")
    assert record(other).status_code == 200

    settings.URGENT_ACTIONS_PER_IP_PER_HOUR = 100
    settings.URGENT_LETTERS_PER_ADDRESS_PER_DAY = 1
    assert Client().post("/act/ua-101-26/", compose_data()).status_code == 200
    again = Client(REMOTE_ADDR="127.0.0.10").post(
        "/act/ua-87-26/", compose_data(letter="Dear Prosecutor General,\n\nRelease Hanna.")
    )
    assert again.status_code == 429
    assert "asked for 1 letters today" in again.content.decode()


def test_honeypot_is_refused_and_nothing_stored(demo: None) -> None:
    before = Action.objects.count()
    assert record(Client(), website="http://spam.example").status_code == 400
    response = Client().post("/act/ua-101-26/", compose_data(website="x"))
    assert response.status_code == 400
    assert Action.objects.count() == before and PendingLetter.objects.count() == 0


def test_long_letters_are_refused_with_the_limit_named(demo: None, settings: Any) -> None:
    settings.URGENT_LETTER_MAX_CHARS = 500
    response = Client().post("/act/ua-101-26/", compose_data(letter="x " * 400))
    assert response.status_code == 400
    page = response.content.decode()
    assert "the limit is 500 characters" in page
    assert "x x x" in page  # what they wrote is kept for them to shorten
    assert PendingLetter.objects.count() == 0


def test_html_is_stripped_from_letters(demo: None) -> None:
    Client().post(
        "/act/ua-101-26/",
        compose_data(
            letter="<p>Dear <b>President</b>,</p><script>alert(1)</script>\n\nFree him & now."
        ),
    )
    letter = PendingLetter.objects.get().letter
    assert letter.startswith("Dear President,")
    assert "<" not in letter and "alert" not in letter and "& now" in letter


@pytest.mark.parametrize("change", ["closed", "stopped", "deadline"])
def test_cases_not_taking_action_show_a_message_instead_of_the_form(
    demo: None, change: str
) -> None:
    case_ = case()
    if change == "closed":
        case_.status = "closed"
    elif change == "stopped":
        case_.actions_stopped = True
    else:
        case_.deadline = timezone.localdate() - datetime.timedelta(days=1)
    case_.save()
    page = Client().get("/cases/ua-101-26/").content.decode()
    assert 'class="letter-form"' not in page and "I called" not in page
    expected = {
        "closed": "This case is closed",
        "stopped": "paused for the safety",
        "deadline": "deadline for this case has passed",
    }[change]
    assert expected in page
    response = Client().post("/act/ua-101-26/", compose_data())
    assert response.status_code == 409 and expected in response.content.decode()
    refused = record(Client())
    assert refused.status_code == 400 and expected in refused.content.decode()


def test_mail_app_page_has_a_working_mailto_and_records_i_sent_it(demo: None) -> None:
    client = Client()
    page = client.post("/act/ua-101-26/", compose_data(channel="mail_app", email=""))
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('href="mailto:') + len('href="')
    mailto = html[start : html.index('"', start)].replace("&amp;", "&")
    assert mailto.startswith("mailto:mission.tm@example.org?cc=embassy.tm@example.org&subject=")
    body = unquote(mailto.split("&body=", 1)[1])
    assert body.startswith("Dear President,\r\n\r\n") and "Ana Example" in body
    response = client.post(
        "/act/ua-101-26/record/",
        {"channel": "mail_app", "letter": "Dear President, ...", "altcha": solved()},
    )
    assert response.status_code == 200
    assert Action.objects.latest("id").channel == "mail_app"


def test_mail_app_falls_back_to_copying_when_the_link_would_be_too_long(demo: None) -> None:
    long_letter = "Dear President,\n\n" + "Please release him now. " * 120
    html = (
        Client()
        .post("/act/ua-101-26/", compose_data(channel="mail_app", letter=long_letter))
        .content.decode()
    )
    assert "too long to hand to an email app" in html
    assert "&amp;body=" not in html


def test_post_page_offers_pdfs_postage_and_i_posted_it(demo: None) -> None:
    html = Client().post("/act/ua-101-26/", compose_data(channel="post")).content.decode()
    assert "Letter (PDF)" in html and "Envelopes (PDF)" in html
    assert "international postage" in html
    assert "I posted it" in html


def test_case_page_shows_phone_with_local_time_social_post_and_counts(
    demo: None, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(16):
        page = Client().get("/cases/ua-95-26/")
    html = page.content.decode()
    assert "+52 951 555 0199" in html and "America/Mexico_City" in html
    assert "@GobOaxacaEjemplo" in html
    assert "9 actions so far" in html
    ph = Client().get("/cases/ua-101-26/").content.decode()
    assert "America/New_York" in ph  # the embassy's number rings in Washington


def test_letter_languages_follow_the_case_and_its_translations(demo: None) -> None:
    from urgent.cases.models import CaseTranslation

    CaseTranslation.objects.create(
        case=case(),
        language="fr",
        headline="Militant en danger",
        asks=["Révélez immédiatement le sort de Daniyar Orazmyradov."],
        state="done",
    )
    html = Client().get("/cases/ua-101-26/?letter_lang=fr").content.decode()
    assert "Je vous écris au sujet de Daniyar Orazmyradov." in html
    assert "Révélez immédiatement" in html
    assert 'href="?letter_lang=en#take-action"' in html


def test_challenge_endpoint_serves_fresh_challenges(db: None) -> None:
    data = Client().get("/act/challenge/").json()
    assert set(data) == {"algorithm", "challenge", "maxNumber", "salt", "signature"}
    assert "expires=" in data["salt"]


@pytest.mark.parametrize("channel", ["post", "mail_app", "email"])
def test_pages_answering_a_post_switch_language_back_to_the_case(demo: None, channel: str) -> None:
    page = Client().post("/act/ua-101-26/", compose_data(channel=channel)).content.decode()
    assert '<input name="next" type="hidden" value="/cases/ua-101-26/">' in page
    # A page reached by GET keeps returning to itself.
    case_page = Client().get("/cases/ua-101-26/").content.decode()
    assert '<input name="next" type="hidden" value="/cases/ua-101-26/">' in case_page
    join = Client().get("/join/").content.decode()
    assert '<input name="next" type="hidden" value="/join/">' in join
