from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from annotations.interchange.conll import BAD_LINES
from annotations.interchange.loading import (
    IMPORT_FORMATS,
    AnnotationImportError,
    ImportOptions,
    document_from_file,
    guess_format,
    import_document,
)


class Command(BaseCommand):
    help = (
        "Import annotations: a Hamish JSON export (articles matched by content hash, users by name), or CoNLL/BIO "
        "or doccano JSONL (new articles with spans). The file is checked whole and written in one transaction: "
        "on any problem nothing changes and every problem is listed. Each annotation written gets an 'imported' "
        "audit event whose actor is the importing account (--as, default the first superuser) and which names the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--format", choices=sorted(IMPORT_FORMATS), help="Default: from the file name (.json, .jsonl, else CoNLL)."
        )
        parser.add_argument("--create-missing", action="store_true", help="Create unknown labels, polarities and categories.")
        parser.add_argument(
            "--map-unknown-users-to",
            metavar="USERNAME",
            help="Attribute the work of annotators unknown here to this account (default: create inactive accounts).",
        )
        parser.add_argument(
            "--annotator", metavar="USERNAME", help="CoNLL/doccano: whose spans these are (default: the first superuser)."
        )
        parser.add_argument("--source", default="", metavar="NAME", help="CoNLL/doccano: the outlet of the new articles.")
        parser.add_argument(
            "--bad-lines",
            choices=BAD_LINES,
            default="refuse",
            help="CoNLL: what to do with bad lines (no token, wrong number of fields, a tag that is not BIO...): refuse "
            "the file and list them (default), repair them, or skip them; every repair and skip is reported with its line.",
        )
        parser.add_argument(
            "--as",
            dest="importer",
            metavar="USERNAME",
            help="The account doing the import: the actor of the audit events and the importer of new articles "
            "(default: the first superuser, by id).",
        )

    def handle(
        self,
        *args,
        file,
        format=None,
        create_missing=False,
        map_unknown_users_to=None,
        annotator=None,
        source="",
        importer=None,
        bad_lines="refuse",
        **options,
    ):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file.") % {"file": file})
        User = get_user_model()
        map_to = None
        if map_unknown_users_to:
            map_to = User.objects.filter(**{User.USERNAME_FIELD: map_unknown_users_to}).first()
            if map_to is None:
                raise CommandError(_("There is no user called %(name)s.") % {"name": repr(map_unknown_users_to)})
        if importer:
            name = importer
            importer = User.objects.filter(**{User.USERNAME_FIELD: name}).first()
            if importer is None:
                raise CommandError(_("There is no user called %(name)s.") % {"name": repr(name)})
        else:
            importer = User.objects.filter(is_superuser=True).order_by("pk").first()
            if importer is None:
                raise CommandError(
                    _("There is no superuser to record as the importer: name the importing account with --as USERNAME.")
                )
        owner = annotator or (importer.get_username() if importer else "")
        format = format or guess_format(path.name)
        if format != "hamish" and not owner:
            raise CommandError(_("Name the annotator of these spans with --annotator."))
        try:
            document = document_from_file(
                path.read_bytes(), format=format, annotator=owner, source_name=source, filename=path.name, bad_lines=bad_lines
            )
            report = import_document(
                document,
                user=importer,
                options=ImportOptions(create_missing=create_missing, unknown_users="map" if map_to else "create", map_to=map_to),
            )
        except AnnotationImportError as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(_("%(file)s was not imported; nothing was changed.") % {"file": file}, returncode=1) from None
        self.stdout.write(report.summary())
        for note in report.notes:
            self.stdout.write(f"  {note}")
