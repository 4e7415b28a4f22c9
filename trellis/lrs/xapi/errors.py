from __future__ import annotations


class XapiError(Exception):
    """An xAPI request error, answered with ``status`` and a JSON body naming the problem."""

    status = 400

    def __init__(self, message: str, *, status: int | None = None, property: str | None = None):
        super().__init__(message)
        self.message = message
        self.property = property
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.message}
        if self.property:
            body["property"] = self.property
        return body


class XapiValidationError(XapiError):
    """400: a value breaks a rule of the xAPI data model. ``property`` is its path, e.g. ``actor.mbox``."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}", status=400, property=path)
        self.path = path
