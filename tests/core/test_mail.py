from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import BadHeaderError

from urgent.core.mail import mail_send
from urgent.supporters.links import supporter_token, supporter_token_read, supporter_url


@pytest.fixture
def templates(tmp_path: Path, settings: object) -> Path:
    folder = tmp_path / "templates" / "t"
    folder.mkdir(parents=True)
    (folder / "hello.subject.txt").write_text("Hello {{ name }}\n")
    (folder / "hello.txt").write_text("Dear {{ name }}, see {{ base_url }}/")
    (folder / "hello.html").write_text("<p>Dear {{ name }}</p>")
    settings.TEMPLATES = [  # type: ignore[attr-defined]
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [tmp_path / "templates"],
        }
    ]
    return folder


def test_mail_send_renders_subject_text_and_html(templates: Path) -> None:
    assert mail_send(to=["a@example.org"], template_prefix="t/hello", context={"name": "<Ana>"})
    message = mail.outbox[0]
    assert message.subject == "Hello <Ana>"
    assert "Dear <Ana>, see http://" in message.body
    assert message.alternatives[0][0] == "<p>Dear &lt;Ana&gt;</p>"  # type: ignore[attr-defined]


def test_newlines_never_reach_a_header(templates: Path) -> None:
    with pytest.raises(BadHeaderError):
        mail_send(
            to=["a@example.org"],
            template_prefix="t/hello",
            context={"name": "x"},
            reply_to=["evil@example.org\r\nBcc: victim@example.org"],
        )
    assert mail.outbox == []


def test_signed_links_round_trip_and_refuse_tampering() -> None:
    import uuid

    who = uuid.uuid4()
    token = supporter_token(supporter_uuid=who, purpose="unsubscribe", extra="case:7")
    assert supporter_token_read(token=token, purpose="unsubscribe") == (who, "case:7")
    assert supporter_token_read(token=token, purpose="preferences") is None
    assert supporter_token_read(token=token[:-2] + "xx", purpose="unsubscribe") is None
    assert "/s/preferences/" in supporter_url(supporter_uuid=who, purpose="preferences")
