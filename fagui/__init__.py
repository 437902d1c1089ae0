"""fagui: Chinese regulations as clean, structured, queryable data.

The public API is small on purpose::

    from fagui import recover, read_source
    result = recover(read_source("copy.html").text)
    print(result.text)          # the official text
    result.changes              # what was removed or replaced, where and why
"""

from fagui.errors import FaguiError, SourceError
from fagui.model import Change, Document, Node, Recovered
from fagui.norms import extract_norms
from fagui.parse import parse
from fagui.recover import RecoverOptions, recover, recover_many
from fagui.sources import SourceText, read_source
from fagui.store import open_store

__all__ = [
    "Change",
    "Document",
    "FaguiError",
    "Node",
    "RecoverOptions",
    "Recovered",
    "SourceError",
    "SourceText",
    "extract_norms",
    "open_store",
    "parse",
    "read_source",
    "recover",
    "recover_many",
]
__version__ = "0.1.0"
