"""Three real instances (separate processes, databases and loopback ports): an issuing
office and two sections. The office publishes while one section is down; both receive
(the one that was down when it is started again), adopt and publish their copies; the
office's Further Information and outcome reach the sections; one section's bounces reach
the office as a report and the other section as a warning; its stop switch stops both
copies within 60 seconds and its resume resumes the copy its stop stopped (not the one the
section's staff stopped); the counts both sections send add up exactly at the office."""

from __future__ import annotations

import re
import time
from pathlib import Path

import requests

from tests.federation.instances import (
    RunningInstance,
    follow_accepted,
    instances_running,
    shell,
    wait_until,
)

PUBLISH = """
from urgent.cases.models import Case
from urgent.cases.services import case_publish
case = Case.objects.get(status="draft")
case_publish(case=case, actor=None)
print(f"{case.pk}|{case.reference}")
"""

COPY_PUBLISH = """
from urgent.cases.models import Case, CaseTarget
from urgent.cases.services import case_publish
from urgent.officials.models import ContactPoint, Official
case = Case.objects.get(origin_url__startswith={origin!r})
official = Official.objects.create(name="Embassy Example", title="Ambassador", country="BY")
ContactPoint.objects.create(official=official, kind="email", value="embassy@example.net")
CaseTarget.objects.create(case=case, official=official, role="primary")
case_publish(case=case, actor=None)
print(case.pk)
"""

ACTIONS_AND_COUNTS = """
from urgent.actions.models import Action
from urgent.cases.models import Case
from urgent.federation.services.counts import counts_report_all
from urgent.supporters.models import Supporter
case = Case.objects.get(origin_url__startswith={origin!r})
for i in range({n}):
    supporter = Supporter.objects.create(
        email=f"person{{i}}@example.net", name=f"Invented Person {{i}}", status="active"
    )
    Action.objects.create(
        case=case, supporter=supporter, channel="email", letter="L", confirmed=True
    )
print(counts_report_all())
"""

ORIGIN_DO = """
import datetime
from urgent.cases.models import Case
from urgent.cases.services import case_close, case_stop_switch, update_post
case = Case.objects.get(pk={pk})
{call}
"""
FI = 'update_post(case=case, actor=None, title="Further information 1", body="Moved to a colony.")'
STOP = 'case_stop_switch(case=case, actor=None, stopped=True, hide_names=False, reason="Family.")'
RESUME = 'case_stop_switch(case=case, actor=None, stopped=False, hide_names=False, reason="Safe.")'
CLOSE = (
    'case_close(case=case, actor=None, kind="released", '
    'occurred_on=datetime.date.today(), summary="She was released.")'
)

COPY_STOPPED = """
from urgent.cases.models import Case
from urgent.core.queue import QueueHold
case = Case.objects.get(origin_url__startswith={origin!r})
print(case.actions_stopped, QueueHold.objects.filter(key=f"case:{{case.uuid.hex}}").exists())
"""


BOUNCE_AND_REPORT = """
from django.conf import settings
from urgent.cases.models import Case, CaseTarget
from urgent.federation.models import IncomingCase
from urgent.federation.services.health import contact_reports_send
from urgent.officials.models import ContactPoint, Official
from urgent.officials.services import contact_point_bounce_record
case = Case.objects.get(origin_url__startswith={origin!r})
payload = IncomingCase.objects.get(case=case).payload
email = next(
    p["value"] for t in payload["targets"] for p in t["contactPoints"] if p["kind"] == "email"
)
official = Official.objects.create(name="Ministry Example", title="Minister", country="BY")
point = ContactPoint.objects.create(official=official, kind="email", value=email)
CaseTarget.objects.create(case=case, official=official, role="copy")
for _n in range(settings.URGENT_BOUNCES_BEFORE_DEAD):
    contact_point_bounce_record(
        contact_point_id=point.pk, permanent=True, diagnostic="550 5.1.1 no such user",
        trusted=True,
    )
print(f"{{email}}|{{contact_reports_send()}}")
"""

OWN_STOP = """
from urgent.cases.models import Case
from urgent.cases.services import case_stop_switch
case = Case.objects.get(origin_url__startswith={origin!r})
case_stop_switch(case=case, actor=None, stopped=True, hide_names=False, reason="Our own call.")
"""

HEALTH = """
from urgent.officials.models import ContactPoint
points = ContactPoint.objects.filter(value={email!r})
print(",".join(sorted(points.values_list("health", flat=True))))
"""


def _incoming_page(section: RunningInstance, session: requests.Session, reference: str) -> str:
    """The section's page of the incoming case, once it has arrived."""

    def arrived() -> str | None:
        listed = session.get(f"{section.base}/staff/federation/incoming/", timeout=10).text
        if reference not in listed:
            return None
        match = re.search(r'href="(/staff/federation/incoming/\d+/)"', listed)
        return match.group(1) if match else None

    return str(wait_until(arrived, timeout=150, what=f"{reference} to reach {section.name}"))


