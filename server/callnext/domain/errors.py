"""Errors the core raises; the web layer maps each kind to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """A request the hall's rules refuse. `code` is the snake_case code clients see."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = headers
        self.extra = extra or {}  # more fields of the error object (beside code and message)


class Invalid(DomainError):
    """Malformed or wrongly typed input."""

    status = 400


class Unauthenticated(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The current state forbids the action (no current ticket, window paused, quota reached)."""

    status = 409


class Unprocessable(DomainError):
    """Well-formed input the hall's rules refuse (an appointment's fields, a booking policy)."""

    status = 422


class TooLarge(DomainError):
    status = 413


class RateLimited(DomainError):
    status = 429


class Unavailable(DomainError):
    """The server cannot do it now (its storage fails); the same request may succeed later."""

    status = 503
