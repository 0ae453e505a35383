"""import_files(): the one import service behind the web page, the admin and the command.

Files are parsed one by one (no database work), then saved in batches: one
transaction per batch writes the articles, all their paragraphs and their search
index rows, and queues them for the near-duplicate pass, so an article exists
completely (and searchable) or not at all, even if the process is killed.

Near-duplicates are a derived index (corpus.duplicates): by default each batch's
articles are matched right after the batch commits, so an upload through the
import page is linked at once; a bulk import (the command) passes
near_duplicates=False and runs one pass over the queue at the end, which is much
faster per article. Anything a crash leaves queued is done by the next pass.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hamish.bidi import isolate

from .. import duplicates, search
from ..models import Article, Paragraph, Source
from . import news
from .errors import RejectedFile
from .formats import draft_from_file

# The outlet of files that name none, as the demo corpus names it: one name whatever the interface language.
DEFAULT_SOURCE_NAME = "مصدر غير معروف"
BATCH_SIZE = 500  # articles per transaction: the web page and the admin
BULK_BATCH_SIZE = 1000  # the command: fewer transactions (each holds the write lock about a second)
# The search terms of a paragraph take several times its text's memory: index this many characters at a time.
INDEX_CHARACTERS = 256 * 1024

logger = logging.getLogger(__name__)

IMPORTED = "imported"
ALREADY_IMPORTED = "already imported"
REJECTED = "rejected"


@dataclass
class FileOutcome:
    """One line of the import report."""

    name: str
    status: str
    message: str
    article_id: int | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status):
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def imported(self):
        return self.count(IMPORTED)

    @property
    def already_imported(self):
        return self.count(ALREADY_IMPORTED)

    @property
    def rejected(self):
        return self.count(REJECTED)

    def summary(self):
        return _("%(files)s file(s): %(imported)s imported, %(already)s already imported, %(rejected)s rejected.") % {
            "files": len(self.outcomes),
            "imported": self.imported,
            "already": self.already_imported,
            "rejected": self.rejected,
        }


def _sources_by_name(names):
    sources = {source.name: source for source in Source.objects.filter(name__in=names)}
    missing = [Source(name=name) for name in sorted(set(names) - set(sources))]
    if missing:
        Source.objects.bulk_create(missing)
        sources.update({source.name: source for source in Source.objects.filter(name__in=[s.name for s in missing])})
    return sources


def _chunks(values, size=1000):
    """`values` (a sequence) in slices of at most `size`: databases limit the parameters of one statement."""
    values = list(values)
    return [values[i : i + size] for i in range(0, len(values), size)]


def _placeholders(values):
    return ", ".join(["%s"] * len(values))


def _existing_articles(hashes):
    """{content hash: (article id, title)} for the hashes already in the corpus."""
    return {
        digest: (pk, title)
        for chunk in _chunks(hashes)
        for digest, pk, title in Article.objects.filter(content_hash__in=chunk).values_list("content_hash", "pk", "title")
    }


def _write(pending, user):
    """Insert articles, paragraphs and their search index rows for [(draft, source name)], and queue the articles
    for the near-duplicate pass; the caller holds a transaction. Returns the new articles' ids, in order.

    Plain SQL: building model instances for every paragraph cost more than writing them."""
    sources = _sources_by_name({source_name for _draft, source_name in pending})
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    user_id = user.pk if user is not None else None
    article_table, paragraph_table = (ops.quote_name(model._meta.db_table) for model in (Article, Paragraph))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {article_table} (source_id, title, url, published_on, language, content_hash, original_filename, "
            "imported_by_id, imported_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    sources[source_name].pk,
                    draft.title,
                    draft.url,
                    ops.adapt_datefield_value(draft.published_on),
                    draft.language,
                    draft.content_hash,
                    draft.original_filename,
                    user_id,
                    now,
                )
                for draft, source_name in pending
            ],
        )
        hashes = [draft.content_hash for draft, _source in pending]
        ids_by_hash = {}
        for chunk in _chunks(hashes):
            cursor.execute(f"SELECT content_hash, id FROM {article_table} WHERE content_hash IN ({_placeholders(chunk)})", chunk)
            ids_by_hash.update(cursor.fetchall())
        article_ids = [ids_by_hash[digest] for digest in hashes]
        _insert_paragraphs(
            cursor,
            [
                (article_id, position, text)
                for article_id, (draft, _source) in zip(article_ids, pending, strict=True)
                for position, text in enumerate(draft.paragraphs)
            ],
        )
        paragraph_ids = {}
        for chunk in _chunks(article_ids):
            cursor.execute(
                f"SELECT article_id, position, id FROM {paragraph_table} WHERE article_id IN ({_placeholders(chunk)})", chunk
            )
            paragraph_ids.update(((article_id, position), pk) for article_id, position, pk in cursor.fetchall())
    # Same transaction: an article is searchable exactly when it exists.
    rows = (
        (paragraph_ids[article_id, position], text)
        for article_id, (draft, _source) in zip(article_ids, pending)
        for position, text in enumerate(draft.paragraphs)
    )
    for piece in _pieces(rows, INDEX_CHARACTERS):
        search.index_paragraphs(piece, new=True)
    duplicates.enqueue(article_ids)
    # A news page's paragraphs kept as page chrome (corpus.importing.news): marked, in the same transaction.
    news.mark_page_chrome(
        user,
        [
            (draft.original_filename, [paragraph_ids[article_id, position] for position in sorted(draft.chrome)])
            for article_id, (draft, _source) in zip(article_ids, pending)
            if draft.chrome
        ],
    )
    return article_ids


def _pieces(rows, characters):
    """[(id, text)] in lists of about `characters` characters of text (a longer paragraph alone)."""
    piece, size = [], 0
    for row in rows:
        piece.append(row)
        size += len(row[1])
        if size >= characters:
            yield piece
            piece, size = [], 0
    if piece:
        yield piece


def _insert_paragraphs(cursor, rows):
    """Insert [(article id, position, text)]."""
    table = connection.ops.quote_name(Paragraph._meta.db_table)
    cursor.executemany(f"INSERT INTO {table} (article_id, position, text) VALUES (%s, %s, %s)", rows)


class _Batch:
    def __init__(self, user, source_name, on_outcome, near_duplicates=True):
        self.user = user
        self.source_name = source_name
        self.on_outcome = on_outcome
        self.near_duplicates = near_duplicates
        self.items = []  # (draft, outcome)
        self.characters = 0  # of the drafts' paragraphs

    def add(self, draft, outcome):
        self.items.append((draft, outcome))
        self.characters += sum(map(len, draft.paragraphs))

    def _finish(self, outcome, status, message, article_id=None):
        outcome.status, outcome.message, outcome.article_id = status, message, article_id
        if self.on_outcome:
            self.on_outcome(outcome)

    def _already(self, outcome, article_id, title):
        self._finish(
            outcome,
            ALREADY_IMPORTED,
            _("Already imported as “%(title)s”; nothing changed.") % {"title": isolate(title)},
            article_id,
        )

    def flush(self):
        if not self.items:
            return
        items, self.items = self.items, []
        self.characters = 0
        hashes = {draft.content_hash for draft, _outcome in items}
        existing = _existing_articles(hashes)
        fresh, first_in_batch = [], {}
        for draft, outcome in items:
            digest = draft.content_hash
            if digest in existing:
                self._already(outcome, *existing[digest])
            elif digest in first_in_batch:
                self._finish(
                    outcome,
                    ALREADY_IMPORTED,
                    _("Same text as %(file)s in this import; imported once.")
                    % {"file": isolate(first_in_batch[digest].original_filename)},
                )
            else:
                first_in_batch[digest] = draft
                fresh.append((draft, outcome))
        pending = [(draft, self.source_name or draft.source_name or DEFAULT_SOURCE_NAME) for draft, _outcome in fresh]
        if not pending:
            return
        try:
            with transaction.atomic():
                article_ids = _write(pending, self.user)
        except IntegrityError:
            # Another import saved some of these texts (or sources) meanwhile: go one by one.
            article_ids = []
            for entry in pending:
                try:
                    with transaction.atomic():
                        article_ids.extend(_write([entry], self.user))
                except IntegrityError:
                    article_ids.append(None)
        # Their near-duplicates in other articles (a derived index: see the module docstring).
        new = [pk for pk in article_ids if pk is not None]
        if new and self.near_duplicates:
            duplicates.process_pending(new)
        for article_id, (draft, outcome), (_draft, source_name) in zip(article_ids, fresh, pending, strict=True):
            if article_id is None:
                self._already(outcome, *_existing_articles([draft.content_hash])[draft.content_hash])
                continue
            # The batch is committed now; only then is "imported" true.
            self._finish(
                outcome,
                IMPORTED,
                ngettext(
                    "Imported as “%(title)s” (%(count)s paragraph, source %(source)s).",
                    "Imported as “%(title)s” (%(count)s paragraphs, source %(source)s).",
                    len(draft.paragraphs),
                )
                % {"title": isolate(draft.title), "count": len(draft.paragraphs), "source": isolate(source_name)},
                article_id,
            )


def _parse(incoming):
    """(name, draft, None) or (name, None, reason why it was rejected)."""
    try:
        return incoming.name, draft_from_file(incoming), None
    except RejectedFile as exc:
        return incoming.name, None, exc.reason
    except Exception:
        # A bug in reading one file must not lose the others of the batch: that file is refused, the rest go on.
        logger.exception("Reading %r for import failed", incoming.name)
        return incoming.name, None, _("Hamish could not read this file (an internal error, logged for the administrators).")


def import_files(
    incoming_files,
    *,
    user=None,
    source_name=None,
    on_outcome=None,
    batch_size=BATCH_SIZE,
    batch_characters=None,
    near_duplicates=True,
):
    """Import each IncomingFile; return an ImportReport with one line per file, in order.

    A rejected file changes nothing; a good file is saved whole or not at all;
    one bad file never stops the others. `on_outcome` is called as each line
    becomes final (for progress bars). With near_duplicates=False the new articles
    are only queued for corpus.duplicates.process_pending(), which the caller runs.

    A batch is saved when it holds `batch_size` articles or `batch_characters` characters of text (by
    default HAMISH_IMPORT_MAX_FILE_BYTES), whichever comes first: forty 5 MB articles held in one batch
    took a worker to 4 GB.
    """
    if batch_characters is None:
        batch_characters = settings.HAMISH_IMPORT_MAX_FILE_BYTES
    source_name = " ".join((source_name or "").split())
    report = ImportReport()
    batch = _Batch(user, source_name, on_outcome, near_duplicates)
    for name, draft, reason in map(_parse, incoming_files):
        outcome = FileOutcome(name, REJECTED, "")
        report.outcomes.append(outcome)
        if draft is None:
            outcome.message = reason
            if on_outcome:
                on_outcome(outcome)
            continue
        outcome.notes = draft.notes
        batch.add(draft, outcome)
        if len(batch.items) >= batch_size or batch.characters >= batch_characters:
            batch.flush()
    batch.flush()
    return report
