"""Staff pages of federation: this instance's identity, following, follow requests, refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from urgent.core.access import staff_required
from urgent.core.audit import audit_record
from urgent.core.errors import ApplicationError
from urgent.core.roles import PUBLISH, VIEW, role_can
from urgent.federation import actor, keys, remote, selectors, services
from urgent.federation.forms import AddressForm, FollowForm, PinForm
from urgent.federation.models import Instance


def _instance(pk: int) -> Instance:
    instance = selectors.instance_detail(pk=pk)
    if instance is None:
        raise Http404(_("No such instance."))
    return instance


def _home(request: HttpRequest, form: AddressForm, *, status: int = 200) -> HttpResponse:
    current = keys.key_current()
    context = {
        "name": actor.instance_name(),
        "actor_url": keys.actor_url(),
        "key": current,
        "published_keys": keys.keys_published(),
        "form": form,
        "requests": selectors.instances_follow_requests(),
        "following": selectors.instances_following(),
        "followers": selectors.instances_followers(),
        "expired": selectors.instances_expired(),
        "contact_reports": selectors.contact_reports_received(),
        "delivery_counts": selectors.delivery_counts(),
        "can_follow": role_can(request.user, PUBLISH),
    }
    return render(request, "federation/staff_home.html", context, status=status)


@staff_required(VIEW)
def federation_home(request: HttpRequest) -> HttpResponse:
    return _home(request, AddressForm())


@staff_required(VIEW)
def deliveries_table(request: HttpRequest) -> HttpResponse:
    """Each follower's delivery state for each recent activity sent to followers."""
    table = selectors.deliveries_by_activity()
    return render(request, "federation/staff_deliveries.html", {"table": table})


@staff_required(VIEW)
def network_table(request: HttpRequest) -> HttpResponse:
    """What the sections reported for each of our cases."""
    context = {"cases": selectors.network_cases()}
    return render(request, "federation/staff_network.html", context)


@require_POST
@staff_required(PUBLISH)
def federation_lookup(request: HttpRequest) -> HttpResponse:
    """Fetch the instance at the address staff typed and show its key before following."""
    form = AddressForm(request.POST)
    if not form.is_valid():
        return _home(request, form, status=400)
    try:
        actor_url = remote.address_to_actor_url(form.cleaned_data["address"])
        found = remote.actor_fetch(actor_url)
    except ApplicationError as exc:
        form.add_error("address", exc.message)
        return _home(request, form, status=400)
    known = Instance.objects.filter(actor_url=found.actor_url).first()
    pinned = selectors.instance_current_key(instance=known) if known else None
    follow = FollowForm(
        initial={"actor_url": found.actor_url, "fingerprint": found.key.fingerprint}
    )
    context = {"found": found, "known": known, "pinned": pinned, "form": follow}
    return render(request, "federation/staff_lookup.html", context)


@require_POST
@staff_required(PUBLISH)
def federation_follow(request: HttpRequest) -> HttpResponse:
    form = FollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Look the instance up again, then follow it."))
        return redirect("federation_staff_home")
    try:
        instance = services.instance_follow(
            actor_url=form.cleaned_data["actor_url"],
            fingerprint=form.cleaned_data["fingerprint"],
            user=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("federation_staff_home")
    messages.success(
        request,
        _("Follow request sent to %(name)s; it waits for their answer.") % {"name": instance},
    )
    return redirect("federation_staff_instance", pk=instance.pk)


@staff_required(VIEW)
def instance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instance = _instance(pk)
    context = {
        "instance": instance,
        "keys": list(instance.keys.all()),
        "deliveries": selectors.instance_deliveries(instance=instance),
        "received": selectors.instance_activities_received(instance=instance),
        "can_follow": role_can(request.user, PUBLISH),
    }
    return render(request, "federation/staff_instance.html", context)


_ACTIONS: dict[str, tuple[Callable[..., Instance], Any]] = {
    "accept": (services.follow_request_accept, gettext_lazy("%(name)s now follows this instance.")),
    "reject": (
        services.follow_request_reject,
        gettext_lazy("%(name)s will receive nothing more from here."),
    ),
    "unfollow": (
        services.instance_unfollow,
        gettext_lazy("This instance no longer follows %(name)s."),
    ),
}


@require_POST
@staff_required(PUBLISH)
def instance_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        raise Http404(_("No such action."))
    function, done = _ACTIONS[action]
    instance = _instance(pk)
    try:
        function(instance=instance, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done) % {"name": instance})
    return redirect("federation_staff_instance", pk=instance.pk)


@require_POST
@staff_required(PUBLISH)
def instance_key_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Fetch the key the instance shows now, to compare with the pinned one."""
    instance = _instance(pk)
    try:
        found = remote.actor_fetch(instance.actor_url)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("federation_staff_instance", pk=instance.pk)
    audit_record(
        actor=request.user,
        action="federation.key_check",
        obj=instance,
        after={"fingerprint": found.key.fingerprint},
    )
    context = {
        "instance": instance,
        "found": found,
        "pinned": selectors.instance_current_key(instance=instance),
        "form": PinForm(initial={"fingerprint": found.key.fingerprint}),
    }
    return render(request, "federation/staff_key_check.html", context)


@require_POST
@staff_required(PUBLISH)
def instance_key_pin(request: HttpRequest, pk: int) -> HttpResponse:
    instance = _instance(pk)
    form = PinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the key again, then accept it."))
        return redirect("federation_staff_instance", pk=instance.pk)
    try:
        services.instance_key_pin(
            instance=instance, fingerprint=form.cleaned_data["fingerprint"], user=request.user
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The new key of %(name)s is pinned.") % {"name": instance})
    return redirect("federation_staff_instance", pk=instance.pk)


@staff_required(VIEW)
def refused_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.refused_list(), 50).get_page(request.GET.get("page"))
    return render(request, "federation/staff_refused.html", {"page": page})
