"""The built-in recommender (recommenders/crf.py) against the entity-name suggestions alone, on held-back articles.

    .venv/bin/python bench/recommender.py [--articles 300] [--seed 7] [--json PATH]

The demo corpus (manage.py setup_demo) holds five articles and no spans, too few to learn or measure from, so
this builds a labelled synthetic corpus in the shapes of Arabic news (written for this benchmark): sentences
of reporting verbs, titles, outlets and places, names repeated across articles and within them (the full
name, then the surname), with clitics (وقال بايدن، لبغداد، وبالعراق), and a share of names that appear only
in the held-back articles (a dictionary cannot know them; a model may still find them from context).

Two corpora, each split 80/20 by article:
1. "synthetic": the articles as paragraphs of text with character-offset spans.
2. "conll": another draw written as a CoNLL file (tokens, BIO tags) and read back through Hamish's CoNLL
   reader (annotations.interchange.conll), so the model is measured on what a CoNLL import gives.
Baseline, "dictionary": the suggestions' entity index (annotations.suggestions.EntityIndex) built from the
names tagged in the training articles (every tagged text an entity of its label: what analysts linking
their spans to entities would give it), run on the held-back paragraphs. Exact span matches count.
"""

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._django import setup  # noqa: E402

FIRST = ["محمد", "أحمد", "علي", "خالد", "عمر", "يوسف", "حسن", "سامي", "فؤاد", "ليلى", "سارة", "هدى", "نادية", "جو", "لويد"]
LAST = [
    "السوداني",
    "العباسي",
    "الحلبوسي",
    "بايدن",
    "أوستن",
    "الزعبي",
    "المصري",
    "الخطيب",
    "النجار",
    "الشمري",
    "العلي",
    "الكبيسي",
    "الربيعي",
    "الحكيم",
    "الصدر",
    "البرزاني",
    "الطالباني",
    "الجبوري",
    "الدليمي",
    "العزاوي",
]
ORGS = [
    "وزارة الخارجية",
    "وزارة الدفاع",
    "البنك المركزي",
    "مجلس النواب",
    "الأمم المتحدة",
    "حلف الناتو",
    "جامعة الدول العربية",
    "صندوق النقد الدولي",
    "منظمة الصحة العالمية",
    "شركة نفط الجنوب",
    "هيئة النزاهة",
    "مفوضية الانتخابات",
]
PLACES = [
    "بغداد",
    "البصرة",
    "أربيل",
    "الموصل",
    "واشنطن",
    "طهران",
    "دمشق",
    "عمان",
    "القاهرة",
    "الرياض",
    "أنقرة",
    "كركوك",
    "النجف",
    "كربلاء",
    "الفلوجة",
    "السليمانية",
    "بيروت",
    "الدوحة",
]
TITLES = ["وزير الخارجية", "رئيس الوزراء", "المتحدث باسم الحكومة", "السفير", "النائب", "المحافظ", "قائد العمليات"]
VERBS = ["قال", "أكد", "أعلن", "صرح", "أوضح", "نفى", "كشف"]
FILLERS = [
    "إن المحادثات كانت مثمرة وتناولت ملفات الأمن والاقتصاد",
    "أن الحكومة ماضية في تنفيذ برنامجها رغم التحديات",
    "أن الاتفاق سيوقع خلال الأسابيع المقبلة",
    "إن الوضع الأمني مستقر ولا داعي للقلق",
    "أن الموازنة الجديدة تتضمن زيادة في الإنفاق على الخدمات",
]


class Writer:
    """Builds one paragraph's text and its spans [(start, end, label)] piece by piece."""

    def __init__(self):
        self.text, self.spans = "", []

    def add(self, piece, label=None, clitic=""):
        if self.text and not self.text.endswith(" "):
            self.text += " "
        self.text += clitic
        if label:
            self.spans.append((len(self.text), len(self.text) + len(piece), label))
        self.text += piece
        return self


