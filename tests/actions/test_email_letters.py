"""A letter by email through Urgent: confirm the address, then it reaches a real SMTP server
with the right To, Cc, Reply-To, From, a stable Message-ID and the letter as body."""

from __future__ import annotations

from django.test import Client

from tests.actions.conftest import Smtp
from tests.actions.helpers import case, compose_data, confirm_link
from urgent.actions.models import Action, LetterDelivery, PendingLetter
from urgent.actions.services import deliveries_send_due
from urgent.actions.services.common import bounce_address_read, reply_address_read
from urgent.supporters.models import Supporter
from urgent.supporters.selectors import supporters_by_email


def test_letter_goes_out_only_after_the_address_is_confirmed(
    demo: None, smtp: Smtp, django_capture_on_commit_callbacks: object
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post("/act/ua-101-26/", compose_data())
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()
    assert not Action.objects.filter(channel="email", supporter__isnull=False).exists()
    assert LetterDelivery.objects.count() == 0

    # The confirmation email went to the supporter, and only to them.
    assert [r.rcpt_tos for r in smtp.received] == [["ana@example.org"]]
    path = confirm_link(smtp.received[0].message.get_body().get_content())  # type: ignore[union-attr]
    page = client.get(path)
    assert page.status_code == 200
    assert "Yes, send my letter" in page.content.decode()
    assert LetterDelivery.objects.count() == 0  # a GET (a link scanner) sends nothing

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        done = client.post(path)
    assert done.status_code == 200
    assert "Your letter is on its way" in done.content.decode()
    supporter = supporters_by_email("ana@example.org").get()
    assert supporter.confirmed_at is not None
    action = Action.objects.get(supporter=supporter)
    assert action.channel == "email" and action.confirmed
    deliveries = list(action.deliveries.order_by("role"))
    assert [(d.role, d.contact_point.value) for d in deliveries] == [
        ("cc", "embassy.tm@example.org"),
        ("to", "mission.tm@example.org"),
    ]
    assert len({d.message_id for d in deliveries}) == 1

    report = deliveries_send_due()
    assert report.sent == 2
    letters = smtp.received[1:]
    assert sorted(r.rcpt_tos[0] for r in letters) == [
        "embassy.tm@example.org",
        "mission.tm@example.org",
    ]
    for received in letters:
        message = received.message
        assert (
            message["To"] == '"Oraz Baymuradov, President of Turkmenistan" <mission.tm@example.org>'
        )
        assert "embassy.tm@example.org" in message["Cc"]
        assert message["Message-ID"] == deliveries[0].message_id
        assert message["From"] == "Ana Example via Urgent Demo Network <actions@urgent.example.org>"
        # Bounces go to the letter's own signed return path (VERP).
        delivery = next(d for d in deliveries if d.contact_point.value == received.rcpt_tos[0])
        assert bounce_address_read(received.mail_from) == delivery.pk
        reply_to = message["Reply-To"]
        assert "ana@example.org" in reply_to and "reply+" in reply_to
        reply = next(a for a in reply_to.addresses if a.addr_spec.startswith("reply+"))
        assert reply_address_read(reply.addr_spec) in {d.pk for d in deliveries}
        body = message.get_body().get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
        assert body.startswith("Dear President,")
        assert "I am a nurse in Lyon." in body
        assert "Disclose at once his fate and whereabouts." in body
        assert body.rstrip().endswith("Ana Example\nLyon, France")
        assert message["Subject"] == "Concerning Daniyar Orazmyradov"
    assert set(LetterDelivery.objects.values_list("status", flat=True)) == {"sent"}

    # Pressing the button again shows the same letter; nothing is queued twice.
    again = client.post(path)
    assert again.status_code == 200
    assert LetterDelivery.objects.count() == 2
    assert deliveries_send_due().sent == 0


def test_one_letter_per_supporter_per_official_per_case(
    demo: None, smtp: Smtp, django_capture_on_commit_callbacks: object
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post("/act/ua-101-26/", compose_data())
    client.post(confirm_link(smtp.received[0].message.get_body().get_content()))  # type: ignore[union-attr]
    second = client.post("/act/ua-101-26/", compose_data(email="ANA@example.org"))
    assert second.status_code == 400
    assert "already sent a letter to each of these officials" in second.content.decode()
    assert PendingLetter.objects.count() == 1


def test_a_second_confirmed_letter_skips_officials_already_written_to(
    demo: None, smtp: Smtp, django_capture_on_commit_callbacks: object
) -> None:
    from urgent.actions.services import letter_confirm

    client = Client()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post("/act/ua-101-26/", compose_data())
        client.post("/act/ua-101-26/", compose_data())  # two pending letters, neither confirmed
    first, second = PendingLetter.objects.order_by("id")
    letter_confirm(pending=first)
    from urgent.core.errors import ApplicationError

    try:
        letter_confirm(pending=second)
    except ApplicationError as exc:
        assert exc.code == "already_written"
    else:
        raise AssertionError("a second letter to the same officials was queued")
    assert LetterDelivery.objects.count() == 2


def test_names_and_subjects_with_line_breaks_never_reach_a_header(
    demo: None, smtp: Smtp, django_capture_on_commit_callbacks: object
) -> None:
    client = Client()
    # A name or city on two lines is refused with words a person understands.
    for field in ("name", "city"):
        refused = client.post(
            "/act/ua-101-26/", compose_data(**{field: "Ana\r\nBcc: victim@example.org"})
        )
        assert refused.status_code == 400
        assert "on one line, without line breaks" in refused.content.decode()
    assert not PendingLetter.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(
            "/act/ua-101-26/",
            compose_data(
                name="Ana Bcc: victim@example.org",
                subject="Hello\r\nBcc: victim@example.org\nX-Evil: 1",
            ),
        )
        assert response.status_code == 200
    client.post(confirm_link(smtp.received[0].message.get_body().get_content()))  # type: ignore[union-attr]
    deliveries_send_due()
    assert len(smtp.received) == 3
    for received in smtp.received:
        header_lines = received.raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        names = {line.split(b":", 1)[0].lower() for line in header_lines if line[:1] not in b" \t"}
        assert b"bcc" not in names and b"x-evil" not in names
        assert "victim@example.org" not in received.rcpt_tos
    letter = smtp.received[1].message
    assert letter["Subject"] == "Hello Bcc: victim@example.org X-Evil: 1"
    assert "Ana Bcc: victim@example.org via" in letter["From"]


def test_email_address_that_is_not_one_is_explained(demo: None) -> None:
    response = Client().post("/act/ua-101-26/", compose_data(email="ana@@example"))
    assert response.status_code == 400
    assert "This email address is not valid" in response.content.decode()
    assert PendingLetter.objects.count() == 0


def test_case_is_checked_at_confirmation_too(
    demo: None, smtp: Smtp, django_capture_on_commit_callbacks: object
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post("/act/ua-101-26/", compose_data())
    case_ = case()
    case_.actions_stopped = True
    case_.save()
    response = client.post(confirm_link(smtp.received[0].message.get_body().get_content()))  # type: ignore[union-attr]
    assert response.status_code == 400
    assert "paused for the safety" in response.content.decode()
    assert LetterDelivery.objects.count() == 0


def test_the_letter_form_changes_no_stored_supporter_before_the_link_is_followed(
    demo: None, smtp: Smtp, django_capture_on_commit_callbacks: object
) -> None:
    named = Supporter.objects.create(email="ana@example.org", name="Ana Example", city="Lyon")
    unnamed = Supporter.objects.create(email="bo@example.org", status="active")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        for address in ("ana@example.org", "bo@example.org"):
            response = client.post(
                "/act/ua-101-26/",
                compose_data(
                    email=address, name="Mallory Stranger", city="Elsewhere", country="DE"
                ),
            )
            assert response.status_code == 200
    for supporter, before in ((named, ("Ana Example", "Lyon", "")), (unnamed, ("", "", ""))):
        supporter.refresh_from_db()
        assert (supporter.name, supporter.city, supporter.country) == before
    # The owner of the unnamed address follows the link: now what was signed is kept.
    link = confirm_link(smtp.handler.to("bo@example.org")[0].message.get_body().get_content())  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert client.post(link).status_code == 200
    unnamed.refresh_from_db()
    assert (unnamed.name, unnamed.city, unnamed.country) == ("Mallory Stranger", "Elsewhere", "DE")
    # A stored name is never replaced, even after confirmation.
    link = confirm_link(smtp.handler.to("ana@example.org")[0].message.get_body().get_content())  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(link)
    named.refresh_from_db()
    assert (named.name, named.city) == ("Ana Example", "Lyon")
