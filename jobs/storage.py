"""Files kept in the database in CHUNK_BYTES rows, so any worker against the same database can read them.

Writing takes a stream and never holds more than one chunk; reading gives a seekable file object that keeps
one chunk in memory, which is what zipfile needs to read an archive member by member.
"""

import io

from django.db import transaction

from .models import CHUNK_BYTES, JobChunk, JobFile


def store_stream(job, role, position, name, stream):
    """Copy `stream` (anything with read()) into a new JobFile of `job`, a chunk at a time: each chunk is its
    own transaction, or a savepoint of the caller's (an upload is stored whole or not at all)."""
    stored = JobFile.objects.create(job=job, role=role, position=position, name=name[:255])
    size = index = 0
    while chunk := stream.read(CHUNK_BYTES):
        with transaction.atomic():
            JobChunk.objects.create(file=stored, index=index, data=chunk)
        size += len(chunk)
        index += 1
    JobFile.objects.filter(pk=stored.pk).update(size=size)
    stored.size = size
    return stored


def iter_chunks(stored):
    """The bytes of `stored`, a chunk at a time (one query per chunk: never the whole file in memory)."""
    for pk in stored.chunks.order_by("index").values_list("pk", flat=True):
        yield bytes(JobChunk.objects.values_list("data", flat=True).get(pk=pk))


class ChunkReader(io.RawIOBase):
    """A read-only, seekable view of a JobFile; one chunk cached."""

    def __init__(self, stored):
        self.stored = stored
        self.size = stored.size
        self.offset = 0
        self._index = None
        self._data = b""

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.offset

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.offset, io.SEEK_END: self.size}[whence]
        self.offset = max(0, base + offset)
        return self.offset

    def _chunk(self, index):
        if index != self._index:
            row = JobChunk.objects.filter(file=self.stored, index=index).values_list("data", flat=True).first()
            self._data, self._index = bytes(row or b""), index
        return self._data

    def readinto(self, buffer):
        if self.offset >= self.size:
            return 0
        index, start = divmod(self.offset, CHUNK_BYTES)
        piece = self._chunk(index)[start : start + len(buffer)]
        buffer[: len(piece)] = piece
        self.offset += len(piece)
        return len(piece)

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.size - self.offset
        out = bytearray()
        while len(out) < size:
            piece = bytearray(min(size - len(out), CHUNK_BYTES))
            got = self.readinto(piece)
            if not got:
                break
            out += piece[:got]
        return bytes(out)


def delete_files(job, role=None):
    files = JobFile.objects.filter(job=job)
    if role:
        files = files.filter(role=role)
    JobChunk.objects.filter(file__in=files).delete()
    files.delete()
