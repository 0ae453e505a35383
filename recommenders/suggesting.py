"""Predictions in the reading view: offered among the suggestions (annotations.suggestions) as "model X · 0.87".

Only predictions of projects the reader belongs to, on articles still in that project, of active labels, and
passing the reader's filter (a model, or all; a minimum score) are offered. When a suggestion is accepted, the
span it became records the model that proposed it (AcceptedPrediction) and its audit event says so (`via`).
"""

from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext as _

from annotations.models import AnnotationEvent
from annotations.suggestions import Suggestion
from projects.models import Project

from .models import AcceptedPrediction, Prediction, PredictionFilter

DEFAULT_MIN_SCORE = 0.5
# At most this many of the models' predictions are offered in one article (the most confident first): a file
# proposing 10,000 spans in one article must not make the reading view, or "accept all", do 10,000 of anything.
MAX_OFFERED = 500


@dataclass(frozen=True)
class ModelSuggestion(Suggestion):
    model_name: str = ""
    score: float = 0.0


def filter_of(user):
    """(model name or "" for every model, minimum score) the reader chose."""
    found = PredictionFilter.objects.filter(user=user).values_list("model_name", "min_score").first()
    return found or ("", DEFAULT_MIN_SCORE)


def visible_predictions(user, paragraph_ids):
    """The predictions on these paragraphs the reader may see: their projects' members only, and only while
    the article is in the project."""
    return Prediction.objects.filter(
        paragraph_id__in=paragraph_ids,
        project__in=Project.objects.for_member(user),
        project__articles=F("paragraph__article"),
        label__is_active=True,
    )


def model_suggestions(user, paragraphs):
    """[ModelSuggestion] for these paragraphs, best score first (so that where two models propose the same
    place and label, the more confident one is the one shown)."""
    by_id = {p.pk: p for p in paragraphs}
    if not by_id:
        return []
    model_name, min_score = filter_of(user)
    predictions = visible_predictions(user, list(by_id)).filter(score__gte=min_score)
    if model_name:
        predictions = predictions.filter(model_name=model_name)
    result = []
    for prediction in predictions.select_related("label").order_by("-score", "pk")[:MAX_OFFERED]:
        text = by_id[prediction.paragraph_id].text
        if prediction.end > len(text):
            continue
        result.append(
            ModelSuggestion(
                prediction.paragraph_id,
                prediction.start,
                prediction.end,
                text[prediction.start : prediction.end],
                prediction.label,
                None,
                _("model %(name)s · %(score)s") % {"name": prediction.model_name, "score": f"{prediction.score:.2f}"},
                model_name=prediction.model_name,
                score=prediction.score,
            )
        )
    return result


def models_in(user, article):
    """The model names with predictions the reader may see in this article."""
    paragraphs = article.paragraphs.values("pk")
    names = visible_predictions(user, paragraphs).values_list("model_name", flat=True).order_by("model_name").distinct()
    return list(names[:MAX_OFFERED])


def record_acceptance(user, span):
    """After a suggestion became `span`: if a model the reader may see proposed exactly this, remember which
    (the most confident one) and say so in the span's audit event."""
    prediction = (
        visible_predictions(user, [span.paragraph_id])
        .filter(start=span.start, end=span.end, label_id=span.label_id)
        .order_by("-score", "pk")
        .first()
    )
    if prediction is None:
        return None
    accepted = AcceptedPrediction.objects.create(
        span=span, prediction=prediction, model_name=prediction.model_name, score=prediction.score
    )
    # The audit log's "how it arrived": English, like the API's "API, token ..." (the log is read by admins).
    AnnotationEvent.objects.filter(kind="span", object_id=span.pk, action=AnnotationEvent.CREATED, via="").update(
        via=f"suggestion of model {prediction.model_name} ({prediction.score:.2f})"[:100]
    )
    return accepted
