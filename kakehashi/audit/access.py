"""The only place that decides who may read the audit log.

Platform administrators read every entry. An event's organisers read the entries of the events
they organise (their co-organisers' actions and their own), nothing else. Judges, participants and
anonymous callers read nothing. Nobody may change or delete an entry, so there is nothing else to decide.
"""

from dataclasses import dataclass

from kakehashi.accounts.access import AnyUser, require_user
from kakehashi.accounts.models import User
from kakehashi.core.errors import PermissionDenied
from kakehashi.ctf.access import organised_event_ids


@dataclass(frozen=True)
class AuditScope:
    """Whose entries a reader sees: every entry (``event_ids`` is None) or those of these events."""

    reader: User
    event_ids: frozenset[int] | None

    @property
    def everything(self) -> bool:
        return self.event_ids is None


def access_audit(user: AnyUser) -> AuditScope:
    account = require_user(user)
    if account.is_platform_admin:
        return AuditScope(reader=account, event_ids=None)
    organised = organised_event_ids(account)
    if not organised:
        raise PermissionDenied()
    return AuditScope(reader=account, event_ids=organised)
