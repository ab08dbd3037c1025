"""Two coordinators, two browsers' sessions, one case: the second save never silently
overwrites the first. Each session reads the editor page and posts back what it read."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from lxml import html

from urgent.cases.models import Case, CaseTarget, CaseTranslation
from urgent.core.roles import roles_ensure

pytestmark = pytest.mark.django_db

CONFLICT = "Someone else saved this"


def session(username: str) -> Client:
    """A browser of its own, signed in as a coordinator with the second factor verified."""
    roles_ensure()
    user = User.objects.create_user(username, password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="coordinator"))
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    stored = client.session
    stored[DEVICE_ID_SESSION_KEY] = device.persistent_id
    stored.save()
    return client


def form_of(client: Client, url: str, form_xpath: str = "//form[@method='post']") -> dict[str, Any]:
    """The fields of the page's form as the browser would post them."""
    page = html.fromstring(client.get(url).content)
    forms = [f for f in page.xpath(form_xpath) if f.xpath(".//textarea|.//input[@type!='hidden']")]
    form = forms[0] if forms else page.xpath(form_xpath)[0]
    return {k: v for k, v in form.form_values() if k != "csrfmiddlewaretoken"}


@pytest.fixture
def two(demo: None) -> tuple[Client, Client, Case]:
    return (
        session("first-coordinator"),
        session("second-coordinator"),
        Case.objects.get(reference="UA 101/26"),
    )


def test_two_translators_of_one_language(two: tuple[Client, Client, Case]) -> None:
    first, second, case = two
    url = f"/staff/cases/{case.pk}/translations/fr/"
    mine, theirs = form_of(first, url), form_of(second, url)
    assert mine["version"] == "0"
    mine.update(headline="Titre du premier", story="Texte du premier")
    assert first.post(url, mine).status_code == 302
    theirs.update(headline="Titre du second", story="Texte du second")
    response = second.post(url, theirs)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Someone else saved this translation" in text
    assert "Titre du second" in text  # what they typed is still on their page
    translation = CaseTranslation.objects.get(case=case, language="fr")
    assert (translation.headline, translation.version) == ("Titre du premier", 1)
    # Reloaded, the second translator builds on the first and may save.
    again = form_of(second, url)
    assert again["version"] == "1" and again["headline"] == "Titre du premier"
    again["story"] = "Texte du premier, relu"
    assert second.post(url, again).status_code == 302
    translation.refresh_from_db()
    assert (translation.story, translation.version) == ("Texte du premier, relu", 2)


def test_two_editors_of_people_and_asks(two: tuple[Client, Client, Case]) -> None:
    first, second, case = two
    url = f"/staff/cases/{case.pk}/"
    xpath = "//form[contains(@class, 'case-form')]"
    mine, theirs = form_of(first, url, xpath), form_of(second, url, xpath)
    mine["asks"] = "Release him now"
    assert first.post(url, mine).status_code == 302
    theirs["name_0"] = "A Different Name"
    theirs["asks"] = "Something the second editor wanted"
    response = second.post(url, theirs)
    assert response.status_code == 400
    assert "Someone else saved this case" in response.content.decode()
    assert [a.text for a in case.asks.all()] == ["Release him now"]
    assert "A Different Name" not in [p.name for p in case.people.all()]


def test_a_target_edited_by_one_is_not_removed_by_the_other(
    two: tuple[Client, Client, Case],
) -> None:
    first, second, case = two
    target = case.targets.get(role="primary")
    edit_url = f"/staff/cases/{case.pk}/targets/{target.pk}/"
    removal = form_of(
        second,
        f"/staff/cases/{case.pk}/",
        f"//form[contains(@action, '/targets/{target.pk}/remove/')]",
    )
    assert removal["version"] == str(case.version)
    edit = form_of(first, edit_url)
    edit["salutation"] = "Dear Minister, as the first editor wrote,"
    assert first.post(edit_url, edit).status_code == 302
    response = second.post(
        f"/staff/cases/{case.pk}/targets/{target.pk}/remove/", removal, follow=True
    )
    assert CONFLICT in response.content.decode()
    assert CaseTarget.objects.filter(pk=target.pk).exists()


def test_editing_a_target_the_other_removed_says_so(two: tuple[Client, Client, Case]) -> None:
    first, second, case = two
    target = case.targets.get(role="primary")
    edit_url = f"/staff/cases/{case.pk}/targets/{target.pk}/"
    edit = form_of(first, edit_url)
    removal = form_of(
        second,
        f"/staff/cases/{case.pk}/",
        f"//form[contains(@action, '/targets/{target.pk}/remove/')]",
    )
    response = second.post(
        f"/staff/cases/{case.pk}/targets/{target.pk}/remove/", removal, follow=True
    )
    assert "Target removed" in response.content.decode()
    edit["salutation"] = "Dear Minister,"
    response = first.post(edit_url, edit, follow=True)
    assert response.status_code == 200
    assert re.search(r"removed by someone else while you were editing", response.content.decode())
    assert not CaseTarget.objects.filter(pk=target.pk).exists()


def test_one_official_edited_from_two_cases(two: tuple[Client, Client, Case]) -> None:
    """An official is shared: the second case's version says nothing about the first's edit."""
    first, second, case = two
    target = case.targets.select_related("official").get(role="primary")
    other_case = Case.objects.exclude(pk=case.pk).first()
    assert other_case is not None
    other = CaseTarget.objects.filter(case=other_case, official=target.official).first()
    if other is None:
        other = CaseTarget.objects.create(
            case=other_case, official=target.official, role="primary", position=9
        )
    mine_url = f"/staff/cases/{case.pk}/targets/{target.pk}/"
    theirs_url = f"/staff/cases/{other_case.pk}/targets/{other.pk}/"
    mine, theirs = form_of(first, mine_url), form_of(second, theirs_url)
    mine["official-title"] = "Title the first editor checked"
    assert first.post(mine_url, mine).status_code == 302
    theirs["official-title"] = "Title the second editor typed"
    response = second.post(theirs_url, theirs)
    assert response.status_code == 400
    assert "Someone else changed this official" in response.content.decode()
    target.official.refresh_from_db()
    assert target.official.title == "Title the first editor checked"
