from __future__ import annotations

import pytest
from django.core.management import call_command

from urgent.cases.models import Case, CaseTarget
from urgent.officials.models import Official
from urgent.web.demo import demo_load, staff_login_ensure

pytestmark = pytest.mark.django_db


def test_demo_is_invented_varied_and_safe_to_load_again() -> None:
    assert len(demo_load()) >= 4
    counts = (Case.objects.count(), Official.objects.count(), CaseTarget.objects.count())
    assert demo_load() == []
    assert (Case.objects.count(), Official.objects.count(), CaseTarget.objects.count()) == counts
    assert Case.objects.filter(status="active").values("country").distinct().count() >= 3
    # Officials are shared between cases, as in a real directory.
    assert any(o.case_targets.count() > 1 for o in Official.objects.all())


def test_staff_login_is_created_once() -> None:
    username, password = staff_login_ensure()
    assert password
    assert staff_login_ensure() == (username, password)


def test_demo_command_points_staff_to_the_workspace(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    out = capsys.readouterr().out
    assert "Staff workspace: http" in out
    assert out.split("Staff workspace: ", 1)[1].split()[0].endswith("/staff/")
    assert "/admin/" not in out
