"""Fetch PubMed/PMC records, normalise them, and extract trial results with provenance.

Importing the package is cheap: it loads the records and the exception tree only. Each stage
(``extractor.parse``, ``extractor.fetch``, ``extractor.nlp``, ...) is imported when used.
"""

from __future__ import annotations

from extractor.errors import (
    AnalysisError,
    DataQualityWarning,
    EutilsError,
    ExportError,
    ExtractionError,
    ExtractorError,
    ExtractorWarning,
    FetchError,
    InputError,
    MissingEmailWarning,
    NormaliseError,
    ParseError,
    RateLimitedError,
    UnknownFormatError,
)
from extractor.records import (
    AbstractSection,
    Author,
    Correction,
    Journal,
    OtherAbstract,
    Record,
    Section,
    Table,
)

__version__ = "0.1.0"

__all__ = [
    "AbstractSection",
    "AnalysisError",
    "Author",
    "Correction",
    "DataQualityWarning",
    "EutilsError",
    "ExportError",
    "ExtractionError",
    "ExtractorError",
    "ExtractorWarning",
    "FetchError",
    "InputError",
    "Journal",
    "MissingEmailWarning",
    "NormaliseError",
    "OtherAbstract",
    "ParseError",
    "RateLimitedError",
    "Record",
    "Section",
    "Table",
    "UnknownFormatError",
    "__version__",
]
