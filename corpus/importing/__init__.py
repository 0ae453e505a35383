from .errors import RejectedFile
from .files import ImportLimits, IncomingFile, count_paths, iter_paths, iter_uploads
from .service import ALREADY_IMPORTED, IMPORTED, REJECTED, FileOutcome, ImportReport, import_files

__all__ = [
    "ALREADY_IMPORTED",
    "IMPORTED",
    "REJECTED",
    "FileOutcome",
    "ImportLimits",
    "ImportReport",
    "IncomingFile",
    "RejectedFile",
    "count_paths",
    "import_files",
    "iter_paths",
    "iter_uploads",
]
