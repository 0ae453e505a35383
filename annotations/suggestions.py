"""Suggested spans the analyst accepts (one key) or rejects (remembered): never annotations until accepted.

Three sources:
- entity names: every mention in the article of a canonical entity's name or alias, matched word by word
  after folding and clitic splitting (corpus.arabic), so وبلويد أوستن and لويد اوستن find لويد أوستن, and
  for people their surname alone (وقال أوستن);
- other versions: the analyst's spans on near-duplicate paragraphs of other articles (corpus.duplicates),
  carried over word by word where the text is the same after folding;
- models' predictions: other tools' files and the built-in labeller's (recommenders), in the reader's
  projects, shown as "model X · 0.87" (recommenders.suggesting; accepting one records the model).
A suggestion is left out where the analyst already has a span (of any label) on exactly that text, or said no.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from corpus import word_diff
from corpus.arabic import fold, loan_fold, stems, words
from corpus.duplicates import canonical, matches_of
from corpus.models import Paragraph
from corpus.spellings import HEAD_WORDS, PATRONYMIC, TAIL_WORDS, compound_parts, variant_key, variant_keys

from .models import BoilerplateMark, Entity, Label, Span, SuggestionRejection

FOUND_CACHE = 20_000  # paragraph texts whose entity mentions an index keeps (about 1 KB each)
VERSIONS_CARRIED = 3  # an analyst's spans are carried from this many closest versions of a paragraph
MIN_NAME_LETTERS = 3  # shorter names (a single letter word) would be found everywhere
SURNAME_LETTERS = 4


@dataclass(frozen=True)
class Suggestion:
    paragraph_id: int
    start: int  # code points, as spans
    end: int
    text: str
    label: object
    entity: object  # an Entity, or None
    reason: str

    pk = None  # not stored: rendering orders layers by pk

    @property
    def key(self):
        return f"{self.paragraph_id}:{self.start}:{self.end}:{self.label.name}:{self.entity.pk if self.entity else ''}"


class EntityIndex:
    """Canonical word sequences of every entity's name and aliases, by first word, for scanning text.

    Names and text are compared as units: a word, or each half of a compound name written joined
    (عبدالعزيز is عبد + العزيز, so it meets عبد العزيز either way round; corpus.spellings). Units match when
    they share a form, or else a g key (بنجلاديش / بنغلاديش: corpus.spellings.variant_keys)."""

    def __init__(self, entities):
        self.by_first, self.by_first_key, self._found = {}, {}, {}
        for entity in entities:
            names = {entity.name, *(alias.name for alias in entity.aliases.all())}
            for name in names:
                self._add(name, entity)
            if entity.label.name == "PER":
                for name in names:
                    for short in short_names(name):
                        self._add(short, entity)

    def _add(self, name, entity):
        units = [unit for _s, _e, word in words(name) for unit in word_units(word)]
        if units and len(fold(name)) >= MIN_NAME_LETTERS:
            pattern = tuple(forms for _role, forms, _keys, _folded in units)
            keys = tuple(unit_keys for _role, _forms, unit_keys, _folded in units)
            # A name beginning with بن (ابن سينا) may follow a patronymic marker; any other may not.
            candidate = (pattern, keys, units[0][3], entity, bool(PATRONYMIC & units[0][1]))
            for form in pattern[0]:
                self.by_first.setdefault(form, []).append(candidate)
            for key in keys[0]:
                self.by_first_key.setdefault(key, []).append(candidate)

    @classmethod
    def load(cls):
        return cls(Entity.objects.select_related("label").prefetch_related("aliases"))

    @classmethod
    def current(cls):
        """The index of every entity, kept per process until the vocabulary changes (annotations.vocabulary)."""
        from . import vocabulary

        return vocabulary.current().entity_index

    def find(self, text):
        """[(start, end, entity)] of entity mentions in `text`: words match when they share a form after
        folding and clitic splitting (والعراق and العراق share العراق); longest name first where they overlap.
        Kept per text while this index lives: paragraph text never changes, and a page and each write
        response ask again for the same paragraphs."""
        if not self.by_first:
            return []
        found = self._found.get(text)
        if found is None:
            if len(self._found) >= FOUND_CACHE:
                self._found.clear()
            found = self._found[text] = self._find(text)
        return found

    def _find(self, text):
        found, text_words = [], words(text)
        # (index of the word, role, forms, keys): role 0 a whole word, 1 and 2 the halves of a joined compound.
        units = [(w, *unit) for w, (_s, _e, word) in enumerate(text_words) for unit in word_units(word)]
        by_first, by_first_key, taken = self.by_first, self.by_first_key, -1
        for i, (w, role, forms_here, keys_here, _unit) in enumerate(units):
            if role == 2 or text_words[w][0] < taken:
                continue  # a name never starts inside a word (the العزيز of عبدالعزيز)
            hits = [c for form in forms_here for c in by_first.get(form, ())]
            hits += [c for key in keys_here for c in by_first_key.get(key, ())]
            if not hits:
                continue
            # Inside a patronymic chain (يوسف بن سليمان) the name after بن is a forefather's, not a mention.
            after_marker = i > 0 and units[i - 1][1] != 1 and bool(PATRONYMIC & units[i - 1][2])
            candidates = {id(c): c for c in hits}.values()
            for pattern, keys, first_form, entity, starts_with_marker in sorted(candidates, key=lambda c: -len(c[0])):
                last = i + len(pattern) - 1
                if last >= len(units) or units[last][1] == 1 or (after_marker and not starts_with_marker):
                    continue  # past the text, or ending inside a joined compound
                if all(pattern[k] & units[i + k][2] or keys[k] & units[i + k][3] for k in range(len(pattern))):
                    start = _start_without_clitic(text_words[w], first_form, prefix=role == 1)
                    end = text_words[units[last][0]][1]
                    found.append((start, end, entity))
                    taken = end
                    break
        return found


def short_names(name):
    """The shorter names news calls a person by after the first mention: the surname (قال أوستن), if long
    enough to be telling, two words when it is a compound (خالد عبد العزيز: عبد العزيز, never العزيز alone).
    A patronymic chain gives no surname (in يوسف بن سليمان, سليمان is the father), but the person with
    their father when the chain goes further (يوسف بن سليمان بن عبد الله: يوسف بن سليمان)."""
    name_words = words(name)
    folded = [fold(word, ta_marbuta=True) for _s, _e, word in name_words]
    markers = [k for k, form in enumerate(folded) if k > 0 and form in PATRONYMIC]
    if markers:
        return [name[: name_words[markers[1]][0]].strip()] if len(markers) >= 2 else []
    if len(name_words) < 2:
        return []
    compound_tail = folded[-2] in HEAD_WORDS or folded[-1] in TAIL_WORDS
    if compound_tail:
        return [name[name_words[-2][0] :]] if len(name_words) >= 3 else []  # عبد الله is one name: no surname
    surname = name_words[-1][2]
    return [surname] if len(canonical(surname)) >= SURNAME_LETTERS else []


@lru_cache(maxsize=200_000)  # words repeat: each distinct word is folded once per process
def word_forms(word):
    return stems(_folded(word))


def _folded(word):
    return loan_fold(fold(word, ta_marbuta=True))


@lru_cache(maxsize=200_000)
def word_units(word):
    """((role, forms, g keys, folded), ...) of one word: one unit (role 0), or two for a compound name
    written joined (عبدالعزيز, لعبدالعزيز: roles 1 and 2, the first with the word's clitic)."""
    forms = word_forms(word)
    for form in sorted(forms, key=len):
        parts = compound_parts(form)
        if parts:
            first, second = stems(parts[0]), stems(parts[1])
            return ((1, first, variant_keys(first), parts[0]), (2, second, variant_keys(second), parts[1]))
    return ((0, forms, variant_keys(forms), _folded(word)),)


def _start_without_clitic(word_entry, name_form, *, prefix=False):
    """Where the name begins inside the first word: after a clitic the name does not have (و in والعراق when
    the entity is العراق; وب in وبلويد), keeping what the name itself has (ال of العراق, لل of للعراق).
    With prefix=True the name is the first half of a joined compound (ل|عبدالعزيز for عبد العزيز); a name
    found by its g key is cut where the key agrees (و|البنتاجون for البنتاغون)."""
    start, _end, word = word_entry
    cuts = range(0, min(4, len(word) - 1))
    name_key = variant_key(name_form)
    for cut in cuts:  # the name exactly, after a clitic: و|العراق, وب|لويد
        rest = _folded(word[cut:])
        if rest == name_form or prefix and rest.startswith(name_form):
            return start + cut
    for cut in cuts:
        rest = _folded(word[cut:])
        if rest != name_form and variant_key(rest if not prefix else rest[: len(name_form)]) == name_key:
            return start + cut
    cut = 0
    while cut < len(word) - 2 and word[cut] in "وف" and stems(_folded(word[cut + 1 :])) & stems(name_form):
        cut += 1  # otherwise only a leading conjunction goes: و|للعراق
    return start + cut


def align(source_text, target_text):
    """A function mapping (start, end) in source_text to (start, end) in target_text, or None where the words
    differ. Word by word over the folded forms; spans must begin and end on word edges or keep their in-word
    offset in an identical word. Only the words corpus.word_diff compares (the first 3,000) are aligned: a span
    past them is not carried, so a 5 MB paragraph costs what a 40 KB one does."""
    compared = word_diff.compare(source_text, target_text)
    source_words, target_words, mapping = compared.words_a, compared.words_b, compared.pairs

    ends = [b for _a, b, _w in source_words]
    starts = [a for a, _b, _w in source_words]

    def carry(start, end):
        if end > compared.end_a:
            return None  # it reaches past the compared words
        # The words the span touches: those ending after its start and starting before its end.
        covered = range(bisect_right(ends, start), bisect_left(starts, end))
        if not covered or any(i not in mapping for i in covered):
            return None
        targets = [mapping[i] for i in covered]
        if targets != list(range(targets[0], targets[0] + len(targets))):
            return None
        first, last = source_words[covered[0]], source_words[covered[-1]]
        target_first, target_last = target_words[targets[0]], target_words[targets[-1]]
        lead, trail = start - first[0], last[1] - end
        if lead and first[2] != target_first[2] or trail and last[2] != target_last[2]:
            return None  # cut inside a word that is spelled differently there
        return target_first[0] + max(lead, 0), target_last[1] - max(trail, 0)

    return carry


ALIGNED_CACHE = 2_000  # pairs; each keeps the compared words of both and the mapping: 15 KB for news, 1 MB at most
_aligned = {}


def aligned(source_id, source_text, target_id, target_text):
    """align() for two stored paragraphs, kept per process: paragraph text never changes once imported,
    and the reading view asks for the same pairs on every load and after every write. Keyed by the ids:
    an lru_cache on the arguments kept both whole texts (5 MB each for a long paragraph) per pair."""
    key = (source_id, target_id)
    carry = _aligned.get(key)
    if carry is None:
        if len(_aligned) >= ALIGNED_CACHE:
            _aligned.clear()
        carry = _aligned[key] = align(source_text, target_text)
    return carry


def suggestions_for(user, paragraphs, *, own_spans, index=None, matches=None, project=None, labels=None):
    """{paragraph id: [Suggestion]} for these paragraphs of one article, for `user`. `own_spans` are the
    user's spans in them (already loaded for the page); `matches` their near-duplicates, if loaded. Read in a
    `project` (projects.scope), spans are carried only from versions in that project's articles, and only
    suggestions of `labels` (ids; None: any) are offered."""
    index = index or EntityIndex.current()
    by_id = {p.pk: p for p in paragraphs}
    # Where the analyst already tagged exactly this text (under any label), they have decided: no suggestion.
    tagged = {(s.paragraph_id, s.start, s.end) for s in own_spans}
    offered, candidates = set(), []

    def offer(suggestion):
        place = (suggestion.paragraph_id, suggestion.start, suggestion.end)
        key = (*place, suggestion.label.pk)
        if place in tagged or key in offered:
            return
        offered.add(key)  # one suggestion per place and label
        candidates.append(suggestion)

    for paragraph in paragraphs:
        for start, end, entity in index.find(paragraph.text):
            offer(
                Suggestion(
                    paragraph.pk, start, end, paragraph.text[start:end], entity.label, entity, f"the name of {entity.name}"
                )
            )

    # Models' predictions (recommenders: other tools' and the built-in labeller's), after the names, whose
    # suggestion carries the entity where both propose one place and label.
    from recommenders.suggesting import model_suggestions

    for suggestion in model_suggestions(user, paragraphs):
        offer(suggestion)

    # The analyst's spans on the closest versions of these paragraphs, carried over. Plain rows: a paragraph
    # repeated across hundreds of articles (a boilerplate line) must not cost a model object per span there.
    matches = matches if matches is not None else matches_of(list(by_id))
    closest = {own: [other for other, _similarity in pairs[:VERSIONS_CARRIED]] for own, pairs in matches.items() if own in by_id}
    others = {other for pairs in closest.values() for other in pairs}
    if others and project is not None:  # another study's work is not carried into this one
        others = set(Paragraph.objects.filter(pk__in=others, article__projects=project).values_list("pk", flat=True))
    rows = (
        list(
            Span.objects.filter(paragraph_id__in=others, author=user)
            .order_by("paragraph_id", "start", "-end", "pk")
            .values_list("paragraph_id", "start", "end", "label_id", "entity_id")
        )
        if others
        else []
    )
    if rows:
        texts, sources = {}, {}
        for pk, text, source in Paragraph.objects.filter(pk__in={row[0] for row in rows}).values_list(
            "pk", "text", "article__source__name"
        ):
            texts[pk], sources[pk] = text, source
        labels = Label.objects.in_bulk({row[3] for row in rows})
        entities = Entity.objects.select_related("label").in_bulk({row[4] for row in rows if row[4]})
        by_paragraph = {}
        for row in rows:
            by_paragraph.setdefault(row[0], []).append(row)
        for own_id, versions in closest.items():
            target = by_id[own_id]
            for other in versions:
                if other not in by_paragraph:
                    continue
                carry = aligned(other, texts[other], own_id, target.text)
                for _other, span_start, span_end, label_id, entity_id in by_paragraph[other]:
                    placed = carry(span_start, span_end)
                    if placed:
                        start, end = placed
                        offer(
                            Suggestion(
                                own_id,
                                start,
                                end,
                                target.text[start:end],
                                labels[label_id],
                                entities.get(entity_id),
                                f"your tag in {sources[other]}",
                            )
                        )
    # What the analyst said no to, asked only when there is something to offer (after most writes, nothing).
    rejected = (
        set(
            SuggestionRejection.objects.filter(user=user, paragraph_id__in={s.paragraph_id for s in candidates}).values_list(
                "paragraph_id", "start", "end", "label_id"
            )
        )
        if candidates
        else set()
    )
    result = {}
    for suggestion in candidates:
        if labels is not None and suggestion.label.pk not in labels:
            continue
        if (suggestion.paragraph_id, suggestion.start, suggestion.end, suggestion.label.pk) not in rejected:
            result.setdefault(suggestion.paragraph_id, []).append(suggestion)
    for value in result.values():
        value.sort(key=lambda s: (s.start, -s.end))
    return result


def _check_place(paragraph, start, end):
    if not (0 <= start < end <= len(paragraph.text)) or not paragraph.text[start:end].strip():
        raise ValidationError(_("That suggestion no longer fits the text; reload the page."))


@transaction.atomic
def accept(*, user, paragraph, start, end, label, entity=None):
    """The suggestion becomes the analyst's span (linked to the entity, if any), through the usual checks."""
    from .offsets import code_point_to_utf16
    from .spans import create_span

    _check_place(paragraph, start, end)
    from recommenders.suggesting import record_acceptance

    text = paragraph.text
    span = create_span(
        user=user,
        paragraph=paragraph,
        utf16_start=code_point_to_utf16(text, start),
        utf16_end=code_point_to_utf16(text, end),
        quote=text[start:end],
        label=label,
        entity=entity if entity is not None and entity.label_id == label.pk else None,
    )
    record_acceptance(user, span)  # which model proposed it, if one did
    return span


def reject(*, user, paragraph, start, end, label):
    _check_place(paragraph, start, end)
    SuggestionRejection.objects.get_or_create(user=user, paragraph=paragraph, start=start, end=end, label=label)


@transaction.atomic
def accept_all(*, user, article, project=None, labels=None):
    """Accept every suggestion the reading view shows this analyst in the article (none in paragraphs they
    marked as boilerplate); returns how many spans were made."""
    marked = set(BoilerplateMark.objects.filter(paragraph__article=article, author=user).values_list("paragraph_id", flat=True))
    paragraphs = [p for p in article.paragraphs.order_by("position") if p.pk not in marked]
    by_id = {p.pk: p for p in paragraphs}
    own = Span.objects.filter(paragraph__article=article, author=user)
    made = 0
    for suggestions in suggestions_for(user, paragraphs, own_spans=own, project=project, labels=labels).values():
        for suggestion in suggestions:
            try:
                with transaction.atomic():
                    accept(
                        user=user,
                        paragraph=by_id[suggestion.paragraph_id],
                        start=suggestion.start,
                        end=suggestion.end,
                        label=suggestion.label,
                        entity=suggestion.entity,
                    )
                made += 1
            except ValidationError:
                continue  # e.g. overlapping suggestions of one label: the first one won
    return made
