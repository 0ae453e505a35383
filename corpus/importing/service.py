"""import_files(): the one import service behind the web page, the admin and the command.

Files are parsed one by one (no database work), then saved in batches: one
transaction per batch writes the articles and all their paragraphs, so an
article exists completely or not at all, even if the process is killed.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from .. import duplicates, search
from ..models import Article, Paragraph, Source
from .errors import RejectedFile
from .formats import draft_from_file

DEFAULT_SOURCE_NAME = "Unknown source"
BATCH_SIZE = 500

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
        return (
            f"{len(self.outcomes)} file(s): {self.imported} imported, "
            f"{self.already_imported} already imported, {self.rejected} rejected."
        )


def _paragraph_count(n):
    return f"{n} paragraph{'s' if n != 1 else ''}"


def _sources_by_name(names):
    sources = {source.name: source for source in Source.objects.filter(name__in=names)}
    missing = [Source(name=name) for name in sorted(set(names) - set(sources))]
    if missing:
        Source.objects.bulk_create(missing)
        sources.update({source.name: source for source in Source.objects.filter(name__in=[s.name for s in missing])})
    return sources


def _existing_articles(hashes):
    """{content hash: (article id, title)} for the hashes already in the corpus."""
    return {
        digest: (pk, title)
        for digest, pk, title in Article.objects.filter(content_hash__in=hashes).values_list("content_hash", "pk", "title")
    }


def _write(pending, user):
    """Insert articles and paragraphs for [(draft, source name)]; the caller holds a transaction."""
    sources = _sources_by_name({source_name for _, source_name in pending})
    articles = Article.objects.bulk_create(
        [
            Article(
                source=sources[source_name],
                title=draft.title,
                url=draft.url,
                published_on=draft.published_on,
                language=draft.language,
                content_hash=draft.content_hash,
                original_filename=draft.original_filename,
                imported_by=user,
            )
            for draft, source_name in pending
        ]
    )
    paragraphs = Paragraph.objects.bulk_create(
        [
            Paragraph(article=article, position=position, text=text)
            for article, (draft, _) in zip(articles, pending, strict=True)
            for position, text in enumerate(draft.paragraphs)
        ],
        batch_size=5000,
    )
    search.index_paragraphs(paragraphs)  # same transaction: an article is searchable exactly when it exists
    return articles


class _Batch:
    def __init__(self, user, source_name, on_outcome):
        self.user = user
        self.source_name = source_name
        self.on_outcome = on_outcome
        self.items = []  # (draft, outcome)

    def add(self, draft, outcome):
        self.items.append((draft, outcome))

    def _finish(self, outcome, status, message, article_id=None):
        outcome.status, outcome.message, outcome.article_id = status, message, article_id
        if self.on_outcome:
            self.on_outcome(outcome)

    def _already(self, outcome, article_id, title):
        self._finish(outcome, ALREADY_IMPORTED, f"Already imported as “{title}”; nothing changed.", article_id)

    def flush(self):
        if not self.items:
            return
        items, self.items = self.items, []
        hashes = {draft.content_hash for draft, _ in items}
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
                    f"Same text as {first_in_batch[digest].original_filename} in this import; imported once.",
                )
            else:
                first_in_batch[digest] = draft
                fresh.append((draft, outcome))
        pending = [(draft, self.source_name or draft.source_name or DEFAULT_SOURCE_NAME) for draft, _ in fresh]
        try:
            with transaction.atomic():
                articles = _write(pending, self.user)
        except IntegrityError:
            # Another import saved some of these texts (or sources) meanwhile: go one by one.
            articles = []
            for entry in pending:
                try:
                    with transaction.atomic():
                        articles.extend(_write([entry], self.user))
                except IntegrityError:
                    articles.append(None)
        # Their near-duplicates in other articles (a derived index: `manage.py rebuild_indexes` redoes it).
        new = [article.pk for article in articles if article is not None]
        if new:
            duplicates.index_and_match(Paragraph.objects.filter(article_id__in=new).only("pk", "article_id", "text"))
        for article, (draft, outcome) in zip(articles, fresh, strict=True):
            if article is None:
                self._already(outcome, *_existing_articles([draft.content_hash])[draft.content_hash])
                continue
            # The batch is committed now; only then is "imported" true.
            self._finish(
                outcome,
                IMPORTED,
                f"Imported as “{draft.title}” ({_paragraph_count(len(draft.paragraphs))}, source {article.source.name}).",
                article.pk,
            )


def import_files(incoming_files, *, user=None, source_name=None, on_outcome=None, batch_size=BATCH_SIZE):
    """Import each IncomingFile; return an ImportReport with one line per file, in order.

    A rejected file changes nothing; a good file is saved whole or not at all;
    one bad file never stops the others. `on_outcome` is called as each line
    becomes final (for progress bars).
    """
    source_name = " ".join((source_name or "").split())
    report = ImportReport()
    batch = _Batch(user, source_name, on_outcome)
    for incoming in incoming_files:
        outcome = FileOutcome(incoming.name, REJECTED, "")
        report.outcomes.append(outcome)
        try:
            draft = draft_from_file(incoming)
        except RejectedFile as exc:
            outcome.message = exc.reason
            if on_outcome:
                on_outcome(outcome)
            continue
        outcome.notes = draft.notes
        batch.add(draft, outcome)
        if len(batch.items) >= batch_size:
            batch.flush()
    batch.flush()
    return report
