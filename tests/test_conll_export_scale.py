"""The CoNLL export tags each paragraph in time linear in its tokens and spans (issue 16: one 820,000-character
paragraph with 11,187 spans took 6 min 45 s), with the same tags as the rule it implements."""

import random
import time

from annotations.interchange.conll import ConllStats, _tags, stream_conll, tokens

WORDS = ["وزير", "الدفاع", "العراقي", "ثابت", "العباسي،", "يلتقي", "لويد", "أوستن", "(البنتاغون)", "في", "واشنطن."]


def reference_tags(paragraph_tokens, spans):
    """The rule, checked token by token for every span (the old quadratic code)."""
    tags, last_end = ["O"] * len(paragraph_tokens), -1
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        if span["start"] < last_end:
            continue
        covered = [k for k, (a, b) in enumerate(paragraph_tokens) if a < span["end"] and b > span["start"]]
        if not covered or any(tags[k] != "O" for k in covered):
            continue
        last_end = span["end"]
        for position, k in enumerate(covered):
            tags[k] = ("B-" if position == 0 else "I-") + span["label"]
    return tags


def random_paragraph(rng, n_words):
    return " ".join(rng.choice(WORDS) for _ in range(n_words))


def random_spans(rng, text, count):
    spans = []
    for _ in range(count):
        start = rng.randrange(len(text) - 1)
        end = min(len(text), start + rng.randint(1, 30))
        spans.append({"start": start, "end": end, "label": rng.choice(["PER", "ORG", "LOC"])})
    return spans


def test_tags_equal_the_token_by_token_rule_on_random_nested_and_overlapping_spans():
    rng = random.Random(16)
    for _ in range(300):
        text = random_paragraph(rng, rng.randint(1, 40))
        spans = random_spans(rng, text, rng.randint(0, 12))
        paragraph_tokens = tokens(text)
        assert _tags(paragraph_tokens, spans, "conll", ConllStats()) == reference_tags(paragraph_tokens, spans), (text, spans)


def test_a_paragraph_of_150000_tokens_and_11000_spans_exports_in_seconds():
    rng = random.Random(7)
    text = random_paragraph(rng, 150_000)
    word_starts = [i for i in range(len(text)) if i == 0 or text[i - 1] == " "]
    spans = []
    for start in sorted(rng.sample(word_starts, 11_000)):
        end = text.find(" ", start)
        spans.append({"start": start, "end": end if end != -1 else len(text), "label": "PER", "paragraph": 0})
    record = {"paragraphs": [{"index": 0, "text": text}], "spans": spans}
    started = time.perf_counter()
    exported = "".join(stream_conll([record]))
    # A safety net, not a benchmark: the quadratic code needed minutes; linear code takes about a second.
    assert time.perf_counter() - started < 30
    tagged = [line for line in exported.splitlines() if line.endswith(" B-PER")]
    assert len(tagged) == len({s["start"] for s in spans})
