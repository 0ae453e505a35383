"""Agreement between annotators: pure functions on plain tuples (no Django, no database).

Conventions, the same for every measure here:
- A measure that is undefined returns None, never raises ZeroDivisionError and never returns NaN: no items,
  only one category in use (chance agreement is total, so κ is 0/0), no unit rated twice. Pages show None
  as "n/a" (`display`).
- Annotator a is the reference and b the candidate: precision = matched / |b|, recall = matched / |a|.
  F1 = 2·matched / (|a| + |b|) is symmetric, and defined whenever either side has an item.
- Matching is one-to-one and maximises the number of matched pairs (augmenting paths over a start taken
  greedily by largest overlap), so a greedy choice never costs a match: a = [0,10) and [9,20), b = [1,12)
  and [0,3) pair up twice, where greedy-by-overlap alone would pair [0,10) with [1,12) and stop.
"""

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

OUTSIDE = "O"


class SpanItem(NamedTuple):
    """One annotator's span: offsets in code points of the paragraph's text, end exclusive.
    `key` (the span's id) travels along for drill-downs and never takes part in a comparison."""

    paragraph: int
    start: int
    end: int
    label: str
    key: object = None


class StanceItem(NamedTuple):
    """One annotator's stance. `target` is any hashable naming it (("entity", id) or ("topic", id));
    `evidence` is a tuple of (paragraph, start, end) passages."""

    article: int
    holder: int
    target: object
    polarity: str
    evidence: tuple
    key: object = None


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 of b against a, from the counts."""

    matched: int
    a: int  # items of the reference annotator
    b: int  # items of the candidate annotator

    @property
    def precision(self):
        return self.matched / self.b if self.b else None

    @property
    def recall(self):
        return self.matched / self.a if self.a else None

    @property
    def f1(self):
        return 2 * self.matched / (self.a + self.b) if self.a + self.b else None


@dataclass(frozen=True)
class SpanAgreement:
    overall: Scores
    per_label: dict  # label name -> Scores, every label either annotator used


@dataclass(frozen=True)
class PolarityAgreement:
    """Over the stances paired on the same holder and target: how often the polarity is the same."""

    pairs: int
    same: int
    kappa: float | None

    @property
    def proportion(self):
        return self.same / self.pairs if self.pairs else None


def display(value, digits=3):
    """A measure as a page shows it: "n/a" when undefined."""
    return "n/a" if value is None else f"{value:.{digits}f}"


# ---- matching ------------------------------------------------------------------------------------


def maximum_matching(edges):
    """[(i, j)] pairs, each i and each j used at most once, as many as possible.

    `edges` is [(weight, i, j)]. The largest weights are taken greedily first; augmenting paths (breadth
    first, so no recursion limit) then add every pair the greedy pass missed."""
    match_left, match_right, adjacent = {}, {}, defaultdict(list)
    for _weight, i, j in sorted(edges, key=lambda edge: -edge[0]):
        adjacent[i].append(j)
        if i not in match_left and j not in match_right:
            match_left[i], match_right[j] = j, i
    for free in list(adjacent):
        if free not in match_left:
            _augment(free, adjacent, match_left, match_right)
    return sorted(match_left.items())


def _augment(free, adjacent, match_left, match_right):
    """Breadth-first search for an alternating path from the unmatched `free` to an unmatched right item;
    flip it if found (one more pair)."""
    reached_from, queue, seen = {}, [free], set()
    for left in queue:
        for right in adjacent[left]:
            if right in seen:
                continue
            seen.add(right)
            reached_from[right] = left
            if right not in match_right:
                while right is not None:  # flip the path back to `free`
                    left = reached_from[right]
                    right, match_left[left] = match_left.get(left), right
                    match_right[match_left[left]] = left
                return True
            queue.append(match_right[right])
    return False


def overlap(start_a, end_a, start_b, end_b):
    """Code points two half-open ranges share (0 when they only touch)."""
    return max(0, min(end_a, end_b) - max(start_a, start_b))


def _grouped_edges(a, b, group, weight):
    """Edges between items of the same group only (a paragraph and label, an article, holder and target):
    the pairs compared are those of one paragraph or article, not the whole corpus."""
    by_group = defaultdict(list)
    for j, item in enumerate(b):
        by_group[group(item)].append(j)
    edges = []
    for i, item in enumerate(a):
        for j in by_group.get(group(item), ()):
            w = weight(item, b[j])
            if w is not None:
                edges.append((w, i, j))
    return edges


def match_spans(a, b, *, mode="exact", same_label=True):
    """[(i, j)] indices of matched spans of a and b.

    "exact": same paragraph, start, end and label. "overlap": same paragraph and label, ranges sharing at
    least one code point; larger overlaps are preferred. `same_label=False` (drill-downs only) pairs
    overlapping spans whatever their labels."""
    if mode == "exact":
        return maximum_matching(_grouped_edges(a, b, lambda s: tuple(s[:4]), lambda s, t: 1))
    if mode != "overlap":
        raise ValueError(f"unknown span matching mode {mode!r}")

    def weight(s, t):
        shared = overlap(s.start, s.end, t.start, t.end)
        return shared or None

    group = (lambda s: (s.paragraph, s.label)) if same_label else (lambda s: s.paragraph)
    return maximum_matching(_grouped_edges(a, b, group, weight))


def span_agreement(a, b, *, mode="exact"):
    """SpanAgreement of two annotators' SpanItems (see match_spans for the modes), overall and per label.
    Matches never cross labels, so the per-label counts add up to the overall ones."""
    a, b = list(a), list(b)
    pairs = match_spans(a, b, mode=mode)
    matched = Counter(a[i].label for i, _ in pairs)
    count_a, count_b = Counter(s.label for s in a), Counter(s.label for s in b)
    per_label = {label: Scores(matched[label], count_a[label], count_b[label]) for label in sorted(count_a | count_b)}
    return SpanAgreement(Scores(len(pairs), len(a), len(b)), per_label)


# ---- token labels and kappas ---------------------------------------------------------------------


def token_labels(tokens, spans):
    """The label of each token of one paragraph, OUTSIDE where no span covers it.

    `tokens` is [(start, end)] in order (annotations.interchange.conll.tokens); `spans` any items with
    start, end and label. A span covers every token it touches, as in the CoNLL export (a span that starts
    or ends inside a token tags the whole token). Where spans nest or overlap, the longest covering span
    wins (the outermost), then the earlier start, then the label name, so the rule never depends on order."""

    labels = [None] * len(tokens)
    starts, ends = [t[0] for t in tokens], [t[1] for t in tokens]
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start, s.label)):
        # Tokens never overlap, so those a span touches are one run: ends after its start, starts before its end.
        for k in range(bisect_right(ends, span.start), bisect_left(starts, span.end)):
            if labels[k] is None:
                labels[k] = span.label
    return [OUTSIDE if label is None else label for label in labels]


def cohen_kappa(a, b):
    """Cohen's κ of two equally long label sequences; None when there are no items or when chance
    agreement is total (both used one and the same category throughout). Exact integer arithmetic up to
    the last division, so identical annotators give exactly 1.0."""
    if len(a) != len(b):
        raise ValueError("Cohen's kappa compares two labellings of the same items.")
    n = len(a)
    agree = sum(x == y for x, y in zip(a, b))
    count_a, count_b = Counter(a), Counter(b)
    chance = sum(count_a[label] * count_b[label] for label in count_a)  # n² · p_e
    if n == 0 or chance == n * n:
        return None
    return (n * agree - chance) / (n * n - chance)


def fleiss_kappa(items):
    """Fleiss' κ. Each item is a Counter of category -> number of raters, or the list of the categories
    its raters chose; every item needs the same number n >= 2 of ratings (the measure's assumption: use
    krippendorff_alpha for missing data). None when there are no items or one category only."""
    counts = [item if isinstance(item, dict) else Counter(item) for item in items]
    if not counts:
        return None
    raters = {sum(c.values()) for c in counts}
    if len(raters) != 1:
        raise ValueError("Fleiss' kappa needs the same number of ratings for every item.")
    n, N = raters.pop(), len(counts)
    if n < 2:
        return None
    # P̄ = (Σ n_ij² − N·n) / (N·n·(n−1)) and P̄e = Σ_j T_j² / (N·n)², T_j the total of category j;
    # κ = (P̄ − P̄e) / (1 − P̄e), kept as one fraction of integers.
    totals = Counter()
    for c in counts:
        totals.update(c)
    agree = sum(v * v for c in counts for v in c.values()) - N * n
    d1 = N * n * (n - 1)
    chance, d2 = sum(t * t for t in totals.values()), (N * n) ** 2
    if chance == d2:
        return None
    return (agree * d2 - chance * d1) / (d1 * (d2 - chance))


def krippendorff_alpha(units):
    """Krippendorff's α, nominal, computed by the `krippendorff` package.

    Each unit is the list of the values given to it (or a {rater: value} mapping); raters who did not see
    the unit are simply absent, and a unit with fewer than two values contributes nothing (it cannot be
    paired). None when no unit has two values or only one value occurs at all."""
    values = []
    for unit in units:
        unit = list(unit.values()) if isinstance(unit, dict) else list(unit)
        if len(unit) >= 2:
            values.append(Counter(unit))
    domain = sorted(set().union(*values), key=repr) if values else []
    if len(domain) < 2:
        return None
    # Imported here: numpy is a second's import that only this measure needs.
    import krippendorff
    import numpy

    column = {value: k for k, value in enumerate(domain)}
    table = numpy.zeros((len(values), len(domain)), dtype=numpy.int64)
    for row, unit in enumerate(values):
        for value, count in unit.items():
            table[row, column[value]] = count
    return float(krippendorff.alpha(value_counts=table, level_of_measurement="nominal"))


# ---- stances -------------------------------------------------------------------------------------


def evidence_overlap(s, t):
    """Code points the two stances' evidence passages share (same paragraph, overlapping ranges)."""
    return sum(
        overlap(start_a, end_a, start_b, end_b)
        for paragraph_a, start_a, end_a in s.evidence
        for paragraph_b, start_b, end_b in t.evidence
        if paragraph_a == paragraph_b
    )


