import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from corpus import duplicates, search
from corpus.importing import IMPORTED, REJECTED, count_paths, import_files, iter_paths
from corpus.importing.formats import SOURCE_NAME_MAX
from corpus.importing.service import BULK_BATCH_SIZE
from hamish.bidi import strip_isolates


class Command(BaseCommand):
    help = (
        "Import articles from files, folders (recursively) and .zip archives: plain text (UTF-8, UTF-16 with "
        "BOM, Windows-1256), HTML pages and Hamish article JSON. Prints one line per rejected or duplicate "
        "file and a summary; exits with status 1 if any file was rejected. Articles are stored and made "
        "searchable batch by batch; their near-duplicates are found in one pass at the end (which also "
        "finishes whatever an interrupted import left to do)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--source", metavar="NAME", help="Outlet to file every article under (overrides the files' own).")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw a progress bar.")
        parser.add_argument(
            "--batch-size", type=int, default=BULK_BATCH_SIZE, help=f"Articles saved per transaction (default {BULK_BATCH_SIZE})."
        )

    def handle(self, *args, paths, source=None, no_progress=False, batch_size=BULK_BATCH_SIZE, verbosity=1, **options):
        if source is not None and not 0 < len(source.strip()) <= SOURCE_NAME_MAX:
            raise CommandError(_("--source must be 1 to %(limit)s characters.") % {"limit": SOURCE_NAME_MAX})
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        quiet = no_progress or verbosity == 0
        # tqdm redraws with carriage returns, which the command's own line-based writer would break.
        stderr = options.get("stderr") or sys.stderr
        progress = tqdm(total=count_paths(paths), unit="file", disable=quiet, file=stderr, dynamic_ncols=True)

        def show(outcome):
            progress.update(1)
            if verbosity > 1 or (verbosity > 0 and (outcome.status != IMPORTED or outcome.notes)):
                progress.clear()
                # The status stays the English word (a script can grep it); the message is in the interface
                # language, its isolates (hamish.bidi) stripped: a terminal shows them as boxes or nothing.
                self.stdout.write(f"{outcome.status}: {outcome.name}: {strip_isolates(outcome.message)}")
                for note in outcome.notes:
                    self.stdout.write("    " + _("note: %(note)s") % {"note": strip_isolates(note)})
                progress.refresh()

        search.large_page_cache()
        started = time.perf_counter()
        report = import_files(
            iter_paths(paths),
            source_name=source,
            on_outcome=show,
            batch_size=batch_size,
            near_duplicates=False,
        )
        stored = time.perf_counter() - started
        progress.close()
        self.stdout.write(report.summary())
        if verbosity > 0:
            self.stdout.write(
                _("stored: %(count)s article(s) with their search index in %(seconds)s s")
                % {"count": report.imported, "seconds": f"{stored:.2f}"}
            )

        # The derived near-duplicate index, for everything queued (this import's articles and any an
        # interrupted import left).
        started = time.perf_counter()
        pending = duplicates.pending_count()
        bar = tqdm(total=pending, unit="article", desc="near-duplicates", disable=quiet or not pending, file=stderr)
        done, joined = duplicates.process_pending(progress=bar.update)
        bar.close()
        if verbosity > 0:
            self.stdout.write(
                _(
                    "near-duplicates: %(done)s article(s) placed, %(joined)s paragraph(s) joined a family of copies in %(seconds)s s"
                )
                % {"done": done, "joined": joined, "seconds": f"{time.perf_counter() - started:.2f}"}
            )
        if any(outcome.status == REJECTED for outcome in report.outcomes):
            raise CommandError(_("%(count)s file(s) rejected; see the lines above.") % {"count": report.rejected}, returncode=1)