def draw_corpus(articles, seed, unseen_share=0.25):
    """[(paragraphs [(text, spans)])]: the last fifth of the articles are the held-back ones, and a share of
    the people, organisations and places appear only there. Paragraphs are drawn from PARAGRAPHS in a random
    order, so no two articles have one shape."""
    rng = random.Random(seed)
    people = sorted({f"{first} {last}" for first in FIRST for last in LAST})
    rng.shuffle(people)
    cut = int(len(people) * (1 - unseen_share))
    orgs, places = ORGS[:], PLACES[:]
    rng.shuffle(orgs)
    rng.shuffle(places)
    split = {
        "PER": (people[:cut], people[cut:]),
        "ORG": (orgs[:9], orgs[9:]),
        "LOC": (places[:14], places[14:]),
    }
    held_from = int(articles * 0.8)
    corpus = []
    for n in range(articles):
        held = n >= held_from
        pools = {label: seen + (unseen * 3 if held else []) for label, (seen, unseen) in split.items()}
        cast = {"PER": rng.choice(pools["PER"]), "PER2": rng.choice(pools["PER"]), "PER3": rng.choice(pools["PER"])}
        cast.update(ORG=rng.choice(pools["ORG"]), LOC=rng.choice(pools["LOC"]), LOC2=rng.choice(pools["LOC"]))
        cast["SURNAME"] = cast["PER"].split()[-1]
        shapes = rng.sample(PARAGRAPHS, k=rng.randint(4, 7))
        paragraphs = []
        for shape in shapes:
            w = Writer()
            for piece in shape:
                if isinstance(piece, tuple):
                    role, clitic = piece
                    label = "LOC" if role.startswith("LOC") else "PER" if role.startswith(("PER", "SURNAME")) else role
                    w.add(cast[role], label, clitic=clitic)
                elif piece == "{filler}":
                    w.add(rng.choice(FILLERS))
                elif piece == "{verb}":
                    w.add(rng.choice(VERBS))
                elif piece == "{title}":
                    w.add(rng.choice(TITLES))
                else:
                    w.add(piece)
            paragraphs.append((w.text, w.spans))
        corpus.append(paragraphs)
    return corpus[:held_from], corpus[held_from:]


# Paragraph shapes: text, {verb} {title} {filler}, and (role, clitic glued before the name). Some have no
# name at all, and some use words that are also first names (حسن، سامي، نور، أمل) in their ordinary sense.
PARAGRAPHS = [
    ["{title}", ("PER", ""), "يزور", ("LOC", ""), "لبحث التعاون مع", ("ORG", "")],
    ["و{verb}", ("PER", ""), "في مؤتمر صحفي في", ("LOC", ""), "{filler}"],
    ["من جهته", "{verb}", ("PER2", ""), "{filler}", "مشيرا إلى أن", ("ORG", ""), "ستعقد اجتماعا في", ("LOC2", "")],
    ["وأضاف", ("SURNAME", ""), "أن الحكومة تتابع الملف", "{filler}"],
    ["ويأتي ذلك بعد أيام من زيارة", ("PER3", ""), "إلى", ("LOC2", ""), "حيث التقى مسؤولين في", ("ORG", "")],
    ["وحضر الاجتماع كل من", ("PER2", ""), "و", ("PER3", ""), "وممثلون عن", ("ORG", "")],
    ["وتشهد", ("LOC", ""), "منذ أسابيع احتجاجات على تردي الخدمات", "{filler}"],
    ["وأبدى المشاركون أملا في تحقيق نتائج حسنة وبمستوى سامي من التنسيق بين الأطراف"],
    ["وقالت مصادر مطلعة إن الوفد غادر", ("LOC", ""), " متوجها", ("LOC2", "إلى ")],
    ["وبحسب بيان صادر عن", ("ORG", ""), "فإن", ("SURNAME", ""), "سيترأس الوفد"],
    ["ولم يتسن الحصول على تعليق من المسؤولين حتى الآن", "{filler}"],
    ["وكان", ("PER", ""), "قد التقى", ("PER3", ""), "الشهر الماضي", ("LOC", "في ")],
    ["وأشار إلى أن نور الحقيقة سيظهر وأن الأمل باق رغم الظروف"],
    ["وفي", ("LOC2", ""), "أعلن", ("ORG", ""), "عن خطة جديدة", "{filler}"],
]


def as_conll(corpus):
    """The corpus as a CoNLL file: a -DOCSTART- per article, a blank line after each paragraph."""
    from corpus.arabic import words

    lines = []
    for article in corpus:
        lines += ["-DOCSTART- O", ""]
        for text, spans in article:
            for start, end, word in words(text):
                tag = "O"
                for a, b, label in spans:
                    if a <= start and end <= b:
                        tag = ("B-" if start == a else "I-") + label
                lines.append(f"{word} {tag}")
            lines.append("")
    return "\n".join(lines) + "\n"