def _page_shows(
    instance: RunningInstance, session: requests.Session, path: str, text: str, timeout: float
) -> None:
    wait_until(
        lambda: text in session.get(f"{instance.base}{path}", timeout=10).text,
        timeout=timeout,
        what=f"{text!r} on {instance.name}'s {path}",
    )


def test_an_office_and_two_sections_work_as_one_network(tmp_path: Path) -> None:
    names = ("Issuing Office", "Section B", "Section C")
    with instances_running(tmp_path, *names) as (office, b, c):
        office.urgent("demo")
        follow_accepted(b, office)
        follow_accepted(c, office)

        # C is down while the office publishes; B receives at once.
        c.stop()
        pk, reference = shell(office, PUBLISH).split("|")
        b_staff = b.session("coord")
        b_page = _incoming_page(b, b_staff, reference)

        # C catches up when it is started again (the delivery's next retry).
        c.start()
        c_staff = c.session("coord")
        c_page = _incoming_page(c, c_staff, reference)

        # Both sections adopt, translate and publish their copies.
        for section, session, page in ((b, b_staff, b_page), (c, c_staff, c_page)):
            adopted = section.post_form(session, f"{page}adopt/", {})
            assert "Adopted as the draft" in adopted.text, adopted.text[:500]
            shell(section, COPY_PUBLISH.format(origin=office.base))

        # Further Information reaches both sections, ready to send on in one step.
        shell(office, ORIGIN_DO.format(pk=pk, call=FI))
        for section, session, page in ((b, b_staff, b_page), (c, c_staff, c_page)):
            _page_shows(section, session, page, "Further information 1", timeout=60)
        notice = re.search(
            r'action="(\S+/notices/\d+/send/)"', b_staff.get(f"{b.base}{b_page}").text
        )
        assert notice is not None
        sent = b.post_form(
            b_staff, notice.group(1), {"title": "Más información", "body": "Fue trasladada."}
        )
        assert "Sent on to the supporters of your copy" in sent.text

        # Counts from both sections add up exactly at the office.
        assert shell(b, ACTIONS_AND_COUNTS.format(origin=office.base, n=3)) == "1"
        assert shell(c, ACTIONS_AND_COUNTS.format(origin=office.base, n=4)) == "1"
        office_staff = office.session("coord")
        own = int(
            shell(
                office,
                f"from urgent.actions.models import Action\n"
                f"print(Action.objects.filter(case_id={pk}).count())",
            )
        )
        _page_shows(
            office,
            office_staff,
            f"/staff/cases/{pk}/",
            f'<td id="network-actions">{own + 7}</td>',
            timeout=60,
        )

        # B's own bounces find an official's address dead: B tells the office, whose staff
        # see the report (the address stays working there: one section alone); C, which
        # has the same case, is warned on that contact point.
        email, reported = shell(b, BOUNCE_AND_REPORT.format(origin=office.base)).split("|")
        assert reported == "1"
        _page_shows(office, office_staff, "/staff/federation/", "reported dead by Section B", 60)
        assert shell(office, HEALTH.format(email=email)) == "ok"
        _page_shows(c, c_staff, c_page, 'id="network-warnings"', timeout=60)
        assert email in c_staff.get(f"{c.base}{c_page}").text

        # C's staff stop their own copy; then the office stops the case.
        shell(c, OWN_STOP.format(origin=office.base))

        # The stop switch stops both copies, and holds their letters, within 60 seconds.
        shell(office, ORIGIN_DO.format(pk=pk, call=STOP))
        started = time.monotonic()  # the stop has committed at the office
        for section, session, page in ((b, b_staff, b_page), (c, c_staff, c_page)):
            _page_shows(section, session, page, 'id="stopped-by-origin"', timeout=60)
        elapsed = time.monotonic() - started
        assert elapsed < 60, elapsed
        for section in (b, c):
            assert shell(section, COPY_STOPPED.format(origin=office.base)) == "True True"
        print(f"stop switch reached both sections in {elapsed:.1f} s")

        # The office resumes: B's copy, stopped by the office's stop, resumes with it; C's,
        # stopped by its own staff, stays stopped, and C's staff are told the office resumed.
        shell(office, ORIGIN_DO.format(pk=pk, call=RESUME))
        _page_shows(b, b_staff, b_page, 'id="resumed-with-origin"', timeout=60)
        _page_shows(c, c_staff, c_page, 'id="origin-resumed-copy-stopped"', timeout=60)
        assert shell(b, COPY_STOPPED.format(origin=office.base)) == "False False"
        assert shell(c, COPY_STOPPED.format(origin=office.base)) == "True True"

        # The outcome reaches both sections too.
        shell(office, ORIGIN_DO.format(pk=pk, call=CLOSE))
        for section, session, page in ((b, b_staff, b_page), (c, c_staff, c_page)):
            _page_shows(section, session, page, "released", timeout=60)
