"""The stance form's holder guess: the speaker, never the one spoken to (issue 15)."""

import pytest
from django.urls import reverse

from annotations.holders import guess_holder_span, is_speech_verb
from annotations.models import Entity
from annotations.offsets import code_point_to_utf16
from tests.utils import add_span, make_article

pytestmark = pytest.mark.django_db

QUOTE = "سنواصل دعم العراق"


def form_for(client, paragraph, quote=QUOTE):
    index = paragraph.text.index(quote)
    data = {
        "start": code_point_to_utf16(paragraph.text, index),
        "end": code_point_to_utf16(paragraph.text, index + len(quote)),
        "quote": quote,
    }
    response = client.get(reverse("annotations:stance_new", args=[paragraph.pk]), data)
    assert response.status_code == 200
    return response.content.decode()


def paragraph_with(text, labels):
    return make_article([text]).paragraphs.get()


@pytest.mark.parametrize(
    ("text", "mentions", "speaker"),
    [
        # the sentence: the addressee after لـ comes last before the quote
        (f"قال أوستن للعباسي إن «{QUOTE}».", [("أوستن", "PER"), ("للعباسي", "PER")], "أوستن"),
        # the name tagged without its attached preposition
        (f"قال أوستن لثابت العباسي إن «{QUOTE}».", [("أوستن", "PER"), ("ثابت العباسي", "PER")], "أوستن"),
        (
            f"وأكدت الخارجية الأميركية لـ«الحرة» أن «{QUOTE}».",
            [("الخارجية الأميركية", "ORG"), ("الحرة", "ORG")],
            "الخارجية الأميركية",
        ),
        (f"أبلغ أوستن إلى العباسي أن «{QUOTE}».", [("أوستن", "PER"), ("العباسي", "PER")], "أوستن"),
        (
            f"وصرّح المتحدث باسم البنتاغون جون كيربي لقناة الحرة: «{QUOTE}».",
            [("البنتاغون", "ORG"), ("جون كيربي", "PER"), ("الحرة", "ORG")],
            "جون كيربي",
        ),
        (f"أعلن أوستن خلال لقائه مع العباسي أن «{QUOTE}».", [("أوستن", "PER"), ("العباسي", "PER")], "أوستن"),
        # the speaker before the verb
        (f"أوستن قال للعباسي: «{QUOTE}».", [("أوستن", "PER"), ("للعباسي", "PER")], "أوستن"),
        # two sentences: the nearest speech verb decides
        (
            f"التقى أوستن العباسي. وقال العباسي لأوستن إن «{QUOTE}».",
            [("أوستن", "PER"), ("العباسي", "PER"), ("العباسي", "PER"), ("لأوستن", "PER")],
            "العباسي#1",
        ),
        # a relayed statement: the one quoted after عن, not the agency
        (f"ونقلت وكالة رويترز عن أوستن قوله إن «{QUOTE}».", [("رويترز", "ORG"), ("أوستن", "PER")], "أوستن"),
        # وفقًا لـ names the source
        (f"ووفقًا لأوستن فإن «{QUOTE}».", [("أوستن", "PER")], "أوستن"),
        # a later speech verb wins over an earlier relay
        (
            f"نقلت رويترز عن العباسي أمس. وقال أوستن إن «{QUOTE}».",
            [("رويترز", "ORG"), ("العباسي", "PER"), ("أوستن", "PER")],
            "أوستن",
        ),
        # no speech verb: the last ungoverned mention before the quote, as before
        (f"بحسب أوستن «{QUOTE}».", [("أوستن", "PER")], "أوستن"),
    ],
)
def test_it_preselects_the_speaker_not_the_addressee(analyst_client, analyst, labels, text, mentions, speaker):
    paragraph = paragraph_with(text, labels)
    seen = {}
    spans = {}
    for quote, label in mentions:
        occurrence = seen.get(quote, 0)
        seen[quote] = occurrence + 1
        spans[f"{quote}#{occurrence}"] = add_span(paragraph, quote, label, author=analyst, occurrence=occurrence)
    expected = spans[speaker if "#" in speaker else f"{speaker}#0"]
    html = form_for(analyst_client, paragraph)
    assert f'<option value="span:{expected.pk}" selected>' in html
    for other in spans.values():
        if other != expected:
            assert f'<option value="span:{other.pk}" selected>' not in html


def test_a_linked_mention_with_its_preposition_is_recognised_by_its_entity(analyst, labels):
    paragraph = paragraph_with(f"قال أوستن لأوستن آخر إن «{QUOTE}».", labels)
    austin = Entity.objects.create(name="أوستن", label=labels["PER"])
    speaker = add_span(paragraph, "أوستن", author=analyst, entity=austin)
    add_span(paragraph, "لأوستن", author=analyst, entity=austin)
    spans = list(paragraph.spans.select_related("label", "entity"))
    assert guess_holder_span(spans, paragraph, paragraph.text.index(QUOTE)) == speaker


def test_a_person_inside_the_evidence_is_the_fallback(analyst, labels):
    paragraph = paragraph_with(f"«{QUOTE} يا أوستن»", labels)
    inside = add_span(paragraph, "أوستن", author=analyst)
    spans = list(paragraph.spans.select_related("label", "entity"))
    assert guess_holder_span(spans, paragraph, paragraph.text.index(QUOTE)) == inside


def test_places_are_never_holders(analyst, labels):
    paragraph = paragraph_with(f"قالت واشنطن إن «{QUOTE}».", labels)
    add_span(paragraph, "واشنطن", "LOC", author=analyst)
    spans = list(paragraph.spans.select_related("label", "entity"))
    assert guess_holder_span(spans, paragraph, paragraph.text.index(QUOTE)) is None


@pytest.mark.parametrize("word", ["قال", "وقالت", "أكّد", "فأوضحوا", "تقول", "يؤكد", "صرّح", "وأبلغ"])
def test_it_knows_speech_verbs_with_their_clitics(word):
    assert is_speech_verb(word)


@pytest.mark.parametrize("word", ["العراق", "وزير", "قالب", "تعاون"])
def test_other_words_are_not_speech_verbs(word):
    assert not is_speech_verb(word)
