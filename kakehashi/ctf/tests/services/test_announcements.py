from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.core import live
from kakehashi.ctf.models import Announcement
from kakehashi.ctf.services.announcements import announcement_create
from kakehashi.ctf.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

BOTH = {
    "en": {"title": "Welcome", "body": "The event has **started**."},
    "ja": {"title": "ようこそ", "body": "イベントが**始まりました**。"},
}


def test_announcement_in_every_language_is_pushed(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    event = EventFactory.create()
    sent: list[tuple[str, str, dict[str, Any]]] = []
    monkeypatch.setattr(live, "publish", lambda channel, kind, data: sent.append((channel, kind, data)))
    with django_capture_on_commit_callbacks(execute=True):
        announcement = announcement_create(event=event, author=UserFactory.create(), translations=BOTH)
    assert announcement.text("title", "ja") == "ようこそ"
    channels = {channel for channel, kind, _data in sent if kind == "announcement"}
    assert channels == {f"event:{event.pk}:public", f"event:{event.pk}:staff"}
    assert sent[0][2]["texts"]["ja"]["body"] == "イベントが**始まりました**。"


@pytest.mark.parametrize(
    "translations",
    [
        {"en": BOTH["en"]},  # Japanese missing
        {"en": BOTH["en"], "ja": {"title": "ようこそ", "body": " "}},
        {**BOTH, "fr": {"title": "Bienvenue", "body": "x"}},
    ],
)
def test_incomplete_announcements_are_refused(translations: dict[str, dict[str, str]]) -> None:
    with pytest.raises(ValidationError):
        announcement_create(event=EventFactory.create(), author=UserFactory.create(), translations=translations)
    assert not Announcement.objects.exists()
