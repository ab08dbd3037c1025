"""Checking an email address a person typed (or a message came from) before mailing it."""

from __future__ import annotations

from disposable_email_domains import blocklist
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email

from urgent.core.errors import ApplicationError


class AddressRejected(ApplicationError):
    code = "address_rejected"


def address_domain_is_disposable(domain: str) -> bool:
    """True for a throw-away mail service, or any subdomain of one."""
    labels = domain.lower().rstrip(".").split(".")
    return any(".".join(labels[i:]) in blocklist for i in range(len(labels) - 1))


def address_check(address: str) -> str:
    """The normalised address, or AddressRejected saying in words what is wrong with it.

    Syntax only: no DNS lookups, so the check is instant and works offline. Throw-away
    domains are refused because updates on a case can come months later.
    """
    address = address.strip()
    if not address:
        raise AddressRejected(
            _("Enter your email address."), fields={"email": [_("This field is required.")]}
        )
    try:
        result = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        reason = _("This email address is not valid: %(reason)s") % {"reason": str(exc)}
        raise AddressRejected(reason, code="address_invalid", fields={"email": [reason]}) from exc
    if address_domain_is_disposable(result.ascii_domain):
        reason = _(
            "Addresses at %(domain)s are temporary (disposable) and stop working after a "
            "while. Please use an address you will still read when this case has news."
        ) % {"domain": result.domain}
        raise AddressRejected(reason, code="address_disposable", fields={"email": [reason]})
    return str(result.normalized)
