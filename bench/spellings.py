"""Spelling variants: search recall, false matches and suggestion precision/recall on a labelled set.

    .venv/bin/python bench/spellings.py [--code DIR] [--json PATH]

--code runs the same labelled set against another checkout of Hamish (e.g. the code before corpus.spellings:
`mkdir /tmp/before && git archive <commit> | tar -x -C /tmp/before`), for a before/after comparison.

The labelled set (written for this benchmark, not taken from any corpus):
- VARIANTS: pairs of spellings of one name: compounds joined or apart (عبدالعزيز / عبد العزيز), loan letters
  (ڤيتنام / فيتنام), the foreign g (بنجلاديش / بنغلاديش). Search: each spelling as the query must find the
  paragraph holding the other. Suggestions: an entity named by one must be suggested on the other.
- NEGATIVES: ordinary words one letter of those apart (قلب / كلب, البرتغال / البرتقال, أبو / أبواب), which
  must NOT find each other; `listed` says whether corpus.spellings.COMMON_WORDS names one of them (those are
  kept apart by the list, the others by the rules alone: the fairer measure).
- CHAINS: patronymic names tagged as entities, and text where the whole chain must be one suggestion, or
  where only a forefather's name appears (none).
With ../shared/external-data present, it also lists the pairs of different words of the SaudiNewsNet sample
that meet only through g keys (read in place; research licence, never copied).
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_NEWS = ROOT.parent / "shared" / "external-data" / "news" / "saudinewsnet" / "sample"

# (kind, label, one spelling, the other)
VARIANTS = [
    ("compound", "PER", "عبدالعزيز", "عبد العزيز"),
    ("compound", "PER", "عبدالله", "عبد الله"),
    ("compound", "PER", "عبدالرحمن", "عبد الرحمن"),
    ("compound", "PER", "عبدالفتاح", "عبد الفتاح"),
    ("compound", "PER", "عبدالمجيد", "عبد المجيد"),
    ("compound", "PER", "عبدالكريم", "عبد الكريم"),
    ("compound", "PER", "عبدالناصر", "عبد الناصر"),
    ("compound", "PER", "عبدربه", "عبد ربه"),
    ("compound", "LOC", "أبوظبي", "أبو ظبي"),
    ("compound", "PER", "أبوبكر", "أبو بكر"),
    ("compound", "PER", "أبومازن", "أبو مازن"),
    ("compound", "PER", "أبوالغيط", "أبو الغيط"),
    ("compound", "PER", "نورالدين", "نور الدين"),
    ("compound", "PER", "عزالدين", "عز الدين"),
    ("compound", "PER", "علاءالدين", "علاء الدين"),
    ("compound", "PER", "نصرالله", "نصر الله"),
    ("compound", "PER", "عطاالله", "عطا الله"),
    ("compound", "PER", "جادالله", "جاد الله"),
    ("loan", "LOC", "ڤيتنام", "فيتنام"),
    ("loan", "LOC", "ڤنزويلا", "فنزويلا"),
    ("loan", "LOC", "ڤيينا", "فيينا"),
    ("loan", "PER", "ڤلاديمير", "فلاديمير"),
    ("loan", "LOC", "پاكستان", "باكستان"),
    ("loan", "LOC", "پاريس", "باريس"),
    ("loan", "PER", "پوتين", "بوتين"),
    ("loan", "LOC", "گينيا", "غينيا"),
    ("loan", "ORG", "چيلسي", "تشيلسي"),  # ch as تش: not a rule here (a known miss)
    ("g", "LOC", "بنجلاديش", "بنغلاديش"),
    ("g", "ORG", "البنتاغون", "البنتاجون"),
    ("g", "ORG", "الكونغرس", "الكونجرس"),
    ("g", "LOC", "هامبورغ", "هامبورج"),
    ("g", "LOC", "غوانتانامو", "جوانتانامو"),
    ("g", "LOC", "إنجلترا", "إنكلترا"),
    ("g", "LOC", "الكونغو", "الكونجو"),
    ("g", "ORG", "فولكسفاغن", "فولكسفاجن"),
    ("g", "LOC", "سنغافورة", "سنجافورة"),
    ("g", "LOC", "أوغندا", "أوجندا"),
    ("g", "LOC", "غواتيمالا", "جواتيمالا"),
    ("g", "LOC", "شيكاغو", "شيكاجو"),
    ("g", "LOC", "نيكاراغوا", "نيكاراجوا"),
    ("g", "ORG", "غوغل", "جوجل"),  # four letters: below VARIANT_LETTERS (a known miss)
    ("g", "LOC", "بنجلادش", "بنغلاديش"),  # g and a long vowel at once: form keys miss it (a known miss)
]

# (one word, the other): ordinary words that must not find each other
NEGATIVES = [
    ("قلب", "كلب"),
    ("سجن", "سكن"),
    ("غريب", "قريب"),
    ("رغم", "رقم"),
    ("الغرب", "القرب"),
    ("قانون", "كانون"),
    ("غالبا", "قالبا"),
    ("كرامة", "غرامة"),
    ("جريمة", "كريمة"),
    ("قادرة", "غادرة"),
    ("تفجير", "تفكير"),
    ("تشكيل", "تشغيل"),
    ("مجالات", "مقالات"),
    ("مجموعة", "مقموعة"),
    ("البرتغال", "البرتقال"),
    ("تجارب", "تقارب"),
    ("كتيبة", "قتيبة"),
    ("اقتراح", "اجتراح"),
    ("تقليد", "تجليد"),
    ("قليلة", "جليلة"),
    ("تقسيم", "تجسيم"),
    ("أبو", "أبواب"),
    ("عبد", "عبدة"),
]

# (entity name, text, the mentions to suggest in it)
CHAINS = [
    ("يوسف بن سليمان بن عبد الله", "التقى يوسف بن سليمان بن عبدالله الوفد", ["يوسف بن سليمان بن عبدالله"]),
    ("يوسف بن سليمان بن عبد الله", "وقال سليمان إن الاجتماع مثمر", []),
    ("يوسف بن سليمان بن عبد الله", "وأكد عبد الله أن الوفد وصل", []),
    ("محمد بن سلمان بن عبد العزيز", "وأكد محمد بن سلمان بن عبدالعزيز دعمه", ["محمد بن سلمان بن عبدالعزيز"]),
    ("محمد بن سلمان بن عبد العزيز", "وقال محمد بن سلمان إن الخطة جاهزة", ["محمد بن سلمان"]),
    ("محمد بن سلمان بن عبد العزيز", "واستقبل الملك سلمان بن عبد العزيز الضيوف", []),
    ("خالد بن عبدالله", "التقى خالد بن عبد الله الوزير", ["خالد بن عبد الله"]),
    ("خالد بن عبدالله", "وقال عبد الله إن الحوار مستمر", []),
    ("سليمان العمر", "قال يوسف بن سليمان العمر إن الوفد وصل", []),
    ("سليمان العمر", "وقال سليمان العمر إن الوفد وصل", ["سليمان العمر"]),
]


def sentence(word):
    return f"وقال المتحدث إن {word} حاضر في الاجتماع."


def setup(code, database):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamish.settings")
    sys.path.insert(0, str(code))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def measure():
    from annotations.models import Entity, Label
    from annotations.suggestions import EntityIndex
    from corpus import search
    from tests.utils import make_article

    texts = []  # paragraph texts, one word of the set in each
    for _kind, _label, one, other in VARIANTS:
        texts += [sentence(one), sentence(other)]
    for one, other in NEGATIVES:
        texts += [sentence(one), sentence(other)]
    article = make_article(list(dict.fromkeys(texts)), title="spellings")
    search.rebuild()
    by_text = {p.text: p.pk for p in article.paragraphs.all()}

    def found(query, word):
        return by_text[sentence(word)] in search.matching_ids(query)

    results = {"search": {}, "negatives": {}, "suggestions": {}, "misses": [], "false": [], "false_ranked_below": [0, 0]}
    for kind in ("compound", "loan", "g"):
        pairs = [(one, other) for k, _l, one, other in VARIANTS if k == kind]
        hits = 0
        for one, other in pairs:
            for query, target in ((one, other), (other, one)):
                if found(query, target):
                    hits += 1
                else:
                    results["misses"].append(f"search {query} -> {target}")
        results["search"][kind] = (hits, 2 * len(pairs))
    # Every query of the set, counting result paragraphs that hold neither the query's word nor its variant.
    expected_of = {}
    for _k, _l, one, other in VARIANTS:
        expected_of.setdefault(one, set()).update({one, other})
        expected_of.setdefault(other, set()).update({one, other})
    by_pk = {pk: text for text, pk in by_text.items()}
    stray = []
    for query, expected in expected_of.items():
        wanted = {by_text[sentence(word)] for word in expected}
        stray += [f"{query} -> {by_pk[pk]}" for pk in search.matching_ids(query) if pk not in wanted]
    results["stray_hits"] = stray

    try:
        from corpus.arabic import fold, stems
        from corpus.spellings import COMMON_WORDS

        def listed(word):
            return not COMMON_WORDS.isdisjoint(stems(fold(word, ta_marbuta=True)))
    except ImportError:  # the code before corpus.spellings

        def listed(word):
            return False

    for group in ("listed", "unlisted"):
        results["negatives"][group] = [0, 0]
    for one, other in NEGATIVES:
        group = "listed" if listed(one) or listed(other) else "unlisted"
        for query, target in ((one, other), (other, one)):
            results["negatives"][group][1] += 1
            if found(query, target):
                results["negatives"][group][0] += 1
                results["false"].append(f"search {query} -> {target}")
                ranked = search.matching_ids(query)
                below = ranked.index(by_text[sentence(target)]) > ranked.index(by_text[sentence(query)])
                results["false_ranked_below"][0] += below
                results["false_ranked_below"][1] += 1

    # Suggestions: one entity at a time, so each case is judged alone.
    labels = {name: Label.objects.get_or_create(name=name)[0] for name in ("PER", "LOC", "ORG")}
    cases = []  # (kind, entity name, label, text, expected mentions)
    for kind, label, one, other in VARIANTS:
        cases.append((kind, one, label, sentence(other), [other]))
        cases.append((kind, other, label, sentence(one), [one]))
    for one, other in NEGATIVES:
        cases.append(("negative", one, "ORG", sentence(other), []))
        cases.append(("negative", other, "ORG", sentence(one), []))
    for name, text, expected in CHAINS:
        cases.append(("chain", name, "PER", text, expected))
    counts = {}
    for kind, name, label, text, expected in cases:
        entity = Entity.objects.create(name=name, label=labels[label])
        got = [text[a:b] for a, b, _e in EntityIndex([entity]).find(text)]
        entity.delete()
        tp = sum(1 for mention in got if mention in expected)
        row = counts.setdefault(kind, [0, 0, 0])  # true, false, missed
        row[0] += tp
        row[1] += len(got) - tp
        row[2] += len(expected) - tp
        for mention in got:
            if mention not in expected:
                results["false"].append(f"suggest {name} -> {mention}")
        for mention in expected:
            if mention not in got:
                results["misses"].append(f"suggest {name} -> {mention}")
    results["suggestions"] = counts
    return results


def vocabulary(paths):
    """The distinct folded words of these text files."""
    from corpus.arabic import fold, words

    found = set()
    for path in paths:
        found.update(fold(word, ta_marbuta=True) for _s, _e, word in words(Path(path).read_text(encoding="utf-8")))
    return found


def g_only_pairs(vocabulary_words):
    """Pairs of different words that share a g key but no form and no skeleton: what the g keys join alone."""
    from corpus.arabic import match_forms
    from corpus.spellings import variant_keys

    by_key = {}
    for word in vocabulary_words:
        for key in variant_keys(match_forms(word)[0]):
            by_key.setdefault(key, set()).add(word)
    pairs = set()
    for group in by_key.values():
        group = sorted(group)
        for i, one in enumerate(group):
            for other in group[i + 1 :]:
                a, b = match_forms(one), match_forms(other)
                if not (a[0] & b[0] or a[1] & b[1]):
                    pairs.add((one, other))
    return sorted(pairs)


def ratio(part, whole):
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=ROOT, help="the Hamish checkout to measure (default: this one)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(args.code.resolve(), Path(tmp) / "bench.sqlite3")
        results = measure()
        if SHARED_NEWS.is_dir():
            try:
                words = vocabulary(sorted(SHARED_NEWS.glob("*.txt")))
                results["real_text"] = {"vocabulary": len(words), "g_only_pairs": g_only_pairs(words)}
            except ImportError:
                results["real_text"] = {"vocabulary": None, "g_only_pairs": []}
    print(f"code: {args.code}")
    print("search recall on variant pairs (each spelling finds the other):")
    for kind, (hits, total) in results["search"].items():
        print(f"  {kind:9} {ratio(hits, total)}")
    print("search false matches on negatives (ordinary words one letter apart):")
    for group, (hits, total) in results["negatives"].items():
        print(f"  {group:9} {ratio(hits, total)}")
    below, total = results["false_ranked_below"]
    print(f"  false matches ranked below the query's own spelling: {ratio(below, total)}")
    print(f"stray hits (results holding neither spelling), over all variant queries: {len(results['stray_hits'])}")
    for hit in results["stray_hits"]:
        print(f"  {hit}")
    print("suggestions (true / false / missed, precision, recall):")
    all_true = all_false = all_missed = 0
    for kind, (true, false, missed) in results["suggestions"].items():
        all_true, all_false, all_missed = all_true + true, all_false + false, all_missed + missed
        print(
            f"  {kind:9} {true:3} / {false:3} / {missed:3}  precision {ratio(true, true + false)}  recall {ratio(true, true + missed)}"
        )
    print(
        f"  {'all':9} {all_true:3} / {all_false:3} / {all_missed:3}  precision {ratio(all_true, all_true + all_false)}"
        f"  recall {ratio(all_true, all_true + all_missed)}"
    )
    if "real_text" in results and results["real_text"]["vocabulary"]:
        real = results["real_text"]
        print(
            f"SaudiNewsNet sample: {real['vocabulary']} distinct words; pairs met only through g keys: {len(real['g_only_pairs'])}"
        )
        for one, other in real["g_only_pairs"]:
            print(f"  {one} / {other}")
    print(f"misses: {', '.join(results['misses']) or 'none'}")
    print(f"false: {', '.join(results['false']) or 'none'}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
