"""CoNLL round-trip benchmark (issue 16): import and export a synthetic CoNLL file the size of a published
Arabic NER corpus (150,000 tokens, 11,000 entities), and check it comes back token for token.

    .venv/bin/python bench/conll_roundtrip.py                      # 37,500, 75,000 and 150,000 tokens
    .venv/bin/python bench/conll_roundtrip.py --tokens 150000      # one size

The file repeats the shapes the issue met: ANERcorp tag names (B-PERS), 70%, المقبل،, ق.م., "بي. بي." ORG
entities, "–صنعاء" B-LOC, a token holding a space. Two layouts per size:
- "hamish": sentences separated by blank lines, -DOCSTART- articles of about 5,000 tokens, in Hamish's own
  layout: the export must equal the file byte for byte;
- "messy": one article, no blank line anywhere, five lines with no token and a three-field line per 30,000
  tokens, imported with bad_lines="repair": the export must give the file's tokens and tags back (the
  lines with no token left out) and the long run is split into paragraphs at sentence ends.
Phases timed: read+check (document_from_file: parse, detect, the Hamish JSON document and its checks), write (import_document: the database, in one transaction) and export (the anercorp format). Runs on a throwaway SQLite database (bench/_django.py).
Linear means the time per 1,000 tokens stays flat as the file grows.
"""

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._django import setup  # noqa: E402

WORDS = ["قال", "المتحدث", "باسم", "الحكومة", "إن", "الاجتماع", "سيعقد", "الأسبوع", "المقبل،", "في", "70%", "ق.م."]
ENTITIES = [
    [("عبد الله", "B-PERS"), ("صالح", "I-PERS")],
    [("بي.", "B-ORG"), ("بي.", "I-ORG"), ("سي", "I-ORG")],
    [("–صنعاء", "B-LOC")],
    [("الأمم", "B-ORG"), ("المتحدة", "I-ORG")],
    [("محمد", "B-PERS")],
]


def synthetic(n_tokens, *, messy, seed=16):
    """CoNLL text of about n_tokens tokens (and the number of entities)."""
    rng = random.Random(seed)
    lines, tokens, entities, in_document = [], 0, 0, 0
    if not messy:
        lines += ["-DOCSTART- O", ""]
    while tokens < n_tokens:
        sentence = []
        for _ in range(rng.randint(8, 20)):
            if rng.random() < 0.08:
                sentence += ENTITIES[rng.randrange(len(ENTITIES))]
                entities += 1
            else:
                sentence.append((rng.choice(WORDS), "O"))
        sentence.append((rng.choice([".", "؟", "!"]), "O"))
        lines += [f"{token}{chr(9) if ' ' in token else ' '}{tag}" for token, tag in sentence]
        tokens += len(sentence)
        in_document += len(sentence)
        if messy:
            if tokens % 30_000 < len(sentence):
                lines += [" O"] * 5 + ["أبو ظبي B-LOC"]  # five lines with no token, one token with a space
                tokens += 1
                entities += 1
        else:
            lines.append("")
            if in_document > 5_000 and tokens < n_tokens:
                lines += ["-DOCSTART- O", ""]
                in_document = 0
    return "\n".join(lines) + "\n", tokens, entities


def pairs(text):
    result = []
    for line in text.split("\n"):
        if line.strip() and not line.startswith("-DOCSTART-"):
            token, tag = line.rsplit("\t" if "\t" in line else " ", 1)
            if token.strip():
                result.append((token.strip(" "), tag))
    return result


def run(n_tokens, messy, user):
    from django.db import transaction

    from annotations.interchange.formats import FORMATS
    from annotations.interchange.loading import document_from_file, import_document
    from annotations.interchange.selection import build_query
    from annotations.models import Span
    from corpus.models import Article

    text, tokens, entities = synthetic(n_tokens, messy=messy)
    data = text.encode()
    bad_lines = "repair" if messy else "refuse"
    times = {}
    with transaction.atomic():
        started = time.perf_counter()
        document = document_from_file(data, format="conll", annotator=user.get_username(), bad_lines=bad_lines)
        times["read+check"] = time.perf_counter() - started
        started = time.perf_counter()
        report = import_document(document, user=user)
        times["write"] = time.perf_counter() - started
        started = time.perf_counter()
        exported = "".join(FORMATS["anercorp"].chunks(build_query(None)))
        times["export"] = time.perf_counter() - started
        if messy:
            same = pairs(exported) == pairs(text)
        else:
            same = exported == text
        paragraphs = sum(len(d["paragraphs"]) for d in document["articles"])
        spans = Span.objects.count()
        articles = Article.objects.count()
        transaction.set_rollback(True)  # the next size starts from an empty database
    return {
        "tokens": tokens,
        "entities": entities,
        "articles": articles,
        "paragraphs": paragraphs,
        "spans": spans,
        "layouts": report.counts["token layouts stored"],
        "same": same,
        **times,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, action="append", help="file size in tokens (repeatable)")
    args = parser.parse_args()
    sizes = args.tokens or [37_500, 75_000, 150_000]
    with tempfile.TemporaryDirectory() as folder:
        setup(Path(folder) / "bench.sqlite3")
        from django.contrib.auth import get_user_model

        from annotations.models import Label

        for name in ("PER", "ORG", "LOC", "MISC"):
            Label.objects.get_or_create(name=name, defaults={"display_name": name})
        user = get_user_model().objects.create_user("bench")
        header = f"{'layout':7} {'tokens':>8} {'entities':>8} {'paras':>6} {'read+check':>10} {'write':>6} {'export':>6} {'total':>6} {'µs/token':>8}  same"
        print(header)
        for messy in (False, True):
            for size in sizes:
                row = run(size, messy, user)
                total = row["read+check"] + row["write"] + row["export"]
                print(
                    f"{'messy' if messy else 'hamish':7} {row['tokens']:>8,} {row['entities']:>8,} {row['paragraphs']:>6,} "
                    f"{row['read+check']:>10.2f} {row['write']:>6.2f} {row['export']:>6.2f} "
                    f"{total:>6.2f} {total / row['tokens'] * 1e6:>8.1f}  {'yes' if row['same'] else 'NO'}"
                )
                if not row["same"]:
                    raise SystemExit("the export did not give the file back")


if __name__ == "__main__":
    main()
