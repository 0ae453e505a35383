"""Build (or grow) a synthetic benchmark corpus in a throwaway SQLite database, in its own process.

    .venv/bin/python -m bench.build_corpus DB --articles 1000 --spans 20 [--start 0] [--big-article]

Prints one JSON line: the number of articles and spans now in the database (and the big article's id).
"""

import argparse
import json


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--articles", type=int, default=0)
    parser.add_argument("--spans", type=int, default=20)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--big-article", action="store_true", help="Also add a 200-paragraph article with 2,000 spans.")
    args = parser.parse_args()
    from bench import _django

    _django.setup(args.database)
    from annotations.models import Span
    from bench.synthetic import big_article, build
    from corpus.models import Article

    if args.articles:
        build(args.articles, args.spans, start=args.start)
    result = {"articles": Article.objects.count(), "spans": Span.objects.count()}
    if args.big_article:
        result["big_article"] = big_article().pk
    print(json.dumps(result))


if __name__ == "__main__":
    main()
