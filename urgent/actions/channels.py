"""What each self-service channel shows: a mailto link, a call script, a social post."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezone

from urgent.cases.models import CaseTarget
from urgent.officials.models import ContactPoint

# Longer mailto: links are cut or refused by some mail apps and browsers (2,000 is the
# lowest limit still in common use); past it the letter is copied by hand instead.
MAILTO_MAX = 2000


@dataclass(frozen=True)
class Mailto:
    url: str
    complete: bool  # False when the body was left out because the link would be too long


def mailto_url(*, to: Sequence[str], cc: Sequence[str], subject: str, body: str) -> Mailto:
    def q(value: str) -> str:
        return quote(value, safe="")

    head = "mailto:" + ",".join(quote(a, safe="@") for a in to)
    params = []
    if cc:
        params.append("cc=" + ",".join(quote(a, safe="@") for a in cc))
    params.append("subject=" + q(subject))
    short = head + "?" + "&".join(params)
    full = short + "&body=" + q(body.replace("\n", "\r\n"))
    if len(full) <= MAILTO_MAX:
        return Mailto(url=full, complete=True)
    return Mailto(url=short, complete=False)


def email_addresses(targets: Sequence[CaseTarget]) -> tuple[list[str], list[str]]:
    to: list[str] = []
    cc: list[str] = []
    for target in targets:
        points = [
            p for p in target.official.contact_points.all() if p.kind == ContactPoint.Kind.EMAIL
        ]
        if points:
            (to if target.role == CaseTarget.Role.PRIMARY else cc).append(points[0].value)
    return to, cc


@dataclass(frozen=True)
class PhoneEntry:
    target: CaseTarget
    number: str
    tel: str
    zone: str
    local_time: datetime.datetime | None

    @property
    def office_hours(self) -> bool:
        if self.local_time is None:
            return True
        return self.local_time.weekday() < 5 and 9 <= self.local_time.hour < 17


def _zone(number: str, country: str) -> str:
    try:
        parsed = phonenumbers.parse(number, country or None)
    except phonenumbers.NumberParseException:
        return ""
    zones = [z for z in phone_timezone.time_zones_for_number(parsed) if z != "Etc/Unknown"]
    return zones[0] if zones else ""


def phone_entries(targets: Sequence[CaseTarget], *, now: datetime.datetime) -> list[PhoneEntry]:
    """Each official's phone numbers with the time it is where the phone rings."""
    entries = []
    for target in targets:
        for point in target.official.contact_points.all():
            if point.kind != ContactPoint.Kind.PHONE:
                continue
            zone = _zone(point.value, target.official.country)
            try:
                local = now.astimezone(ZoneInfo(zone)) if zone else None
            except ZoneInfoNotFoundError:
                local = None
            entries.append(
                PhoneEntry(
                    target=target,
                    number=point.value,
                    # Only a number read in full (E.164) gets a link: a number without its
                    # country code rings somewhere else, or nowhere, from abroad.
                    tel=f"tel:{point.dial}" if point.dial else "",
                    zone=zone,
                    local_time=local,
                )
            )
    return entries


def social_handles(targets: Sequence[CaseTarget]) -> list[tuple[str, str]]:
    """(handle, network label) of every official on the case."""
    found = []
    for target in targets:
        for point in target.official.contact_points.all():
            if point.kind == ContactPoint.Kind.SOCIAL:
                found.append((point.value.strip(), point.label))
    return found


def social_post(*, handles: Sequence[str], ask: str, url: str, limit: int = 280) -> str:
    """A post that fits: the handles, the first ask (shortened if need be), the case link."""
    head = " ".join(handles)
    room = limit - len(head) - len(url) - 2
    if len(ask) > room:
        ask = ask[: max(room - 1, 0)].rstrip() + "…"
    return " ".join(p for p in (head, ask, url) if p)
