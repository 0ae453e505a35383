"""Predictions from other tools, imported as suggestions (never as annotations), and the built-in recommender.

POST a file's text with the model's name: a small one is checked and stored at once (201, or 422 listing every
problem, nothing stored); one larger than HAMISH_PREDICTIONS_SYNC_BYTES is stored for the worker (202 and a
batch to poll at /prediction-batches/{id}). Only the project's managers may import or train (403 otherwise;
404 for a project the token's user is not in).
"""

from datetime import datetime

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from projects.lookups import get_project_for_member
from projects.models import CAN_MANAGE, Project
from recommenders.forms import max_bytes
from recommenders.importing import FORMATS, PredictionImportError, check_model_name, import_predictions
from recommenders.models import PredictionBatch, Recommender
from recommenders.tasks import import_batch, request_training

from ..errors import Refused
from ..schemas import ERRORS, Id, text

router = Router(tags=["predictions"])
CONTENT_MAX = 200 * 1024 * 1024


class PredictionsIn(Schema):
    model: text(100, description="The name of the model that made the predictions, shown beside each suggestion.")
    format: text(20, description="hamish (Hamish JSON), doccano (JSONL) or conll.")
    content: text(CONTENT_MAX, description="The file's text.")
    default_score: float = Field(1.0, ge=0, le=1, description="The score of predictions the file gives none (CoNLL).")


class BatchOut(Schema):
    id: int
    project: int
    model: str
    format: str
    status: str
    count: int
    problems: list[str]
    imported_at: datetime


def batch_out(batch):
    return {
        "id": batch.pk,
        "project": batch.project_id,
        "model": batch.model_name,
        "format": batch.format,
        "status": batch.status,
        "count": batch.count,
        "problems": batch.problems,
        "imported_at": batch.imported_at,
    }


def managed_project(request, project_id):
    project = get_project_for_member(request.user, project_id)
    project.check_role(request.user, CAN_MANAGE, "managers")
    return project


@router.post(
    "/projects/{project_id}/predictions",
    response={201: BatchOut, 202: BatchOut, **ERRORS},
    summary="Import a model's predictions as suggestions (Hamish JSON, doccano JSONL or CoNLL)",
)
def import_file(request, project_id: Id, payload: PredictionsIn):
    project = managed_project(request, project_id)
    if payload.format not in FORMATS:
        raise Refused(
            [
                _("Unknown format %(format)s; use one of %(formats)s.")
                % {"format": repr(payload.format[:40]), "formats": ", ".join(sorted(FORMATS))}
            ]
        )
    data = payload.content.encode("utf-8")
    if len(data) > max_bytes():
        raise HttpError(
            413,
            _("The file holds %(size)s bytes; a predictions file may hold at most %(max)s.")
            % {"size": len(data), "max": max_bytes()},
        )
    try:
        if len(data) > settings.HAMISH_PREDICTIONS_SYNC_BYTES:
            batch = PredictionBatch.objects.create(
                project=project,
                model_name=check_model_name(payload.model),
                format=payload.format,
                imported_by=request.user,
                payload=data,
                parameters={"default_score": payload.default_score},
            )
            import_batch.enqueue(batch.pk)
            batch.refresh_from_db()
            return Status(202 if batch.status == PredictionBatch.Status.QUEUED else 201, batch_out(batch))
        batch = import_predictions(
            data,
            project=project,
            format=payload.format,
            model_name=payload.model,
            user=request.user,
            default_score=payload.default_score,
        )
    except PredictionImportError as exc:
        raise Refused([_("Not imported; nothing was stored.")], details=exc.problems) from None
    return Status(201, batch_out(batch))


@router.get("/prediction-batches/{batch_id}", response={200: BatchOut, **ERRORS}, summary="A prediction import and its outcome")
def batch_status(request, batch_id: Id):
    batch = get_object_or_404(PredictionBatch, pk=batch_id, project__in=Project.objects.for_member(request.user))
    return batch_out(batch)


class TrainingOut(Schema):
    project: int
    status: str
    queued: bool = Field(description="False when a live run was already queued or training (nothing more was queued).")


@router.post(
    "/projects/{project_id}/recommender/train",
    response={202: TrainingOut, **ERRORS},
    summary="Train the project's built-in recommender (CRF) on its spans, in the background",
)
def train(request, project_id: Id):
    project = managed_project(request, project_id)
    queued = request_training(project, request.user)
    recommender = Recommender.objects.get(project=project)
    return Status(202, {"project": project.pk, "status": recommender.status, "queued": queued})
