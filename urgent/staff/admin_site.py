from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db import models
from django.db.models.query import QuerySet
from django.forms import ModelForm
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from urgent.core.access import user_is_verified
from urgent.core.audit import audit_record, audit_snapshot
from urgent.core.encrypted import EncryptedField

# Never copied into the audit log, even hashed: the log is readable by every coordinator.
_SECRET_FIELDS = {"password", "key", "bin_key", "token_hash", "secret"}
# A supporter's personal data, in the models that hold it: the log says a value changed, not
# what it was, so erasing the supporter later leaves no copy behind in the log.
PERSONAL = "(personal data)"
PERSONAL_CHANGED = "(personal data, changed)"
_PERSONAL_FIELDS: dict[str, frozenset[str]] = {
    "supporters.supporter": frozenset({"email", "name", "city"}),
    "actions.action": frozenset({"letter", "signature"}),
    "actions.pendingletter": frozenset({"letter", "signature"}),
}


def _personal_fields(model: type[models.Model]) -> frozenset[str]:
    """The fields named above and every field sealed at rest (urgent.core.encrypted)."""
    sealed = {f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedField)}
    return _PERSONAL_FIELDS.get(model._meta.label_lower, frozenset()) | sealed


def admin_label(obj: models.Model) -> str | None:
    """What the log calls an object holding personal data (str() may be a name or address)."""
    if _personal_fields(type(obj)):
        return f"{obj._meta.verbose_name} {obj.pk}"
    return None


def admin_snapshot(obj: models.Model) -> dict[str, Any]:
    """An object's fields and many-to-many links (a user's groups: their roles)."""
    data = audit_snapshot(obj)
    personal = _personal_fields(type(obj))
    for name in list(data):
        if name in _SECRET_FIELDS and data[name]:
            data[name] = f"(set, {len(str(data[name]))} characters)"
        elif name in personal and data[name]:
            data[name] = PERSONAL
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            related = getattr(obj, field.name).order_by("pk")
            data[field.name] = [str(r) for r in related]
    return data


class AuditedModelAdmin(admin.ModelAdmin):
    """Every add, change and delete made through the Django admin goes to the audit log.

    The values before are read from the database before the form's values are saved; the
    values after once the many-to-many links are saved too, so a user promoted to a role
    (a group) shows as a change of `groups`.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        before: dict[str, Any] = {}
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = admin_snapshot(stored) if stored is not None else {}
        request._urgent_admin_before = before  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm,
        formsets: Iterable[BaseFormSet],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "_urgent_admin_before", {})
        label = obj._meta.label_lower
        after = admin_snapshot(obj)
        # Both sides say "(personal data)": mark the ones edited, so the change still shows.
        for name in form.changed_data:
            if after.get(name) == PERSONAL or before.get(name) == PERSONAL:
                after[name] = PERSONAL_CHANGED
        audit_record(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}:{label}",
            obj=obj,
            before=before,
            after=after,
            label=admin_label(obj),
        )

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        # Changes saved outside save_model (the admin's own password form for a user).
        if getattr(request, "_urgent_admin_before", None) is None:
            audit_record(
                actor=request.user,
                action=f"admin.change:{obj._meta.label_lower}",
                obj=obj,
                after={"change": str(message)[:300] or "changed"},
                label=admin_label(obj),
            )
        return super().log_change(request, obj, message)

    # The admin deletes inside a transaction: recording first keeps the object's name and
    # id, and a delete that fails takes its entry with it.
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=request.user,
            action=f"admin.delete:{obj._meta.label_lower}",
            obj=obj,
            before=admin_snapshot(obj),
            label=admin_label(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            audit_record(
                actor=request.user,
                action=f"admin.delete:{obj._meta.label_lower}",
                obj=obj,
                before=admin_snapshot(obj),
                label=admin_label(obj),
            )
        super().delete_queryset(request, queryset)


class StaffAdminSite(admin.AdminSite):
    site_header = "Urgent staff"
    site_title = "Urgent staff"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and user_is_verified(request)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        query = urlencode({"next": request.GET.get("next", reverse("admin:index"))})
        return HttpResponseRedirect(f"{reverse('staff_login')}?{query}")

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Register as usual, with the audit hooks mixed into every model's admin class."""
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedModelAdmin):
            base = type(f"Audited{base.__name__}", (AuditedModelAdmin, base), {})
        super().register(model_or_iterable, base, **options)
