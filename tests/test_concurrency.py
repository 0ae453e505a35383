"""Several analysts saving at the same moment lose nothing (SQLite: WAL, busy timeout, IMMEDIATE)."""

import threading

import pytest
from django.db import connection, connections

from annotations.models import AnnotationEvent, Span
from tests.utils import add_span, make_article

WRITERS = 8
SPANS_EACH = 15


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_lose_no_span(django_user_model, labels):
    words = [f"كلمة{i}" for i in range(SPANS_EACH)]
    article = make_article([" ".join(words) + f" فقرة {n}" for n in range(WRITERS)])
    paragraphs = list(article.paragraphs.order_by("position"))
    users = [django_user_model.objects.create_user(f"writer{n}") for n in range(WRITERS)]
    barrier = threading.Barrier(WRITERS)
    errors = []

    def write(n):
        try:
            barrier.wait()
            for word in words:
                # Everyone writes into every paragraph, so their transactions truly collide.
                add_span(paragraphs[(n + words.index(word)) % WRITERS], word, "MISC", author=users[n])
        except Exception as exc:  # collected and asserted below, in the main thread
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert Span.objects.count() == WRITERS * SPANS_EACH
    assert AnnotationEvent.objects.filter(action="created").count() == WRITERS * SPANS_EACH
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
