"""The letter form asks for the country by name, in the page's language, not by ISO code."""

from __future__ import annotations

import re

from django.test import Client

from urgent.actions.forms import country_options, likely_country


def test_country_names_in_the_page_language_sorted_by_that_name() -> None:
    french = dict(country_options("fr"))
    assert french["DE"] == "Allemagne" and french["EG"] == "Égypte"
    names = [name for _code, name in country_options("fr")]
    # Égypte sorts among the E's, not after Zimbabwe.
    assert names.index("Égypte") < names.index("Espagne") < names.index("Zimbabwe")
    assert dict(country_options("es"))["DE"] == "Alemania"
    assert dict(country_options("xx-nonsense"))["DE"] == "Germany"
    assert len(country_options("en")) >= 249


def test_likely_country_from_the_browser_languages() -> None:
    assert likely_country("fr-CA,fr;q=0.9,en;q=0.8") == "CA"
    assert likely_country("fr,en-GB;q=0.8") == "GB"  # the first tag that names a country
    assert likely_country("de") == ""
    assert likely_country("en-ZZ, garbage;;q=x") == ""
    assert likely_country("") == ""


def test_letter_form_offers_a_country_list_with_the_likely_one_first(demo: None) -> None:
    page = Client().get("/cases/ua-101-26/", HTTP_ACCEPT_LANGUAGE="en-CA").content.decode()
    assert "two-letter code" not in page
    select = re.search(r'<select id="id_country" name="country"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    options = re.findall(r'<option value="([A-Z]*)"[^>]*>([^<]*)</option>', select.group(1))
    assert options[0] == ("", "Choose a country (optional)")
    assert options[1] == ("CA", "Canada")  # suggested from the browser's language
    assert ("FR", "France") in options and ("DE", "Germany") in options
    assert " selected" not in select.group(1)  # suggested, never chosen for the writer


def test_letter_form_keeps_the_country_chosen_after_an_error(demo: None) -> None:
    response = Client().post(
        "/act/ua-101-26/",
        {"channel": "email", "letter": "too short", "country": "fr", "subject": "x"},
    )
    assert response.status_code == 400
    assert '<option value="FR" selected>' in response.content.decode()
