"""The admin is for staff: a signed-in account without staff status gets 403 and a message on every
/admin/ page, instead of the admin's login form answering 200 as if it had not signed in. Anonymous
visitors still get the admin's login page (the admin's own redirect)."""

from django.shortcuts import render
from django.urls import reverse


class StaffOnlyAdminMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_staff and request.path.startswith(reverse("admin:index")):
            if request.path != reverse("admin:logout"):
                return render(request, "admin_denied.html", status=403)
        return self.get_response(request)
