"""One application error type with one shape, shared by pages, API and commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ApplicationError(Exception):
    """A refusal a person can act on: a stable code, a sentence, and per-field messages."""

    code = "invalid"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = {k: list(v) for k, v in (fields or {}).items()}

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class NotFound(ApplicationError):
    code = "not_found"
    status = 404


class Conflict(ApplicationError):
    """Someone else changed the object since it was read; nothing was overwritten."""

    code = "conflict"
    status = 409


class Forbidden(ApplicationError):
    code = "forbidden"
    status = 403
