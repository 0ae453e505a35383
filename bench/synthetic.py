"""A deterministic synthetic corpus built from the demo articles, for the benchmarks.

Article i is demo article i % 5 with one extra closing paragraph naming i (so every content hash
differs). With shuffle (the default), the words of each paragraph are put in an order drawn from a
generator seeded by i: the vocabulary and word frequencies stay those of real news text (what search
cares about), but the copies no longer repeat each other's sentences, except that every tenth article
carries its predecessor's second paragraph with one word changed, the way outlets copy a statement.
Without it, every article would be a near-duplicate of two thousand others, which no real corpus is.
Spans tag whole words, cycling through the words of the article, so the same call always builds the
same corpus. Runs inside a configured Django (see bench/_django.py).
"""

import random
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, transaction

DEMO = Path(__file__).resolve().parents[1] / "corpus" / "demo"
WORD = re.compile(r"\S+")


def demo_articles():
    return [
        [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for path in sorted(DEMO.glob("*.txt"))
    ]


def article_text(n, seeds, shuffle=True):
    paragraphs = list(seeds[n % len(seeds)])
    if shuffle:
        paragraphs = [_shuffled(text, random.Random(n * 1000 + i)) for i, text in enumerate(paragraphs)]
        if n % 10 == 1 and len(paragraphs) > 1:
            copied = _shuffled(seeds[(n - 1) % len(seeds)][1], random.Random((n - 1) * 1000 + 1)).split()
            copied[len(copied) // 2] = "أيضا"
            paragraphs[1] = " ".join(copied)
    return paragraphs + [f"نسخة اصطناعية رقم {n}."]


def _shuffled(text, generator):
    tokens = text.split()
    generator.shuffle(tokens)
    return " ".join(tokens)


def build(articles=1000, spans_per_article=20, *, start=0, batch=500, shuffle=True, index=False):
    """Add `articles` synthetic articles (numbered from `start`) with `spans_per_article` spans each.

    Paragraphs are written the way the import writes them (plain SQL). With index=True, each batch also writes
    their search index rows and queues the articles for the near-duplicate pass, as the import does, so
    `corpus.duplicates.process_pending()` completes the derived indexes (no search.rebuild() needed)."""
    from annotations.models import Label, Span
    from corpus import duplicates, search
    from corpus.importing.service import _insert_paragraphs
    from corpus.models import Article, Paragraph, Source, content_hash

    User = get_user_model()
    analysts = [User.objects.get_or_create(username=f"bench{i}")[0] for i in range(4)]
    labels = list(Label.objects.filter(name__in=["PER", "ORG", "LOC", "MISC"]).order_by("name"))
    sources = [Source.objects.get_or_create(name=f"مصدر {i}")[0] for i in range(10)]
    seeds = demo_articles()
    for first in range(start, start + articles, batch):
        numbers = range(first, min(first + batch, start + articles))
        with transaction.atomic():
            texts = {n: article_text(n, seeds, shuffle) for n in numbers}
            created = Article.objects.bulk_create(
                Article(
                    source=sources[n % len(sources)],
                    title=texts[n][0][:200],
                    content_hash=content_hash(texts[n]),
                    original_filename=f"synthetic-{n}.txt",
                )
                for n in numbers
            )
            with connection.cursor() as cursor:
                _insert_paragraphs(cursor, [(a.pk, p, text) for a, n in zip(created, numbers) for p, text in enumerate(texts[n])])
            ids = {
                (a, p): pk
                for pk, a, p in Paragraph.objects.filter(article__in=created).values_list("pk", "article_id", "position")
            }
            by_article = {a.pk: [(ids[a.pk, p], text) for p, text in enumerate(texts[n])] for a, n in zip(created, numbers)}
            if index:
                search.index_paragraphs([row for rows in by_article.values() for row in rows], new=True)
                duplicates.enqueue([a.pk for a in created])
            spans = []
            for article in created:
                words = [(pk, text, m.start(), m.end()) for pk, text in by_article[article.pk] for m in WORD.finditer(text)]
                for k in range(spans_per_article):
                    pk, text, a, b = words[(k * 7) % len(words)]
                    spans.append(
                        Span(
                            paragraph_id=pk,
                            start=a,
                            end=b,
                            text=text[a:b],
                            label=labels[k % len(labels)],
                            author=analysts[(k // len(words)) % len(analysts)],
                        )
                    )
            # Several spans may fall on the same word with the same label and author: keep the first.
            unique = {(s.paragraph_id, s.start, s.end, s.label_id, s.author_id): s for s in spans}
            Span.objects.bulk_create(unique.values(), batch_size=2000)


def big_article(paragraphs=200, spans=2000, *, tag=""):
    """One article of `paragraphs` paragraphs (demo paragraphs, their words shuffled as in build(), so that
    they are not near-copies of one another or of the other big article) carrying `spans` spans; returns it."""
    from annotations.models import Label, Span
    from corpus.models import Article, Paragraph, Source, content_hash

    lines = [line for seed in demo_articles() for line in seed]
    texts = [f"{_shuffled(lines[i % len(lines)], random.Random(f'{tag}{i}'))} ({tag}{i})" for i in range(paragraphs)]
    author = get_user_model().objects.get_or_create(username="bench0")[0]
    labels = list(Label.objects.filter(name__in=["PER", "ORG", "LOC", "MISC"]).order_by("name"))
    with transaction.atomic():
        article = Article.objects.create(
            source=Source.objects.get_or_create(name="مصدر كبير")[0],
            title=texts[0][:200],
            content_hash=content_hash(texts),
            original_filename="big.txt",
        )
        rows = Paragraph.objects.bulk_create(Paragraph(article=article, position=i, text=t) for i, t in enumerate(texts))
        words = [(p, m.start(), m.end()) for p in rows for m in WORD.finditer(p.text)]
        chosen = {}
        for k in range(len(words) * 4):
            paragraph, a, b = words[k % len(words)]
            label = labels[(k // len(words)) % len(labels)]
            chosen.setdefault(
                (paragraph.pk, a, b, label.pk),
                Span(paragraph=paragraph, start=a, end=b, text=paragraph.text[a:b], label=label, author=author),
            )
            if len(chosen) == spans:
                break
        Span.objects.bulk_create(chosen.values(), batch_size=2000)
    return article
