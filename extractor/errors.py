"""The one exception tree of the package, and its warnings.

::

    ExtractorError(Exception)
     ├─ InputError(ExtractorError, OSError)        an input that cannot be read at all
     ├─ FetchError                                 .url, .status (api_key redacted)
     │   ├─ RateLimitedError                        HTTP 429 after every retry
     │   └─ EutilsError                             HTTP 200 whose body holds <ERROR> or is not valid
     ├─ ParseError(ExtractorError, ValueError)     .record_id, .source, .reason
     │   └─ UnknownFormatError                      content in no format we read (HTML, <ERROR>, empty)
     ├─ NormaliseError(ExtractorError, ValueError)
     ├─ ExtractionError                            bad pattern file, component misconfiguration
     ├─ ExportError
     ├─ OutputError(ExtractorError, OSError)       an output or the cache cannot be written (.path)
     └─ AnalysisError(ExtractorError, ValueError)  a table that cannot be pooled as asked

    ExtractorWarning(UserWarning)
     ├─ MissingEmailWarning                        NCBI asks every client for a contact address
     └─ DataQualityWarning

Library functions raise; batch iterators take ``on_error`` and report what they skipped.
Nothing here prints.
"""

from __future__ import annotations

__all__ = [
    "AnalysisError",
    "BulkError",
    "DataQualityWarning",
    "EutilsError",
    "ExportError",
    "ExtractionError",
    "ExtractorError",
    "ExtractorWarning",
    "FetchError",
    "InputError",
    "MissingEmailWarning",
    "NormaliseError",
    "OutputError",
    "ParseError",
    "RateLimitedError",
    "UnknownFormatError",
]


class ExtractorError(Exception):
    """Base class of every error this package raises."""


class InputError(ExtractorError, OSError):
    """An input file or stream could not be read at all."""


class FetchError(ExtractorError):
    """A request to E-utilities failed."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None):
        super().__init__(message)
        self.url = url
        self.status = status

    @property
    def refused(self) -> bool:
        """HTTP 4xx other than 429: the server refused the request, and would refuse it again."""
        return self.status is not None and 400 <= self.status < 500 and self.status != 429


class RateLimitedError(FetchError):
    """NCBI kept answering HTTP 429 after every retry."""


class EutilsError(FetchError):
    """E-utilities answered HTTP 200 with an error, a truncated body or invalid XML."""


class ParseError(ExtractorError, ValueError):
    """A record could not be parsed."""

    def __init__(
        self,
        reason: str,
        *,
        source: str | None = None,
        record_id: str | None = None,
    ):
        where = ", ".join(
            part
            for part in (
                source and f"in {source}",
                record_id and f"record {record_id}",
            )
            if part
        )
        super().__init__(f"{reason} ({where})" if where else reason)
        self.reason = reason
        self.source = source
        self.record_id = record_id


class UnknownFormatError(ParseError):
    """The content is in no format we read (an HTML page, an E-utilities answer, empty input)."""


class NormaliseError(ExtractorError, ValueError):
    """A field value could not be normalised."""


class ExtractionError(ExtractorError):
    """The extraction pipeline is misconfigured (a bad pattern file, an unknown option)."""


class ExportError(ExtractorError):
    """A table could not be written in the format asked for."""


class OutputError(ExtractorError, OSError):
    """A file could not be written: an unwritable path, a full disk (nothing half-written is left)."""

    def __init__(self, path: object, cause: BaseException | str):
        reason = cause if isinstance(cause, str) else _reason(cause)
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


class AnalysisError(ExtractorError, ValueError):
    """A table cannot be turned into effect sizes or pooled as asked."""


class BulkError(ExtractorError):
    """A bulk run cannot start: Dask is not installed, or its scheduler cannot be reached."""


class ExtractorWarning(UserWarning):
    """Base class of this package's warnings."""


class MissingEmailWarning(ExtractorWarning):
    """No contact e-mail is configured; NCBI asks every E-utilities client for one."""


class DataQualityWarning(ExtractorWarning):
    """A record or value is usable but suspicious."""
