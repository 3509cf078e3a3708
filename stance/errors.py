"""One exception family for everything the user can cause and fix."""

from __future__ import annotations

__all__ = ["StanceError", "InputError", "RecordError", "AnnotationError", "ModelError"]


class StanceError(Exception):
    """Base class: a problem with the user's input, data or model, with a fix in the message."""


class InputError(StanceError):
    """An article or JSONL record that cannot be read or scored."""


class RecordError(InputError, ValueError):
    """A scored record (`stance sources`) or a draft row (`stance annotate`, `stance
    annotations add`) that cannot be used. Also a ValueError: these were raised as
    ValueError before they joined the family, and callers may still catch that."""


class AnnotationError(StanceError):
    """Invalid annotation files; ``problems`` holds one ``file:line: message`` per problem."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        if self.problems:
            shown = "\n  ".join(self.problems[:20])
            more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
            message = f"{message}\n  {shown}{more}"
        super().__init__(message)


class ModelError(StanceError):
    """A model file or card that is missing, corrupt, tampered with or incompatible."""
