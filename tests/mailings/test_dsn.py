"""Bounce parsing on invented samples (tests/mailings/samples)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from urgent.mailings.dsn import DsnRecipient, dsn_parse

SAMPLES = Path(__file__).parent / "samples"
OURS = "<m0f1e2d3c4b5a69788796a5b4c3d2e1f0.1a2b3c4d5e6f708192a3b4c5d6e7f809@urgent.example.org>"


def sample(name: str) -> EmailMessage:
    message = message_from_bytes((SAMPLES / name).read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "postfix_hard.eml",
            [("nobody.here@example.net", "failed", "5.1.1", True)],
        ),
        (
            "exchange_two_recipients.eml",
            [
                ("lena.moreau@example.com", "failed", "5.1.10", True),
                ("paul.okafor@example.com", "delayed", "4.4.7", False),
            ],
        ),
        ("delayed.eml", [("slow.inbox@example.net", "delayed", "4.4.1", False)]),
        ("gmail_style.eml", [("inbox.full@example.org", "failed", "5.2.2", True)]),
        # Shapes other than RFC 3464 say only failed or delayed: the status is the generic one.
        ("qmail.eml", [("gone.away@example.info", "failed", "5.0.0", True)]),
        ("exim_plain.eml", [("no.such.user@example.co", "failed", "5.0.0", True)]),
    ],
)
def test_bounces_name_recipient_status_and_our_message(
    name: str, expected: list[tuple[str, str, str, bool]]
) -> None:
    found = dsn_parse(sample(name))
    assert [(r.recipient, r.action, r.status, r.permanent) for r in found] == expected
    assert all(r.original_message_id == OURS for r in found)
    assert all(r.diagnostic for r in found)


def test_the_diagnostic_is_the_servers_words() -> None:
    [report] = dsn_parse(sample("postfix_hard.eml"))
    assert report.diagnostic.startswith("550 5.1.1 <nobody.here@example.net>: Recipient")
    assert "\n" not in report.diagnostic
    assert report.message_id == report.original_message_id


@pytest.mark.parametrize("name", ["human_reply.eml", "out_of_office.eml", "arf_complaint.eml"])
def test_what_is_not_a_bounce_gives_nothing(name: str) -> None:
    assert dsn_parse(sample(name)) == []


def test_records_are_frozen() -> None:
    [report] = dsn_parse(sample("delayed.eml"))
    assert isinstance(report, DsnRecipient)
    with pytest.raises(AttributeError):
        report.recipient = "x@example.org"  # type: ignore[misc]
