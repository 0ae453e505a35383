"""Fetch what a request names, scoped to the user: a project they are not in is 404, not 403 (its name is
not theirs to learn)."""

from django.shortcuts import get_object_or_404

from .models import Assignment, Project


def get_project_for_member(user, project_id):
    project = get_object_or_404(Project.objects.for_member(user), pk=project_id)
    project.role = project.role_of(user)
    return project


def get_assignment_for_member(user, assignment_id):
    return get_object_or_404(
        Assignment.objects.filter(project__in=Project.objects.for_member(user)).select_related("project", "article"),
        pk=assignment_id,
    )
