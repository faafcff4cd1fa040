"""Entries of the audit log. They are written once and never changed or deleted: the model, its
query sets and (on PostgreSQL) a database trigger refuse it."""

from typing import Any, NoReturn

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from kakehashi.audit.choices import Action, Channel


class Immutable(Exception):
    """Raised on any attempt to change or delete an audit entry."""

    def __init__(self) -> None:
        super().__init__("audit log entries are never changed or deleted")


class EntryQuerySet(models.QuerySet["Entry"]):
    """Reading and inserting only: bulk changes and deletions are refused."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise Immutable()

    def delete(self) -> NoReturn:
        raise Immutable()

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        raise Immutable()

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise Immutable()


class Entry(models.Model):
    """One organiser or administrator action: who, when, what, on which object, before and after.

    The actor and the event are referenced without a database constraint and are never cleared:
    deleting an account or an event leaves the entry, its ids and its name snapshots as written.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor's name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    target_type = models.CharField(_("object type"), max_length=40, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=300, blank=True)
    event = models.ForeignKey(
        "ctf.Event",
        verbose_name=_("event"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    before = models.JSONField(_("before"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    source_address = models.GenericIPAddressField(_("source address"), null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ("-id",)  # ids grow with time; the newest entry first
        indexes = [
            models.Index(fields=["event", "-at"], name="audit_entry_event_at"),
            models.Index(fields=["actor", "-at"], name="audit_entry_actor_at"),
            models.Index(fields=["action", "-at"], name="audit_entry_action_at"),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Inserts a new entry; saving one that is already stored is refused."""
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise Immutable()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise Immutable()