def read_back(conll_text):
    """The CoNLL file through Hamish's reader: [(paragraphs [(text, spans)])] per document."""
    from annotations.interchange.conll import conll_to_document, read_conll

    document, _layouts = conll_to_document(read_conll(conll_text), annotator="bench", source_name="bench")
    corpus = []
    for article in document["articles"]:
        by_paragraph = {}
        for span in article["spans"]:
            by_paragraph.setdefault(span["paragraph"], []).append((span["start"], span["end"], span["label"]))
        corpus.append([(p["text"], sorted(by_paragraph.get(p["index"], []))) for p in article["paragraphs"]])
    return corpus


def dictionary_index(train):
    """The suggestions' EntityIndex over every text tagged in training, as entities (no database needed)."""
    from annotations.suggestions import EntityIndex

    names = {}
    for article in train:
        for text, spans in article:
            for start, end, label in spans:
                names.setdefault((text[start:end], label), None)
    no_aliases = SimpleNamespace(all=lambda: [])
    labels = {}
    entities = [
        SimpleNamespace(
            pk=k, name=name, label=labels.setdefault(label, SimpleNamespace(name=label, pk=label)), aliases=no_aliases
        )
        for k, (name, label) in enumerate(sorted(names), start=1)
    ]
    return EntityIndex(entities)


def measure(name, train, test):
    from recommenders import crf

    index = dictionary_index(train)
    examples = [(text, [(a, b, label, 1) for a, b, label in spans]) for article in train for text, spans in article]
    began = time.perf_counter()
    model = crf.train(examples, index=index)
    training = time.perf_counter() - began
    gold, by_model, by_dictionary, per_article = set(), set(), set(), []
    for n, article in enumerate(test):
        began = time.perf_counter()
        for k, (text, _spans) in enumerate(article):
            for start, end, label, _score in model.suggest(text, index, min_score=0.0):
                by_model.add(((n, k), start, end, label))
        per_article.append(time.perf_counter() - began)
        for k, (text, spans) in enumerate(article):
            gold.update(((n, k), a, b, label) for a, b, label in spans)
            by_dictionary.update(((n, k), a, b, entity.label.name) for a, b, entity in index.find(text))
    result = {
        "corpus": name,
        "train_articles": len(train),
        "test_articles": len(test),
        "train_spans": sum(len(s) for a in train for _t, s in a),
        "test_spans": len(gold),
        "train_seconds": round(training, 3),
        "suggest_ms_per_article": round(1000 * sum(per_article) / len(per_article), 2),
        "crf": crf.evaluate(by_model, gold),
        "dictionary": crf.evaluate(by_dictionary, gold),
    }
    return result


def show(result):
    print(
        f"\n== {result['corpus']}: {result['train_articles']} training articles ({result['train_spans']} spans), "
        f"{result['test_articles']} held back ({result['test_spans']} spans)"
    )
    print(f"   training {result['train_seconds']} s; suggesting {result['suggest_ms_per_article']} ms per article")
    print(f"   {'label':<6} {'':<11} {'P':>6} {'R':>6} {'F1':>6}   (tp / predicted / gold)")
    for label in result["crf"]:
        for system in ("crf", "dictionary"):
            p, r, f, tp, n, g = result[system].get(label, (0, 0, 0, 0, 0, 0))
            print(f"   {label:<6} {system:<11} {p:6.3f} {r:6.3f} {f:6.3f}   ({tp} / {n} / {g})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", help="Also write the numbers here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(Path(folder) / "bench.sqlite3")
        from django.core.management import call_command

        from corpus.models import Article

        call_command("setup_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        from annotations.models import Span

        print(f"Demo corpus: {Article.objects.count()} articles, {Span.objects.count()} spans: too few; synthetic corpora below.")
        results = []
        train, test = draw_corpus(args.articles, args.seed)
        results.append(measure("synthetic", train, test))
        train, test = draw_corpus(args.articles, args.seed + 1)
        conll_train = read_back(as_conll(train))
        conll_test = read_back(as_conll(test))
        results.append(measure("conll (read by Hamish's CoNLL reader)", conll_train, conll_test))
        for result in results:
            show(result)
        if args.json:
            Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
