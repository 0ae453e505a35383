"""Small builders shared by the tests."""

import contextlib

from corpus.importing import IncomingFile, import_files
from corpus.models import Article, Paragraph, Source, content_hash

SMALL_ARTICLE = [
    "وزير الدفاع العراقي ثابت العباسي يلتقي لويد أوستن في واشنطن",
    "أكدت الولايات المتحدة والعراق التزامهما بمواصلة التعاون الأمني ضمن التحالف CJTF-OIR منذ 2023.",
    "وقالت دانا سترول إن  الولايات المتحدة لا تسعى لوجود عسكري دائم في العراق.",
]


def make_article(paragraphs=None, *, title=None, source="الحرة", user=None):
    paragraphs = list(paragraphs or SMALL_ARTICLE)
    article = Article.objects.create(
        source=Source.objects.get_or_create(name=source)[0],
        title=title or paragraphs[0],
        content_hash=content_hash(paragraphs),
        imported_by=user,
    )
    Paragraph.objects.bulk_create(Paragraph(article=article, position=i, text=t) for i, t in enumerate(paragraphs))
    return article


def import_bytes(name, data, **kwargs):
    """Import one in-memory file; return its FileOutcome."""
    return import_files([IncomingFile(name, data=data)], **kwargs).outcomes[0]


def corpus_snapshot():
    """Every corpus row, to prove an operation left the database exactly as it was."""
    return (
        list(Source.objects.order_by("pk").values_list()),
        list(Article.objects.order_by("pk").values_list()),
        list(Paragraph.objects.order_by("pk").values_list()),
    )


@contextlib.contextmanager
def assert_corpus_unchanged():
    before = corpus_snapshot()
    yield
    assert corpus_snapshot() == before, "the operation changed the database"


def add_span(paragraph, quote, label_name="PER", *, author, occurrence=0, entity=None):
    """Tag the `occurrence`-th `quote` in `paragraph` through the service, as the browser would."""
    from annotations.models import Label
    from annotations.offsets import code_point_to_utf16
    from annotations.spans import create_span

    index = -1
    for _ in range(occurrence + 1):
        index = paragraph.text.index(quote, index + 1)
    start = code_point_to_utf16(paragraph.text, index)
    end = code_point_to_utf16(paragraph.text, index + len(quote))
    return create_span(
        user=author,
        paragraph=paragraph,
        utf16_start=start,
        utf16_end=end,
        quote=quote,
        label=Label.objects.get(name=label_name),
        entity=entity,
    )


def add_stance(paragraph, quote, *, author, holder, target, polarity, occurrence=0, note=""):
    """Record a stance with the `occurrence`-th `quote` in `paragraph` as evidence, through the service."""
    from annotations.offsets import code_point_to_utf16
    from annotations.stances import EvidenceSelection, create_stance

    index = -1
    for _ in range(occurrence + 1):
        index = paragraph.text.index(quote, index + 1)
    selection = EvidenceSelection(
        paragraph, code_point_to_utf16(paragraph.text, index), code_point_to_utf16(paragraph.text, index + len(quote)), quote
    )
    return create_stance(
        user=author, article=paragraph.article, evidence=[selection], holder=holder, target=target, polarity=polarity, note=note
    )


def annotation_snapshot():
    """Every annotation row, to prove a refused write changed nothing."""
    from annotations.models import AnnotationEvent, BoilerplateMark, Entity, Span, Stance, StanceEvidence, Topic

    return [
        list(model.objects.order_by("pk").values_list())
        for model in (Span, Entity, Topic, Stance, StanceEvidence, BoilerplateMark, AnnotationEvent)
    ]
