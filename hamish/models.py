"""What the project itself stores: failed logins, for rate limiting (in the database, so that every
gunicorn worker sees the same count)."""

from django.db import models


class FailedLogin(models.Model):
    ip = models.GenericIPAddressField(null=True)
    username = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"]), models.Index(fields=["username", "at"])]
