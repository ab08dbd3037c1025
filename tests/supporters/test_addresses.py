from __future__ import annotations

import pytest

from urgent.supporters.addresses import AddressRejected, address_check, address_domain_is_disposable


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "Enter your email address"),
        ("ana.example.org", "@-sign"),
        ("ana@", "after the @-sign"),
        ("ana@@example.org", "@-sign"),
        ("ana smith@example.org", "not valid"),
        ("ana@example", "not valid"),
        ("ana@localhost", "not valid"),
    ],
)
def test_malformed_addresses_are_refused_with_a_reason(typed: str, words: str) -> None:
    with pytest.raises(AddressRejected) as caught:
        address_check(typed)
    assert words in caught.value.message
    assert caught.value.fields["email"]


def test_disposable_domains_are_refused_and_say_why() -> None:
    with pytest.raises(AddressRejected) as caught:
        address_check("someone@mailinator.com")
    assert caught.value.code == "address_disposable"
    assert "mailinator.com" in caught.value.message
    assert "temporary" in caught.value.message
    assert address_domain_is_disposable("inbox.yopmail.com")
    assert not address_domain_is_disposable("example.org")


def test_a_good_address_is_normalised() -> None:
    assert address_check("  Ana.Lima@EXAMPLE.org ") == "Ana.Lima@example.org"
    assert address_check("zoë@example.org") == "zoë@example.org"
