from __future__ import annotations

import csv
from typing import Any

import segno
from django import forms
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from urgent.core.access import staff_required, user_is_verified
from urgent.core.audit import audit_record
from urgent.core.charts import Bar, bar_chart
from urgent.core.errors import ApplicationError
from urgent.core.models import AuditEntry
from urgent.core.roles import AUDIT
from urgent.staff import services
from urgent.staff.selectors import dashboard_data


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or reverse("staff_home")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return reverse("staff_home")
    return target


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": gettext_lazy(
            "The username or password is not right. Both are case-sensitive."
        ),
        "inactive": gettext_lazy("This account is disabled."),
    }


def staff_login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request, data=request.POST or None)
    throttled = False
    if request.method == "POST":
        username = request.POST.get("username", "")
        if services.login_throttled(request=request, username=username):
            throttled = True
            services.login_throttled_record(request=request, username=username)
            form.errors.clear()
            form.add_error(None, _("Too many failed sign-ins. Wait 15 minutes, then try again."))
        elif form.is_valid():
            user = form.get_user()
            login(request, user)
            audit_record(actor=user, action="staff.login")
            nxt = _next_url(request)
            if services.totp_device_confirmed(user=user) is None:
                return redirect(f"{reverse('staff_totp_setup')}?next={nxt}")
            return redirect(f"{reverse('staff_verify')}?next={nxt}")
        else:
            services.login_failure_record(request=request, username=username)
    status = 429 if throttled else 200
    return render(
        request, "staff/login.html", {"form": form, "next": _next_url(request)}, status=status
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "input-width-10",
            }
        ),
    )


def staff_verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(reverse("staff_login"))
    device = services.totp_device_confirmed(user=request.user)
    if device is None:
        return redirect(f"{reverse('staff_totp_setup')}?next={_next_url(request)}")
    if user_is_verified(request):
        return HttpResponseRedirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if _token_accepted(request, form, device):
        return HttpResponseRedirect(_next_url(request))
    return render(request, "staff/verify.html", {"form": form, "next": _next_url(request)})


def _token_accepted(request: HttpRequest, form: TokenForm, device: Any) -> bool:
    """Whether a posted code checks out (the session is then verified); else the form says why."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        services.totp_verify(request=request, device=device, token=form.cleaned_data["token"])
    except ApplicationError as exc:
        form.add_error("token", exc.message)
        return False
    return True


def staff_totp_setup(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(reverse("staff_login"))
    if services.totp_device_confirmed(user=request.user) is not None:
        return redirect(f"{reverse('staff_verify')}?next={_next_url(request)}")
    device = services.totp_device_pending(user=request.user)
    form = TokenForm(request.POST or None)
    if _token_accepted(request, form, device):
        return HttpResponseRedirect(_next_url(request))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, title=_("Scan with your authenticator app")
    )
    context: dict[str, Any] = {
        "form": form,
        "qr_svg": qr_svg,
        "secret": services.totp_secret_base32(device),
        "next": _next_url(request),
    }
    return render(request, "staff/totp_setup.html", context)


@require_POST
def staff_logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(actor=request.user, action="staff.logout")
    logout(request)
    return redirect(reverse("staff_login"))


@staff_required()
def staff_home(request: HttpRequest) -> HttpResponse:
    data = dashboard_data()
    chart = bar_chart(
        chart_id="actions-per-day",
        title=_("Actions per day, last 30 days"),
        bars=[
            Bar(label=date_format(day, "MONTH_DAY_FORMAT"), value=n)
            for day, n in data["actions_per_day"]
            if n
        ],
    )
    return render(request, "staff/home.html", {**data, "actions_chart": chart})


def _audit_entries(request: HttpRequest) -> Any:
    entries = AuditEntry.objects.all()
    actor = request.GET.get("actor", "").strip()
    action = request.GET.get("action", "").strip()
    if actor:
        entries = entries.filter(actor_name__iexact=actor[:150])
    if action:
        entries = entries.filter(action__startswith=action[:60])
    return entries


@staff_required(AUDIT)
def audit_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(_audit_entries(request), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/audit_list.html",
        {
            "page": page,
            "actor": request.GET.get("actor", ""),
            "action": request.GET.get("action", ""),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@staff_required(AUDIT)
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows() -> Any:
        yield writer.writerow(
            ["at", "actor", "action", "object_type", "object_id", "object", "before", "after", "ip"]
        )
        for e in _audit_entries(request).iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    e.at.isoformat(),
                    e.actor_name,
                    e.action,
                    e.object_type,
                    e.object_id,
                    _csv_safe(e.object_repr),
                    _csv_safe(str(e.before)),
                    _csv_safe(str(e.after)),
                    e.ip or "",
                ]
            )

    audit_record(actor=request.user, action="audit.export")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="urgent-audit.csv"'
    return response


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ runs as a formula in spreadsheet programs.
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value
