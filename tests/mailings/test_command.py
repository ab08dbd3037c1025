"""`urgent mailing ...` from the terminal."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests.mailings.conftest import SmtpServer, mailing_make, supporter_make
from urgent.mailings.models import Mailing


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("mailing", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_send_here_with_a_progress_bar(smtp_server: SmtpServer) -> None:
    for _ in range(5):
        supporter_make()
    mailing = mailing_make(start=False)
    output = run("send", str(mailing.pk), "--here")
    assert f"mailing {mailing.pk} started" in output
    assert "[##############################] 100%  5/5 sent" in output
    assert output.rstrip().endswith("Done")
    assert len(smtp_server.recipients) == 5
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.DONE


@pytest.mark.django_db
def test_pause_resume_cancel_and_status(smtp_server: SmtpServer) -> None:
    supporter_make()
    mailing = mailing_make()
    ref = str(mailing.uuid)
    assert "pause done" in run("pause", ref)
    with pytest.raises(CommandError, match="cannot pause"):
        run("pause", ref)
    assert "Paused by staff." in run("status", ref)
    assert "resume done" in run("resume", str(mailing.pk))
    assert "cancel done" in run("cancel", str(mailing.pk))
    with pytest.raises(CommandError, match="resume a paused mailing"):
        run("send", str(mailing.pk))
    with pytest.raises(CommandError, match="no mailing 'nope'"):
        run("status", "nope")
    assert mailing.name in run("list")
