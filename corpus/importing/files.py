"""Where import input comes from: paths on disk, uploaded files, .zip archives.

Each yields IncomingFile objects one at a time, so memory stays bounded by the
largest single file however many are imported. Nothing is ever written to disk:
archive members are read in memory, so a member named "../../etc/passwd" can
only be refused, never extracted. A member is read in chunks and given up as
soon as it passes the per-file limit, whatever its header says it holds.
"""

import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from .decoding import describe_size

ARCHIVE_SUFFIXES = {".zip"}
READ_CHUNK_BYTES = 64 * 1024
# Files that tools leave inside folders and archives; never articles, never reported.
METADATA_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}


@dataclass(frozen=True)
class ImportLimits:
    max_file_bytes: int
    max_archive_bytes: int
    max_archive_members: int

    @classmethod
    def from_settings(cls):
        return cls(
            max_file_bytes=settings.HAMISH_IMPORT_MAX_FILE_BYTES,
            max_archive_bytes=settings.HAMISH_IMPORT_MAX_ARCHIVE_BYTES,
            max_archive_members=settings.HAMISH_IMPORT_MAX_ARCHIVE_MEMBERS,
        )


@dataclass
class IncomingFile:
    """One file to import: its bytes, or why it was refused before reading."""

    name: str  # as shown in the report, e.g. "batch.zip/2023/article.txt"
    data: bytes | None = None
    error: str | None = None

    @property
    def suffix(self):
        return PurePosixPath(self.name).suffix.lower()


def _too_big(name, size, limits):
    return IncomingFile(
        name,
        error=_("The file is %(size)s; the limit is %(limit)s.")
        % {"size": describe_size(size), "limit": describe_size(limits.max_file_bytes)},
    )


def _is_metadata(member_path):
    parts = PurePosixPath(member_path).parts
    return any(part == "__MACOSX" for part in parts) or (
        parts and (parts[-1].startswith("._") or parts[-1].lower() in METADATA_NAMES)
    )


def unsafe_member_reason(member_name):
    """Why an archive member's path is unsafe (the report's whole line), or None. Such members are never read."""
    normalised = member_name.replace("\\", "/")
    if "\x00" in normalised:
        return _("Refused: its name contains a NUL byte. The member was not read.")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return _("Refused: its path is absolute. The member was not read.")
    if ".." in normalised.split("/"):
        return _("Refused: its path climbs out of the archive with '..'. The member was not read.")
    return None


class _OverLimit(Exception):
    def __init__(self, size_read):
        self.size_read = size_read


def read_at_most(stream, limit):
    """The bytes of `stream` if they are at most `limit`; _OverLimit as soon as more than `limit` were read.

    Sizes in a zip header are only claims; what counts is what the stream gives. Never holds more than
    `limit` plus one chunk."""
    buffer = bytearray()
    while chunk := stream.read(READ_CHUNK_BYTES):
        if len(buffer) + len(chunk) > limit:
            raise _OverLimit(len(buffer) + len(chunk))
        buffer += chunk
    return bytes(buffer)


def iter_archive(display_name, fileobj, limits):
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        yield IncomingFile(display_name, error=_("This is not a valid .zip archive (it may be damaged or truncated)."))
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir() and not _is_metadata(info.filename)]
        if len(members) > limits.max_archive_members:
            yield IncomingFile(
                display_name,
                error=_("The archive holds %(count)s files; the limit is %(limit)s. Nothing in it was imported.")
                % {"count": len(members), "limit": limits.max_archive_members},
            )
            return
        declared_total = sum(info.file_size for info in members)
        if declared_total > limits.max_archive_bytes:
            yield IncomingFile(
                display_name,
                error=_("The archive would unpack to %(size)s; the limit is %(limit)s. Nothing in it was imported.")
                % {"size": describe_size(declared_total), "limit": describe_size(limits.max_archive_bytes)},
            )
            return
        if not members:
            yield IncomingFile(display_name, error=_("The archive is empty."))
            return
        for info in members:
            name = f"{display_name}/{info.filename}"
            reason = unsafe_member_reason(info.filename)
            if reason:
                yield IncomingFile(name, error=reason)
                continue
            if info.flag_bits & 0x1:
                yield IncomingFile(name, error=_("The member is encrypted; Hamish cannot read password-protected archives."))
                continue
            if PurePosixPath(info.filename).suffix.lower() in ARCHIVE_SUFFIXES:
                yield IncomingFile(name, error=_("Archives inside archives are not imported; unpack the inner archive first."))
                continue
            if info.file_size > limits.max_file_bytes:
                yield _too_big(name, info.file_size, limits)
                continue
            # Yielded straight from the call: no variable of this generator keeps the member's bytes while the
            # caller parses and saves it, so one member at most is in memory.
            yield _read_member(archive, info, name, limits)


