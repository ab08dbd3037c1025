"""Model fields whose values are sealed in the database (urgent.core.vault).

`EncryptedField` stores text sealed under the current data key and gives back plain text
when read; an empty string stays empty and NULL stays NULL (neither says anything about a
person). A sealed value cannot be compared in SQL, so the only look-up it allows is
`isnull`: an attempt to filter on its contents fails loudly instead of matching nothing.
`EmailHashField` keeps the keyed hash of another field (the email address) up to date on
every save, which is how an address is found and kept unique.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from urgent.core import vault


class EncryptedField(models.TextField):
    """Text sealed at rest. `max_length` limits what forms accept, not the column."""

    description = "Text sealed with the data key"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if isinstance(value, str) and vault.is_sealed(value):
            return vault.open_sealed(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or vault.is_sealed(value):
            return value
        return vault.seal(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _EmptyExact
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: it can only be compared with "
            "null or the empty string (find supporters by email through their email_hash)"
        )

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.max_length and self.max_length <= 300:
            kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)


class _EmptyExact(Exact):
    """`= ''` works on a sealed column (empty values are not sealed); any other value not."""

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs != "":
            raise FieldError(
                "an encrypted field can only be compared with null or the empty string "
                "(find supporters by email through their email_hash)"
            )
        super().__init__(lhs, rhs)


class EncryptedJSONField(EncryptedField):
    """A JSON document (a dict or list) sealed at rest as one value."""

    description = "JSON sealed with the data key"
    # For django-stubs: the attribute holds a JSON document, not the text of a TextField.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        text = super().from_db_value(value, expression, connection)
        if text is None:
            return None
        return json.loads(text) if text else {}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value) if value else {}
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str) and vault.is_sealed(value):
            return value
        return vault.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return forms.JSONField(**{"required": not self.blank, **kwargs})


class EncryptedBytesField(EncryptedField):
    """Bytes (a raw email message) sealed at rest, as the sealed base64 of the bytes.

    A text column like every sealed field, so rotation reseals it with the others.
    """

    description = "Bytes sealed with the data key"
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        text = super().from_db_value(value, expression, connection)
        if text is None:
            return None
        return base64.b64decode(text) if text else b""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, memoryview):
            return value.tobytes()
        if isinstance(value, str):
            return (
                base64.b64decode(vault.open_sealed(value))
                if vault.is_sealed(value)
                else value.encode()
            )
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            # Already sealed (a reseal), or text meant as bytes.
            if vault.is_sealed(value):
                return value
            value = value.encode()
        data = bytes(value)
        if not data:
            return ""
        return vault.seal(base64.b64encode(data).decode("ascii"))

    def value_to_string(self, obj: models.Model) -> str:
        data = self.value_from_object(obj)
        return base64.b64encode(data).decode("ascii") if data else ""

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return None


class EmailHashField(models.CharField):
    """The keyed hash of `source` (an email field), set on every save; NULL without one."""

    def __init__(self, *args: Any, source: str = "email", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        email = getattr(model_instance, self.source)
        value = vault.email_hash(email) if email else None
        setattr(model_instance, self.attname, value)
        return value
