"""How far annotators agree, for entities, stances and boilerplate alike.

    pairwise(articles, users)              -> [PairAgreement], one per pair of users
    by_article(articles, users)            -> {article id: [PairAgreement]}, the same on each article alone
    overall(articles, users)               -> OverallAgreement: Fleiss' κ and Krippendorff's α of everyone
    disagreements(article, user_a, user_b) -> [Disagreement] for the drill-down

`articles` and `users` are querysets, model instances or ids; `seen` ({article id: user ids}) says who
saw which article where the default (whoever annotated something in it) is not right. The measures are in
measures.py, what they are fed in data.py. Undefined measures are None (`display` shows "n/a").
"""

from dataclasses import dataclass
from itertools import combinations

from .measures import (
    PolarityAgreement,
    Scores,
    SpanAgreement,
    cohen_kappa,
    display,
    fleiss_kappa,
    krippendorff_alpha,
    polarity_agreement,
    span_agreement,
    stance_agreement,
)

# data.py reads the database, so it is imported on first use: measures.py stays importable (and testable)
# without Django, and importing this package from the app's models cannot import models too early.
_FROM_DATA = {"collect", "Disagreement"}


def __getattr__(name):
    if name in _FROM_DATA:
        from . import data

        return getattr(data, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Disagreement", "GroupAgreement", "OverallAgreement", "PairAgreement",
    "by_article", "collect", "disagreements", "display", "overall", "pairwise",
]  # fmt: skip


@dataclass(frozen=True)
class PairAgreement:
    """Two annotators over the articles both saw. Annotator a is the reference for precision and recall."""

    user_a: object  # as the caller passed it: a User or an id
    user_b: object
    articles: int
    spans_exact: SpanAgreement
    spans_overlap: SpanAgreement
    tokens: int
    token_kappa: float | None
    paragraphs: int
    boilerplate_kappa: float | None
    stances: Scores
    polarity: PolarityAgreement


@dataclass(frozen=True)
class GroupAgreement:
    """Every annotator on one kind of unit (tokens or paragraphs)."""

    units: int  # units that at least two annotators saw: Krippendorff's α uses these
    units_all: int  # units that every annotator saw: Fleiss' κ uses only these (it cannot take missing data)
    fleiss_kappa: float | None
    alpha: float | None


@dataclass(frozen=True)
class OverallAgreement:
    annotators: int
    articles: int  # articles at least one annotator saw
    articles_all: int  # articles every annotator saw
    tokens: GroupAgreement
    boilerplate: GroupAgreement
    annotations: dict  # user id -> {"spans": n, "stances": n, "marks": n}, over all the articles


class _Labels:
    """Token labels and boilerplate flags per (article, user), each computed once per call."""

    def __init__(self, data):
        self.data, self._tokens, self._marks = data, {}, {}

    def tokens(self, article, user):
        from .data import article_token_labels

        if (article, user) not in self._tokens:
            self._tokens[article, user] = article_token_labels(self.data, article, user)
        return self._tokens[article, user]

    def boilerplate(self, article, user):
        from .data import article_boilerplate

        if (article, user) not in self._marks:
            self._marks[article, user] = article_boilerplate(self.data, article, user)
        return self._marks[article, user]


def pairwise(articles, users, *, seen=None, data=None):
    """[PairAgreement] for every pair of `users`, in the order given; `data` is a `collect` result to reuse."""
    from .data import collect

    data = data or collect(articles, users, seen=seen)
    return _pairs(data, data.articles, _Labels(data))


def by_article(articles, users, *, seen=None, data=None):
    """{article id: [PairAgreement]}: the pairs on each article alone (a pair that did not both see an
    article has articles=0 there), from one collection rather than one per article."""
    from .data import collect

    data = data or collect(articles, users, seen=seen)
    labels = _Labels(data)
    return {article: _pairs(data, [article], labels) for article in data.articles}


def _pairs(data, articles, labels):
    results = []
    for (user_a, a), (user_b, b) in combinations(data.users, 2):
        shared = [article for article in articles if {a, b} <= data.seen[article]]
        spans_a = [s for article in shared for s in data.spans.get((article, a), ())]
        spans_b = [s for article in shared for s in data.spans.get((article, b), ())]
        stances_a = [s for article in shared for s in data.stances.get((article, a), ())]
        stances_b = [s for article in shared for s in data.stances.get((article, b), ())]
        tokens_a = [label for article in shared for label in labels.tokens(article, a)]
        tokens_b = [label for article in shared for label in labels.tokens(article, b)]
        marked_a = [flag for article in shared for flag in labels.boilerplate(article, a)]
        marked_b = [flag for article in shared for flag in labels.boilerplate(article, b)]
        results.append(
            PairAgreement(
                user_a, user_b, len(shared),
                span_agreement(spans_a, spans_b, mode="exact"), span_agreement(spans_a, spans_b, mode="overlap"),
                len(tokens_a), cohen_kappa(tokens_a, tokens_b),
                len(marked_a), cohen_kappa(marked_a, marked_b),
                stance_agreement(stances_a, stances_b), polarity_agreement(stances_a, stances_b),
            )
        )  # fmt: skip
    return results


def _group(data, per_article):
    """GroupAgreement from `per_article(article, user)` -> one value per unit of the article."""
    everyone = len(data.users)
    units, complete = [], []
    for article in data.articles:
        raters = [user for _, user in data.users if user in data.seen[article]]
        if len(raters) < 2:
            continue  # a unit one annotator saw cannot be compared
        columns = list(zip(*(per_article(article, user) for user in raters)))
        units.extend(columns)
        if len(raters) == everyone:
            complete.extend(columns)
    return GroupAgreement(len(units), len(complete), fleiss_kappa(complete), krippendorff_alpha(units))


def overall(articles, users, *, seen=None, data=None):
    """OverallAgreement of all `users`: Fleiss' κ on the articles everyone saw, Krippendorff's α on all of
    them (an annotator who did not see an article is missing data there, not a disagreement)."""
    from .data import collect

    data = data or collect(articles, users, seen=seen)
    labels = _Labels(data)
    annotations = {
        user: {
            "spans": sum(len(data.spans.get((article, user), ())) for article in data.articles),
            "stances": sum(len(data.stances.get((article, user), ())) for article in data.articles),
            "marks": sum(len(data.marks.get((article, user), {})) for article in data.articles),
        }
        for _, user in data.users
    }
    return OverallAgreement(
        annotators=len(data.users),
        articles=sum(1 for article in data.articles if data.seen[article]),
        articles_all=sum(1 for article in data.articles if len(data.seen[article]) == len(data.users) and data.users),
        tokens=_group(data, labels.tokens),
        boilerplate=_group(data, labels.boilerplate),
        annotations=annotations,
    )


def disagreements(article, user_a, user_b):
    """[Disagreement] of two annotators on one article (model instances or ids), in reading order."""
    from .data import collect, disagreements_between

    data = collect([article], [user_a, user_b])
    a, b = data.users[0][1], data.users[1][1]
    return disagreements_between(data, getattr(article, "pk", article), a, b)
