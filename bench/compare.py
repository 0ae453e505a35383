"""The event comparison page (issue 17) at 20 outlets × 500 families: render time and query count.

    .venv/bin/python bench/compare.py [--outlets 20] [--families 500] [--articles-per-outlet 3] [--loads 5]

A throwaway SQLite database in a temporary folder (or DATABASE_URL's): one project holding every article;
each family carried by a random subset of the outlets (verbatim or reworded), plus 50 entities with mentions
spelled two ways and 200 stances, so every section of the page has work. Prints the median render time of
--loads page loads (after one to warm up) and the number of queries of one load.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import _django  # noqa: E402


def build(outlets, families, per_outlet):
    from django.contrib.auth import get_user_model

    from annotations.models import Entity, Label, Polarity, Span, Stance, Topic
    from corpus.models import Article, FamilyMember, Paragraph, ParagraphFamily, Source
    from projects.models import Membership, Project

    rng = random.Random(17)
    user = get_user_model().objects.create_user("bench", password="bench-pass-123")
    sources = Source.objects.bulk_create(Source(name=f"منفذ {i}") for i in range(outlets))
    articles = Article.objects.bulk_create(
        Article(source=s, title=f"مقال {s.name} {j}", content_hash=f"{s.pk}-{j}") for s in sources for j in range(per_outlet)
    )
    paragraphs = Paragraph.objects.bulk_create(
        Paragraph(article=a, position=k, text=f"فقرة {k} من {a.title} عن حوار التعاون الأمني")
        for a in articles
        for k in range(families)
    )
    by_article = {}
    for p in paragraphs:
        by_article.setdefault(p.article_id, []).append(p)
    made = ParagraphFamily.objects.bulk_create(
        ParagraphFamily(representative=by_article[articles[0].pk][k], members=0, articles=0) for k in range(families)
    )
    members = []
    for k, family in enumerate(made):
        for article in rng.sample(articles, rng.randint(2, len(articles))):
            members.append(
                FamilyMember(
                    paragraph=by_article[article.pk][k],
                    family=family,
                    article=article,
                    similarity=rng.choice([1.0, rng.uniform(0.3, 0.99)]),
                    line=k,
                )
            )
    FamilyMember.objects.bulk_create(members)
    label = Label.objects.get_or_create(name="PER", defaults={"display_name": "شخص"})[0]
    entities = Entity.objects.bulk_create(Entity(name=f"شخص {i}", label=label) for i in range(50))
    spans = []
    for article in articles:
        for i, entity in enumerate(rng.sample(entities, 10)):
            spans.append(
                Span(
                    paragraph=by_article[article.pk][i],
                    start=0,
                    end=4,
                    text=rng.choice(["فقرة", "فقره"]),
                    label=label,
                    entity=entity,
                    author=user,
                )
            )
    Span.objects.bulk_create(spans)
    polarity = Polarity.objects.get_or_create(name="supports", defaults={"display_name": "يؤيد"})[0]
    topics = Topic.objects.bulk_create(Topic(name=f"موضوع {i}") for i in range(10))
    Stance.objects.bulk_create(
        Stance(
            article=rng.choice(articles),
            holder_entity=rng.choice(entities),
            target_topic=rng.choice(topics),
            polarity=polarity,
            author=user,
        )
        for _ in range(200)
    )
    project = Project.objects.create(name="قياس")
    project.articles.add(*articles)
    Membership.objects.create(project=project, user=user)
    return project, user, len(members)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=20)
    parser.add_argument("--families", type=int, default=500)
    parser.add_argument("--articles-per-outlet", type=int, default=3)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _django.setup(Path(folder) / "bench.sqlite3")
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import reverse

        project, user, member_count = build(args.outlets, args.families, args.articles_per_outlet)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        url = reverse("compare:event", args=[project.pk])
        first = client.get(url)
        assert first.status_code == 200, (first.status_code, first.content[:300])
        times = []
        for _ in range(args.loads):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"{args.outlets} outlets × {args.families} families ({member_count} members, "
            f"{args.outlets * args.articles_per_outlet} articles): median render {statistics.median(times) * 1000:.0f} ms "
            f"over {args.loads} loads, {len(queries)} queries, {len(response.content) // 1024} KiB"
        )


if __name__ == "__main__":
    main()
