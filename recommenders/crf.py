"""The built-in sequence labeller: a CRF (CRFsuite) over the words of Arabic news, BIO tags, trained on a
project's spans and proposing new ones with their marginal probability as the score.

Tokens are corpus.arabic.words (letters and digits; punctuation is not a token). Features of a word:
- its folded form (corpus.arabic.fold, ta marbuta as ha) and its clitic-split stems (corpus.arabic.stems),
  so والعراق and العراق share a feature;
- its first and last one to three letters (the article ال, the nisba ـي, the plural ـون);
- its shape (Arabic, Latin, digits, mixed) and length;
- the folded forms and stems of the words one and two before and after it;
- whether it is in a known name or alias of an entity (the entity-name index the suggestions use), and as
  which label and where in the name (begins it or continues it).
Nothing is downloaded: the model is trained here and kept in the database (Recommender.model_bytes).
"""

import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from corpus.arabic import fold, stems, words

ALGORITHM_PARAMS = {"c1": 0.05, "c2": 0.05, "max_iterations": 100, "all_possible_transitions": True}
MIN_SCORE = 0.2  # predictions less sure than this are not stored
ALIAS_EVERY = 2  # one training paragraph in this many keeps the known-names feature
CLITICS = ("وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ك", "ل")


def _shape(word):
    arabic = any("\u0600" <= ch <= "\u06ff" for ch in word)
    latin = any("a" <= ch.lower() <= "z" for ch in word)
    digits = any(ch.isdigit() for ch in word)
    kinds = [name for name, present in (("ar", arabic), ("lat", latin), ("dig", digits)) if present]
    return "+".join(kinds) or "other"


def _alias_marks(text, tokens, index):
    """{token index: "B-LABEL" / "I-LABEL"} for the tokens inside a known entity name found in the text."""
    marks = {}
    if index is None:
        return marks
    for start, end, entity in index.find(text):
        inside = [k for k, (a, b, _w) in enumerate(tokens) if a < end and b > start]
        for position, k in enumerate(inside):
            marks.setdefault(k, ("B-" if position == 0 else "I-") + entity.label.name)
    return marks


def _word_features(word):
    folded = fold(word, ta_marbuta=True)
    return folded, sorted(stems(folded) - {folded})


def features(text, tokens, index=None):
    """One feature dict per token of a paragraph."""
    marks = _alias_marks(text, tokens, index)
    base = [_word_features(word) for _a, _b, word in tokens]
    result = []
    for k, (_a, _b, word) in enumerate(tokens):
        folded, split = base[k]
        f = {
            "bias": 1.0,
            "w": folded,
            "len": min(len(folded), 8),
            "shape": _shape(word),
            "first": k == 0,
        }
        for stem in split:
            f["stem:" + stem] = 1.0
        for n in (1, 2, 3):
            if len(folded) > n:
                f[f"pre{n}"] = folded[:n]
                f[f"suf{n}"] = folded[-n:]
        for offset in (-2, -1, 1, 2):
            j = k + offset
            if 0 <= j < len(tokens):
                other, other_split = base[j]
                f[f"{offset}:w"] = other
                for stem in other_split:
                    f[f"{offset}:stem:" + stem] = 1.0
                if j in marks:
                    f[f"{offset}:alias"] = marks[j]
            else:
                f[f"{offset}:edge"] = 1.0
        if k in marks:
            f["alias"] = marks[k]
            f["alias_label"] = marks[k][2:]
        result.append(f)
    return result


def bio(tokens, spans):
    """BIO tags of the tokens for spans [(start, end, label)] (not overlapping): a token inside a span, even in
    part (العراق of والعراق), takes its label."""
    tags = ["O"] * len(tokens)
    for start, end, label in spans:
        inside = [k for k, (a, b, _w) in enumerate(tokens) if a < end and b > start]
        for position, k in enumerate(inside):
            tags[k] = ("B-" if position == 0 else "I-") + label
    return tags


