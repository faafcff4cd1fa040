from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kakehashi.audit.models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin[Entry]):
    """Read-only: entries can be looked at here, never added, changed or deleted."""

    list_display = ("at", "actor_name", "action", "target_type", "target_label", "event", "channel", "source_address")
    list_filter = ("action", "channel")
    search_fields = ("actor_name", "target_label")
    date_hierarchy = "at"
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
