import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from annotations.interchange.conll import ConllStats
from annotations.interchange.formats import FORMATS
from annotations.interchange.records import ExportError
from annotations.interchange.selection import LAYERS, SelectionError, build_query


class Command(BaseCommand):
    help = (
        "Export annotations: Hamish JSON (default; exact code point offsets, the backup format), CoNLL/BIO, "
        "CoNLL with ANERcorp tags, doccano JSONL or W3C Web Annotation. Streams article by article, so memory "
        "stays flat however large the corpus."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(FORMATS), default="hamish")
        parser.add_argument("--out", metavar="FILE", help="Write here (default: standard output).")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--article", type=int, metavar="ID", help="Only this article.")
        scope.add_argument("--source", metavar="NAME", help="Only this outlet's articles.")
        parser.add_argument("--annotator", metavar="USERNAME", help="Only this analyst's annotations (default: everyone's).")
        parser.add_argument("--clean", action="store_true", help="Leave out boilerplate paragraphs and what is in them.")
        parser.add_argument("--project", type=int, metavar="ID", help="Only this project's articles.")
        parser.add_argument(
            "--layer",
            choices=LAYERS,
            default="all",
            help="all: everyone's annotations (default); curated: only the curated layer of --project.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self,
        *args,
        format,
        out=None,
        article=None,
        source=None,
        annotator=None,
        clean=False,
        no_progress=False,
        verbosity=1,
        layer="all",
        project=None,
        **options,
    ):
        try:
            query = build_query(
                None, article=article, source=source, annotator=annotator, clean=clean, layer=layer, project=project
            )
        except SelectionError as exc:
            raise CommandError(str(exc)) from None
        export_format = FORMATS[format]
        progress = tqdm(
            total=query.count(),
            unit="article",
            disable=no_progress or verbosity == 0 or out is None,
            file=sys.stderr,
            dynamic_ncols=True,
        )
        stats = ConllStats()
        written = 0  # counted here: a disabled tqdm (--no-progress) counts nothing, and reported "Wrote 0"

        def on_article(_article_id):
            nonlocal written
            written += 1
            progress.update(1)

        target = open(out, "w", encoding="utf-8", newline="\n") if out else self.stdout._out
        try:
            for chunk in export_format.chunks(query, on_article=on_article, stats=stats):
                target.write(chunk)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        finally:
            progress.close()
            if out:
                target.close()
        if out and verbosity:
            self.stderr.write(
                ngettext(
                    "Wrote %(count)s article as %(format)s to %(file)s.",
                    "Wrote %(count)s articles as %(format)s to %(file)s.",
                    written,
                )
                % {"count": written, "format": export_format.title, "file": out}
            )
        if stats.left_out:
            self.stderr.write(
                _("%(left_out)s of %(spans)s spans overlap others and are not in the BIO tags (BIO cannot nest).")
                % {"left_out": stats.left_out, "spans": stats.spans}
            )
