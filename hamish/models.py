"""What the project itself stores: failed logins, for rate limiting (in the database, so that every
gunicorn worker sees the same count)."""

from django.db import models


class FailedLogin(models.Model):
    # Written when a login attempt begins (hamish.login.begin_attempt), deleted if it succeeds.
    ip = models.GenericIPAddressField(null=True)
    # hamish.login.limit_key of the name typed (stripped, NFKC, casefolded), not the raw value: every
    # spelling the login form accepts for one account counts against that account's limit.
    username = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"]), models.Index(fields=["username", "at"])]
