"""Staff sign-in: password, then a TOTP second factor; every step audited and throttled."""

from __future__ import annotations

import base64

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from urgent.core.audit import audit_record
from urgent.core.client import client_address
from urgent.core.errors import ApplicationError
from urgent.core.ratelimit import ratelimit_count, ratelimit_hit, ratelimit_key

LOGIN_WINDOW = 15 * 60
# Wrong passwords are counted per username-and-address, so somebody guessing from one
# address cannot lock the account's owner out from another; per address over every
# username (one machine trying many accounts); and per username over every address, a
# ceiling high enough that only a guessing campaign from many addresses reaches it.
LOGIN_FAILURES_PER_USER_AND_IP = 8
LOGIN_FAILURES_PER_IP = 20
LOGIN_FAILURES_PER_USER_CEILING = 100


def _login_keys(*, request: HttpRequest, username: str) -> list[tuple[str, int]]:
    ip = client_address(request)
    user = username.strip().lower()
    return [
        (ratelimit_key("login-user-ip", user, ip), LOGIN_FAILURES_PER_USER_AND_IP),
        (ratelimit_key("login-ip", ip), LOGIN_FAILURES_PER_IP),
        (ratelimit_key("login-user", user), LOGIN_FAILURES_PER_USER_CEILING),
    ]


def login_throttled(*, request: HttpRequest, username: str) -> bool:
    return any(
        ratelimit_count(key=key, window_seconds=LOGIN_WINDOW) >= limit
        for key, limit in _login_keys(request=request, username=username)
    )


def login_failure_record(*, request: HttpRequest, username: str) -> None:
    for key, limit in _login_keys(request=request, username=username):
        ratelimit_hit(key=key, limit=limit, window_seconds=LOGIN_WINDOW)
    audit_record(actor=None, action="staff.login_failed", after={"username": username[:150]})


def login_throttled_record(*, request: HttpRequest, username: str) -> None:
    audit_record(actor=None, action="staff.login_throttled", after={"username": username[:150]})


def totp_device_confirmed(*, user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def totp_device_pending(*, user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed device being enrolled (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_verify(*, request: HttpRequest, device: TOTPDevice, token: str) -> None:
    token = "".join(token.split())
    if not token.isdigit() or len(token) != 6:
        raise ApplicationError(
            _("Enter the 6-digit code your authenticator app shows."),
            fields={"token": [_("Six digits, no spaces.")]},
        )
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        audit_record(actor=request.user, action="staff.otp_throttled")
        raise ApplicationError(
            _("Too many wrong codes. Wait a minute, then try again."), code="throttled"
        )
    if not device.verify_token(token):
        audit_record(actor=request.user, action="staff.otp_failed")
        raise ApplicationError(
            _(
                "That code is not right, or it has expired. "
                "Check your device's clock and try the new code."
            ),
            fields={"token": [_("Wrong or expired code.")]},
        )
    # A failure is audited outside any transaction, so refusing the code cannot erase it.
    with transaction.atomic():
        enrolling = not device.confirmed
        if enrolling:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        # A new session key once the second factor is through: a key learnt before (a
        # fixation, a shoulder) is worth nothing afterwards.
        request.session.cycle_key()
        otp_login(request, device)
        audit_record(
            actor=request.user,
            action="staff.otp_enrolled" if enrolling else "staff.otp_verified",
        )
