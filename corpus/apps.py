from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CorpusConfig(AppConfig):
    name = "corpus"
    verbose_name = _("Corpus")

    def ready(self):
        from .search import register_sql_functions

        # The search index's delete trigger (SQLite) calls back into Python for a paragraph's terms.
        connection_created.connect(register_sql_functions, dispatch_uid="corpus.search.register_sql_functions")
