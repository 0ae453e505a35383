"""CoNLL / BIO import and export (see reader.py, writer.py, tokens.py and layouts.py for the rules)."""

from .convert import conll_to_document
from .reader import BAD_LINES, DOCSTART, ConllDocument, ConllError, Reading, read_conll
from .tokens import SENTENCE_ENDS, sentences, tokens
from .writer import TAGSETS, ConllStats, _tags, in_scheme, stream_conll

__all__ = [
    "BAD_LINES",
    "DOCSTART",
    "SENTENCE_ENDS",
    "TAGSETS",
    "ConllDocument",
    "ConllError",
    "ConllStats",
    "Reading",
    "_tags",
    "conll_to_document",
    "in_scheme",
    "read_conll",
    "sentences",
    "stream_conll",
    "tokens",
]
