"""Outgoing mail kept in a local Maildir when no EMAIL_URL is set.

Nothing leaves the machine; staff read what would have been sent at /staff/mail/.
"""

from __future__ import annotations

import mailbox
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


def maildir() -> mailbox.Maildir:
    path = Path(settings.URGENT_MAILDIR)
    path.parent.mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(path, create=True)


class MaildirBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        box = maildir()
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            box.add(mailbox.MaildirMessage(message.message().as_bytes(linesep="\n")))
            sent += 1
        return sent