def _read_member(archive, info, name, limits):
    try:
        with archive.open(info) as member:
            return IncomingFile(name, data=read_at_most(member, limits.max_file_bytes))
    except _OverLimit as over:
        return IncomingFile(
            name,
            error=_("The file unpacks to more than %(limit)s (the limit); reading stopped after %(read)s.")
            % {"limit": describe_size(limits.max_file_bytes), "read": describe_size(over.size_read)},
        )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError):
        return IncomingFile(
            name, error=_("The member could not be read: the archive is damaged or uses an unsupported compression method.")
        )


def _iter_disk_file(path, display_name, limits):
    if path.suffix.lower() in ARCHIVE_SUFFIXES:
        try:
            with path.open("rb") as fileobj:
                yield from iter_archive(display_name, fileobj, limits)
        except OSError as exc:
            yield IncomingFile(display_name, error=_("The file could not be opened: %(reason)s.") % {"reason": exc.strerror})
        return
    yield _read_disk_file(path, display_name, limits)  # straight from the call, as in iter_archive


def _read_disk_file(path, display_name, limits):
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return _too_big(display_name, size, limits)
        with path.open("rb") as stream:
            # The file may have grown since stat(): the limit holds for what is read.
            return IncomingFile(display_name, data=read_at_most(stream, limits.max_file_bytes))
    except _OverLimit as over:
        return _too_big(display_name, over.size_read, limits)
    except OSError as exc:
        return IncomingFile(display_name, error=_("The file could not be read: %(reason)s.") % {"reason": exc.strerror})


def _walk_folder(folder):
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
        for filename in sorted(files):
            if filename.startswith(".") or filename.lower() in METADATA_NAMES:
                continue
            yield Path(root) / filename


def iter_paths(paths, limits=None):
    """Files, folders (recursively) and .zip archives on disk, in a stable order."""
    limits = limits or ImportLimits.from_settings()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file_path in _walk_folder(path):
                yield from _iter_disk_file(file_path, str(file_path), limits)
        elif path.is_file():
            yield from _iter_disk_file(path, str(path), limits)
        else:
            yield IncomingFile(str(path), error=_("No such file or folder."))


def count_paths(paths):
    """How many report lines iter_paths will give at most (for a progress bar)."""
    total = 0
    for raw in paths:
        path = Path(raw)
        candidates = list(_walk_folder(path)) if path.is_dir() else [path]
        for candidate in candidates:
            if candidate.suffix.lower() in ARCHIVE_SUFFIXES and candidate.is_file():
                try:
                    with zipfile.ZipFile(candidate) as archive:
                        total += max(1, sum(1 for i in archive.infolist() if not i.is_dir() and not _is_metadata(i.filename)))
                except (zipfile.BadZipFile, OSError, ValueError):
                    total += 1
            else:
                total += 1
    return total


def iter_uploads(uploaded_files, limits=None):
    """Files posted through the import page (Django UploadedFile objects)."""
    limits = limits or ImportLimits.from_settings()
    for upload in uploaded_files:
        name = os.path.basename(upload.name or "upload")
        if PurePosixPath(name).suffix.lower() in ARCHIVE_SUFFIXES:
            upload.seek(0)
            yield from iter_archive(name, upload, limits)
        elif upload.size > limits.max_file_bytes:
            yield _too_big(name, upload.size, limits)
        else:
            upload.seek(0)
            yield IncomingFile(name, data=upload.read())
