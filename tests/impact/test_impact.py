"""Impact: the figures, the charts, the pages and their CSV files."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from urgent.actions.models import Action
from urgent.cases.models import Case, Outcome
from urgent.core.charts import Bar, bar_chart
from urgent.federation.models import Instance, SectionCounts
from urgent.impact.selectors import ImpactFilters, impact_network, impact_report
from urgent.impact.views import csv_cell

pytestmark = pytest.mark.django_db


def make_case(
    org: Any, ref: str, country: str, year: int, *, status: str = "closed", actions: int = 0
) -> Case:
    case = Case.objects.create(
        organisation=org,
        reference=ref,
        slug=ref.lower().replace(" ", "-").replace("/", "-"),
        headline=ref,
        country=country,
        status=status,
        issued_on=datetime.date(year, 3, 1),
        published_at=timezone.now() if status != "draft" else None,
    )
    Action.objects.bulk_create(Action(case=case, channel="post") for _ in range(actions))
    return case


@pytest.fixture
def history(demo: None) -> None:
    org = Case.objects.first().organisation  # type: ignore[union-attr]
    a = make_case(org, "UA 1/24", "MX", 2024, actions=10)
    Outcome.objects.create(case=a, kind="released", occurred_on=datetime.date(2024, 5, 1))
    b = make_case(org, "UA 2/24", "MX", 2024, actions=5)
    Outcome.objects.create(case=b, kind="sentenced", occurred_on=datetime.date(2024, 6, 1))
    # Two outcomes on one case count once towards the share.
    Outcome.objects.create(case=b, kind="access_granted", occurred_on=datetime.date(2024, 7, 1))
    make_case(org, "UA 3/25", "BY", 2025, actions=1)
    make_case(org, "UA 4/25", "BY", 2025, status="draft", actions=0)


def test_report_figures(history: None) -> None:
    report = impact_report()
    years = {r.key: r for r in report.by_year}
    assert set(years) == {"2024", "2025", str(timezone.localdate().year)}
    assert (years["2024"].cases, years["2024"].actions, years["2024"].positive) == (2, 15, 2)
    assert years["2024"].with_outcome == 2 and years["2024"].share == 100.0
    assert (years["2025"].cases, years["2025"].positive, years["2025"].share) == (1, 0, 0.0)
    totals = report.totals
    assert totals.cases == 5 + 3  # the draft is not counted
    assert totals.actions == 404 + 16
    assert totals.positive == 1 + 2
    countries = {r.key: r for r in report.by_country}
    assert countries["MX"].cases == 3 and countries["MX"].label == "Mexico"
    assert sum(r.count for r in report.channels) == totals.actions
    outcomes = {r.key: r for r in report.outcomes}
    assert outcomes["released"].count == 2 and outcomes["released"].positive is True
    assert outcomes["sentenced"].positive is False
    assert report.drafts is None


def test_filters_cut_every_table(history: None) -> None:
    report = impact_report(filters=ImpactFilters(year=2024, country="MX"))
    assert [r.key for r in report.by_year] == ["2024"]
    assert [r.key for r in report.by_country] == ["MX"]
    assert sum(r.count for r in report.channels) == 15
    assert {r.key for r in report.outcomes} == {"released", "sentenced", "access_granted"}
    staff = impact_report(filters=ImpactFilters(country="BY"), staff=True)
    assert staff.drafts == 2  # the demo draft and UA 4/25, both Belarus


def test_report_query_count(history: None, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(7):
        impact_report()
    with django_assert_max_num_queries(9):
        impact_report(staff=True)


def test_chart_is_accessible_svg() -> None:
    svg = bar_chart(
        chart_id="chart-test",
        title="Cases <per> year",
        bars=[Bar("2024 & before", 3), Bar("2025", 0), Bar("x" * 60, 1.5, "1.5 %")],
    )
    root = etree.fromstring(str(svg).encode())
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-test-title"
    assert root.get("aria-describedby") == "chart-test-desc"
    assert root.find(f"{ns}title").text == "Cases <per> year"
    assert "2024 & before: 3" in root.find(f"{ns}desc").text
    widths = [r.get("width") for r in root.iter(f"{ns}rect")]
    assert widths == ["100.00%", "0.00%", "50.00%"]
    labels = [t.text for t in root.iter(f"{ns}text")]
    assert labels[2].endswith("…") and len(labels[2]) == 40
    assert "style=" not in str(svg)  # the CSP forbids inline styles
    assert bar_chart(chart_id="empty", title="t", bars=[]) == ""
    with pytest.raises(ValueError, match="chart_id"):
        bar_chart(chart_id='x" onload="alert(1)', title="t", bars=[Bar("a", 1)])


def test_public_page(client: Any, history: None, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(12):
        response = client.get("/impact/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 6
    assert html.count("<table>") == 4
    assert "Letters to officials" not in html and "Drafts in progress" not in html
    assert 'href="/impact/years.csv"' in html
    filtered = client.get("/impact/?year=2024&country=MX&junk=1").content.decode()
    assert 'href="/impact/years.csv?year=2024&amp;country=MX"' in filtered
    assert "years.csv?year=2024&amp;country=MX&amp;junk" not in filtered
    # Unknown filter values are ignored, as on the case list.
    assert client.get("/impact/?year=abc&country=ZZ").status_code == 200


def test_empty_site(client: Any, db: None) -> None:
    response = client.get("/impact/")
    assert response.status_code == 200
    assert b"No published case matches" in response.content


def test_csv_downloads(client: Any, history: None) -> None:
    response = client.get("/impact/years.csv?country=MX")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="urgent-impact-years-MX.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "year",
        "label",
        "cases_issued",
        "actions",
        "cases_with_outcome",
        "cases_with_positive_outcome",
        "positive_share_percent",
    ]
    assert ["2024", "2024", "2", "15", "2", "2", "100.0"] in rows
    for table in ("countries", "channels", "outcomes"):
        assert client.get(f"/impact/{table}.csv").status_code == 200
    assert client.get("/impact/deliveries.csv").status_code == 404  # staff only
    assert client.get("/impact/nothing.csv").status_code == 404


def test_csv_guards_against_formulas(client: Any, history: None) -> None:
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert csv_cell("+1") == "'+1" and csv_cell("@x") == "'@x" and csv_cell("-2") == "'-2"
    assert csv_cell(-2) == -2 and csv_cell("Mexico") == "Mexico"
    from urgent.impact import selectors

    real = selectors.country_name
    try:
        selectors.country_name = lambda code, language="en": "=cmd|' /C calc'!A0"
        text = client.get("/impact/countries.csv").content.decode("utf-8-sig")
    finally:
        selectors.country_name = real
    assert "'=cmd" in text and "\n=cmd" not in text and ",=cmd" not in text


def test_staff_page_and_csv(client: Any, staff_client: Any, history: None) -> None:
    # Signed out: sent to sign in. Signed in without a role: refused.
    assert client.get("/staff/impact/").status_code == 302
    assert client.get("/staff/impact/deliveries.csv").status_code == 302
    viewer = staff_client("viewer")
    response = viewer.get("/staff/impact/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Drafts in progress" in html and "Delivered by Urgent" in html
    assert 'href="/staff/impact/years.csv"' in html
    assert viewer.get("/staff/impact/deliveries.csv").status_code == 200
    assert viewer.get("/staff/impact/outcomes.csv").status_code == 200


def test_staff_page_refuses_users_without_a_role(client: Any, db: None) -> None:
    from django.contrib.auth.models import User
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_user("norole", password="correct horse battery", is_staff=True)
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get("/staff/impact/").status_code == 403
    assert client.get("/staff/impact/years.csv").status_code == 403


def _sections(case: Case, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        instance = Instance.objects.create(
            actor_url=f"https://s{i}.example.net/federation/actor",
            inbox_url=f"https://s{i}.example.net/federation/inbox",
            name=f"Section {i:02d}",
            follower_state="accepted",
        )
        SectionCounts.objects.create(
            instance=instance,
            case=case,
            date=datetime.date(2026, 12, 6),
            actions=10 + i,
            by_channel={"email": 10 + i},
            letters_delivered=i,
            replies_received=1,
            supporters_reached=5,
        )


def test_the_network_table_adds_each_section_to_our_own_figures(history: None) -> None:
    case = Case.objects.get(reference="UA 1/24")
    _sections(case, 2)
    report = impact_network()
    [item] = report.cases  # only cases sections reported on
    assert item.case == case
    assert report.channels == [("email", "Email sent through Urgent"), ("post", "Letter by post")]
    assert [s.name for s in item.sections] == ["Section 00", "Section 01"]
    assert (item.own.actions, item.own.channels) == (10, [0, 10])
    assert item.total.actions == 10 + 10 + 11 == report.actions
    assert item.total.channels == [21, 10]
    assert (item.total.letters_delivered, item.total.replies_received) == (1, 2)
    assert item.total.supporters_reached == 10  # the post actions above have no supporter
    # Filters apply: the case is from 2024.
    assert impact_network(filters=ImpactFilters(year=2025)).cases == []


def test_the_impact_page_s_queries_do_not_grow_with_sections(history: None, client: Any) -> None:
    case = Case.objects.get(reference="UA 1/24")
    _sections(case, 1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/impact/")
        assert page.status_code == 200 and 'id="network"' in page.content.decode()
        return len(captured)

    one = queries()
    _sections(case, 6, start=1)
    _sections(Case.objects.get(reference="UA 2/24"), 3, start=7)
    assert queries() == one
    assert "Section 09" in client.get("/impact/").content.decode()


def test_the_impact_page_has_no_network_table_without_sections(history: None, client: Any) -> None:
    assert 'id="network"' not in client.get("/impact/").content.decode()
