import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from corpus import duplicates, search
from corpus.models import Paragraph


class Command(BaseCommand):
    help = (
        "Rebuild the derived indexes from the stored paragraphs: the search index and the near-duplicate "
        "paragraph matches. Imports keep both current; run this after loading data some other way."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, no_progress=False, verbosity=1, **options):
        total = Paragraph.objects.count()
        for name, rebuild in [("search index", search.rebuild), ("near-duplicates", duplicates.rebuild)]:
            progress = tqdm(total=total, unit="paragraph", desc=name, disable=no_progress or verbosity == 0, file=sys.stderr)
            rebuild(progress=progress.update)
            progress.close()
        self.stdout.write(f"Indexed {total} paragraphs; {duplicates.ParagraphMatch.objects.count()} near-duplicate pairs.")
