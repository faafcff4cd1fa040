"""In Japanese mode, the exercise pages show no English interface text — for participants,
organisers and judges alike, including forms, errors and empty states."""

import re
from zoneinfo import available_timezones

import pytest
from django.test import Client

from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.core.tests.test_japanese_pages import ALLOWED, english_words
from kakehashi.ctf.models import EventStaff, EventTranslation, Participant
from kakehashi.ctf.tests.factories import (
    ChallengeFactory,
    FlagFactory,
    HintFactory,
    HintTranslationFactory,
    ParticipantFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

# Data, not interface: a category code, user names, the flag format, slugs, and the IANA names
# of time zones offered in the zone pickers; "URL" is written so in Japanese too.
ZONE_WORDS = {word.lower() for zone in available_timezones() for word in re.findall(r"[A-Za-z]{2,}", zone)}
DATA_WORDS = {
    "web",
    "hana",
    "hana2",
    "flag",
    "kakehashi",
    "event",
    "md",
    "sha",
    "url",
    "bridge",
    "ctf",
    "example",
    "ac",
    "jp",
    "markdown",
    "ctfd",
} | ZONE_WORDS


@pytest.fixture
def player() -> Participant:
    team = TeamFactory.create(name="架け橋チーム")
    user = UserFactory.create(username="hana", display_name="山田 花", country="JP", preferred_language="ja")
    participant = ParticipantFactory.create(event=team.event, team=team, user=user)
    EventTranslation.objects.create(event=team.event, language_code="ja", name="日英演習", description="説明。")
    EventTranslation.objects.filter(event=team.event, language_code="en").update(name="日英演習")
    challenge = ChallengeFactory.create(event=team.event, category="web")
    FlagFactory.create(challenge=challenge)
    hint = HintFactory.create(challenge=challenge, cost=0, english=None)
    HintTranslationFactory.create(hint=hint, language_code="ja", content="よく見てください。")
    return participant


def words(client: Client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return english_words(response.content.decode(), ALLOWED | DATA_WORDS)


def test_participant_pages_have_no_english(client: Client, player: Participant) -> None:
    client.force_login(player.user)
    slug = player.event.slug
    challenge = player.event.challenges.get()
    for path in (
        "/",
        f"/events/{slug}/",
        f"/events/{slug}/challenges/",
        f"/events/{slug}/challenges/{challenge.pk}/",
        f"/events/{slug}/scoreboard/",
        f"/events/{slug}/teams/{player.team_id}/",
        "/users/hana/",
    ):
        assert words(client, path) == [], path


def test_participant_errors_and_empty_states_have_no_english(client: Client, player: Participant) -> None:
    client.force_login(player.user)
    slug = player.event.slug
    challenge = player.event.challenges.get()
    response = client.post(f"/events/{slug}/challenges/{challenge.pk}/flag/", {"flag": "wrong"}, follow=True)
    assert english_words(response.content.decode(), ALLOWED | DATA_WORDS) == []
    response = client.post(f"/events/{slug}/team/join/", {"invite_code": "nonsense"}, follow=True)
    assert english_words(response.content.decode(), ALLOWED | DATA_WORDS) == []


def test_organiser_and_judge_pages_have_no_english(client: Client, player: Participant) -> None:
    organiser = UserFactory.create(username="hana2", display_name="佐藤", preferred_language="ja", role="organiser")
    EventStaff.objects.create(event=player.event, user=organiser, role="organiser")
    client.force_login(organiser)
    slug = player.event.slug
    challenge = player.event.challenges.get()
    for path in (
        "/events/new/",
        f"/events/{slug}/manage/",
        f"/events/{slug}/manage/settings/",
        f"/events/{slug}/manage/challenges/new/",
        f"/events/{slug}/manage/challenges/{challenge.pk}/",
        f"/events/{slug}/manage/participants/",
        f"/events/{slug}/manage/submissions/",
        f"/events/{slug}/manage/awards/",
        f"/events/{slug}/manage/announcements/",
        f"/events/{slug}/judge/",
    ):
        assert words(client, path) == [], path
