"""Why a request from another instance was refused: a stable code, an HTTP status, a sentence."""

from __future__ import annotations

from urgent.core.errors import ApplicationError


class Refusal(ApplicationError):
    """An inbox request refused; nothing of it is stored but a line in the refusal log."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.status = status


class RemoteError(ApplicationError):
    """Another instance could not be reached or answered something unusable."""

    code = "remote_error"
    status = 502
