"""The project switcher in every page's header: the user's projects and the one they work in."""

from django.utils.functional import SimpleLazyObject

from .models import Project
from .scope import ALL, CURRENT_PROJECT


class Switcher:
    def __init__(self, request):
        self.projects = list(Project.objects.for_member(request.user).only("pk", "name").order_by("name"))
        chosen = request.session.get(CURRENT_PROJECT)
        self.current = next((p for p in self.projects if p.pk == chosen), None)
        self.all = chosen == ALL or self.current is None


def project_switch(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    # Lazy: a page that does not draw the header (a fragment) costs no query.
    return {"project_switch": SimpleLazyObject(lambda: Switcher(request))}