def match_stances(a, b, *, polarity=True, evidence=True):
    """[(i, j)] matched stances: same article, holder and target, and (by default) the same polarity and
    evidence that overlaps. Pairs sharing more evidence are preferred; with `evidence=False` pairs that
    share none are allowed too, after those that do."""

    def weight(s, t):
        shared = evidence_overlap(s, t)
        if evidence and not shared:
            return None
        return shared + 1

    def group(s):
        return (s.article, s.holder, s.target, s.polarity if polarity else None)

    return maximum_matching(_grouped_edges(a, b, group, weight))


def stance_agreement(a, b):
    """Scores on stances: two agree when holder, target and polarity are the same and evidence overlaps."""
    a, b = list(a), list(b)
    return Scores(len(match_stances(a, b)), len(a), len(b))


def polarity_agreement(a, b):
    """Polarity agreement given the holder and target: stances are paired on article, holder and target
    alone (never on polarity, which would inflate the agreement), preferring pairs whose evidence overlaps;
    then the share of pairs with the same polarity, and Cohen's κ on the pairs' polarities."""
    a, b = list(a), list(b)
    pairs = match_stances(a, b, polarity=False, evidence=False)
    first, second = [a[i].polarity for i, _ in pairs], [b[j].polarity for _, j in pairs]
    return PolarityAgreement(len(pairs), sum(x == y for x, y in zip(first, second)), cohen_kappa(first, second))
