"""Domain errors. The API maps each to one response shape; the CLI prints the message."""


class DomainError(Exception):
    """A request the register cannot honour, with a message fit to show the caller."""

    code = "invalid_request"

    def __init__(self, message: str, *, details: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class Unauthorised(DomainError):
    code = "unauthorised"