def non_overlapping(spans):
    """The spans (start, end, label, votes) to learn from, without overlaps: the most agreed on first, then the
    longest (two analysts' spans of one paragraph, or a nested name, must not give a token two tags)."""
    chosen = []
    for start, end, label, _votes in sorted(spans, key=lambda s: (-s[3], -(s[1] - s[0]), s[0], s[2])):
        if all(end <= a or start >= b for a, b, _l in chosen):
            chosen.append((start, end, label))
    return sorted(chosen)


class Trained:
    """A trained model: its CRFsuite bytes and the first words of names it learned (to place a name after a
    clitic: وبغداد -> بغداد when بغداد began names in training)."""

    def __init__(self, model_bytes, first_words):
        import pycrfsuite

        self.model_bytes = model_bytes
        self.first_words = set(first_words)
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open_inmemory(model_bytes)

    def suggest(self, text, index=None, min_score=MIN_SCORE):
        """[(start, end, label, score)] in one paragraph's text; score the lowest marginal probability of the
        span's tags (how sure the model is of every word of it)."""
        tokens = words(text)
        if not tokens:
            return []
        self.tagger.set(features(text, tokens, index))
        tags = self.tagger.tag()
        found, run = [], None
        for k, tag in enumerate([*tags, "O"]):
            if run and (tag == "O" or tag.startswith("B-") or tag[2:] != run[0]):
                found.append(run)
                run = None
            if tag != "O" and k < len(tokens):
                probability = self.tagger.marginal(tag, k)
                if run is None:
                    run = [tag[2:], k, k, probability]
                else:
                    run[2], run[3] = k, min(run[3], probability)
        result = []
        for label, first, last, score in found:
            if score < min_score:
                continue
            result.append((self._after_clitic(tokens[first]), tokens[last][1], label, round(score, 4)))
        return result

    def _after_clitic(self, token):
        start, _end, word = token
        if fold(word, ta_marbuta=True) in self.first_words:
            return start
        for clitic in CLITICS:
            rest = word[len(clitic) :]
            if word.startswith(clitic) and len(rest) >= 2 and fold(rest, ta_marbuta=True) in self.first_words:
                return start + len(clitic)
        return start


def train(examples, *, index=None):
    """A Trained model from examples [(paragraph text, [(start, end, label, votes)])]; None when there is
    nothing to learn (no span). Deterministic: the same examples give the same model."""
    import sklearn_crfsuite

    xs, ys, first_words = [], [], Counter()
    for text, spans in examples:
        tokens = words(text)
        if not tokens:
            continue
        chosen = non_overlapping(spans)
        for start, end, _label in chosen:
            first = words(text[start:end])
            if first:
                first_words[fold(first[0][2], ta_marbuta=True)] += 1
        # Every other paragraph learns without the known-names feature: where every name of the training set is
        # a known alias, the model would learn "known alias = name" and nothing of the context, and find no
        # name an analyst has not tagged before (dropped deterministically: the same examples, the same model).
        xs.append(features(text, tokens, index if len(xs) % ALIAS_EVERY == 0 else None))
        ys.append(bio(tokens, chosen))
    if not first_words:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.crfsuite"
        crf = sklearn_crfsuite.CRF(algorithm="lbfgs", model_filename=str(path), verbose=False, **ALGORITHM_PARAMS)
        crf.fit(xs, ys)
        model_bytes = path.read_bytes()
    return Trained(model_bytes, first_words)


def evaluate(predicted, gold):
    """{label: (precision, recall, f1, true positives, predicted, gold)} and "all", exact span matches;
    `predicted` and `gold` are sets of (paragraph key, start, end, label)."""
    by_label = defaultdict(lambda: [0, 0, 0])
    for item in predicted:
        by_label[item[3]][1] += 1
        by_label[item[3]][0] += item in gold
    for item in gold:
        by_label[item[3]][2] += 1
    totals = [sum(v[i] for v in by_label.values()) for i in range(3)]
    result = {}
    for label, (tp, p, g) in sorted(by_label.items()) + [("all", totals)]:
        precision = tp / p if p else 0.0
        recall = tp / g if g else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = (precision, recall, f1, tp, p, g)
    return result


def timed(function, *args, **kwargs):
    began = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - began
