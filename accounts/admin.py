from django.contrib import admin

from .models import Preference


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "arabic_digits"]
    list_filter = ["language", "arabic_digits"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
