from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AwareDatetime

from kakehashi.audit.choices import Action
from kakehashi.audit.selectors import EntryFilter

ObjectId = Annotated[int, Field(ge=1, le=2**63 - 1)]
PAGE_LIMIT = 500


class EntryQuery(Schema):
    event_id: ObjectId | None = Field(None, description="Only entries about this event.")
    actor_id: ObjectId | None = Field(None, description="Only entries of this account.")
    action: Action | None = Field(None, description="Only this kind of action.")
    since: AwareDatetime | None = Field(None, description="At or after this time (with its time zone).")
    until: AwareDatetime | None = Field(None, description="Before this time (with its time zone).")
    before_id: ObjectId | None = Field(None, description="Older than this entry: the next page.")
    limit: int = Field(100, ge=1, le=PAGE_LIMIT)

    def filters(self) -> EntryFilter:
        return EntryFilter(
            event_id=self.event_id, actor_id=self.actor_id, action=self.action, since=self.since, until=self.until
        )


class EntryOut(Schema):
    id: int
    at: datetime
    actor_id: int | None = Field(..., description="The account's id when it acted (kept if the account is deleted).")
    actor_name: str = Field(..., description="The account's user name when it acted; empty for the command line.")
    action: str
    action_label: str = Field(..., description="The action in the requester's language.")
    target_type: str
    target_id: str
    target_label: str
    event_id: int | None
    channel: str
    source_address: str | None
    before: dict[str, Any] = Field(..., description="The values before the change (only those that changed).")
    after: dict[str, Any] = Field(..., description="The values after the change (only those that changed).")
