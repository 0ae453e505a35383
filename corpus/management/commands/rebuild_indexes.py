import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from corpus import duplicates, search
from corpus.models import Article, Paragraph, ParagraphFamily


class Command(BaseCommand):
    help = (
        "Rebuild the derived indexes from the stored paragraphs: the search index and the near-duplicate "
        "families. Imports keep both current; run this after loading data some other way. "
        "With --pending, only finish the near-duplicate pass for articles still queued (an interrupted import, "
        "or a migration that queued every article)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--pending", action="store_true", help="Only place the queued articles' paragraphs in families.")

    def handle(self, *args, no_progress=False, pending=False, verbosity=1, **options):
        quiet = no_progress or verbosity == 0
        if pending:
            bar = tqdm(total=duplicates.pending_count(), unit="article", desc="near-duplicates", disable=quiet, file=sys.stderr)
            done, joined = duplicates.process_pending(progress=bar.update)
            bar.close()
            self.stdout.write(
                _("Placed %(done)s queued article(s); %(joined)s paragraph(s) joined a family.")
                % {"done": done, "joined": joined}
            )
            return
        total = Paragraph.objects.count()
        bar = tqdm(total=total, unit="paragraph", desc="search index", disable=quiet, file=sys.stderr)
        search.rebuild(progress=lambda paragraphs, _last: bar.update(paragraphs))
        bar.close()
        bar = tqdm(total=Article.objects.count(), unit="article", desc="near-duplicates", disable=quiet, file=sys.stderr)
        duplicates.rebuild(progress=bar.update)
        bar.close()
        families = ParagraphFamily.objects.filter(articles__gt=1).count()
        self.stdout.write(
            _("Indexed %(total)s paragraphs; %(families)s near-duplicate families across articles.")
            % {"total": total, "families": families}
        )
