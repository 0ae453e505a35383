"""Per-user API tokens. The secret is shown once, when the token is made; only its SHA-256 is stored.

A token is 32 random bytes (256 bits), so an unsalted SHA-256 is enough: nobody can guess a secret from its hash,
and the hash is what the request's token is looked up by (one indexed query, no slow password hasher per call).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "hm_"  # makes a leaked token recognisable (secret scanners, logs)
PREFIX_LENGTH = 11  # "hm_" and 8 characters of the secret: what the token page and the audit log show


def hash_secret(secret):
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'nightly export script'.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, help_text="The secret's first characters, to tell tokens apart.")
    secret_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret, hex.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The rate limit's fixed window (see api.auth): when the current minute began and how many calls it has had.
    window_start = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def revoked(self):
        return self.revoked_at is not None

    @classmethod
    def issue(cls, *, user, name):
        """(token, secret): the secret exists only in this return value."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=secret[:PREFIX_LENGTH], secret_hash=hash_secret(secret))
        return token, secret

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
