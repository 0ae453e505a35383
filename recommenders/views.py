"""The managers' page of a project's predictions (import a file, see the batches, train the built-in model),
and the reading view's panel controls (which model's suggestions, from what score)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from annotations.lookups import get_article_for_reader
from projects.lookups import get_project_for_member
from projects.models import CAN_MANAGE

from .forms import FilterForm, PredictionUploadForm
from .importing import PredictionImportError, guess_format, import_predictions
from .models import BUILTIN_MODEL, PredictionBatch, PredictionFilter, Recommender
from .runs import is_stalled
from .tasks import import_batch, request_training


def _managed(request, project_id):
    project = get_project_for_member(request.user, project_id)
    if project.role not in CAN_MANAGE:
        raise PermissionDenied(_("Only the project's managers may do this."))
    return project


@require_http_methods(["GET", "POST"])
def predictions_page(request, project_id):
    project = _managed(request, project_id)
    form = PredictionUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or "upload"
        fmt = form.cleaned_data["format"] or guess_format(name)
        data = upload.read()
        try:
            if len(data) > settings.HAMISH_PREDICTIONS_SYNC_BYTES:
                from .importing import check_model_name

                batch = PredictionBatch.objects.create(
                    project=project,
                    model_name=check_model_name(form.cleaned_data["model_name"]),
                    format=fmt,
                    filename=name[:255],
                    imported_by=request.user,
                    payload=data,
                    parameters={"default_score": form.cleaned_data["default_score"]},
                )
                import_batch.enqueue(batch.pk)
                messages.info(request, _("The file is being imported in the background; its outcome appears below."))
            else:
                batch = import_predictions(
                    data,
                    project=project,
                    format=fmt,
                    model_name=form.cleaned_data["model_name"],
                    user=request.user,
                    filename=name,
                    default_score=form.cleaned_data["default_score"],
                )
                messages.success(
                    request,
                    ngettext(
                        "%(count)s prediction imported as suggestions.",
                        "%(count)s predictions imported as suggestions.",
                        batch.count,
                    )
                    % {"count": batch.count},
                )
            return redirect("recommenders:predictions", project.pk)
        except PredictionImportError as exc:
            problems = exc.problems
    recommender = Recommender.objects.filter(project=project).first()
    return render(
        request,
        "recommenders/predictions.html",
        {
            "project": project,
            "form": form,
            "problems": problems,
            "batches": PredictionBatch.objects.filter(project=project).select_related("imported_by")[:50],
            "recommender": recommender,
            "stalled": recommender is not None and is_stalled(recommender),
            "builtin": BUILTIN_MODEL,
            "retrain_every": settings.HAMISH_RECOMMENDER_RETRAIN_EVERY,
        },
        status=422 if problems else 200,
    )


@require_POST
def train(request, project_id):
    project = _managed(request, project_id)
    if request_training(project, request.user):
        messages.success(request, _("The built-in recommender is training in the background."))
    else:
        messages.info(request, _("The built-in recommender is already queued or training; nothing more was queued."))
    return redirect("recommenders:predictions", project.pk)


@require_POST
def set_filter(request):
    form = FilterForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a model and a score from 0 to 1."), content_type="text/plain; charset=utf-8")
    article = get_article_for_reader(request.user, form.cleaned_data["article"])
    PredictionFilter.objects.update_or_create(
        user=request.user,
        defaults={"model_name": form.cleaned_data["model_name"].strip(), "min_score": form.cleaned_data["min_score"]},
    )
    return redirect(reverse("annotations:article", args=[article.pk]))
