"""What an analyst chooses for themselves: the interface language and how digits are written."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_language():
    # Read when a row is created, not at import: the deployment's (and the suite's) LANGUAGE_CODE.
    return settings.LANGUAGE_CODE


def language_choices():
    return settings.LANGUAGES


class Preference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference", verbose_name=_("user")
    )
    language = models.CharField(_("interface language"), max_length=8, choices=language_choices, default=default_language)
    # Only in the interface (counts, dates, page numbers), never in article text or character offsets.
    arabic_digits = models.BooleanField(
        _("Arabic-Indic digits"),
        default=False,
        help_text=_("Write numbers in the Arabic interface as ٠١٢٣٤٥٦٧٨٩ instead of 0123456789."),
    )

    class Meta:
        verbose_name = _("interface preference")
        verbose_name_plural = _("interface preferences")

    def __str__(self):
        return f"{self.user} · {self.language}"
