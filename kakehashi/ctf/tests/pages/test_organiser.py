"""Organiser and judge pages through Django's test client: who may see and do what, every flow
without JavaScript, translated service errors, and bounded query counts."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from kakehashi.accounts.models import User
from kakehashi.accounts.tests.factories import UserFactory
from kakehashi.ctf.models import (
    Announcement,
    Attachment,
    Award,
    Bracket,
    Challenge,
    Event,
    EventStaff,
    Flag,
    Hint,
    Participant,
    Submission,
)
from kakehashi.ctf.pages import organiser_charts, organiser_events
from kakehashi.ctf.pages.forms import to_utc
from kakehashi.ctf.tests.factories import (
    ChallengeFactory,
    EventFactory,
    EventTranslationFactory,
    ParticipantFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


# --- people and objects ----------------------------------------------------------------------


@pytest.fixture
def event() -> Event:
    event = EventFactory.create(slug="bridge")
    EventTranslationFactory.create(event=event, language_code="ja", name="ブリッジ")
    return event


def staff(event: Event, event_role: str, **kwargs: Any) -> User:
    user = UserFactory.create(**kwargs)
    EventStaff.objects.create(event=event, user=user, role=event_role)
    return user


@pytest.fixture
def organiser_user(event: Event) -> User:
    return staff(event, "organiser", role="organiser", username="olivia")


@pytest.fixture
def judge_user(event: Event) -> User:
    return staff(event, "judge", username="ken")


@pytest.fixture
def player(event: Event) -> Participant:
    return ParticipantFactory.create(event=event)


@pytest.fixture
def stranger() -> User:
    """An organiser, of another event."""
    return staff(EventFactory.create(), "organiser", role="organiser")


@pytest.fixture
def challenge(event: Event) -> Challenge:
    return ChallengeFactory.create(event=event, value=100)


@pytest.fixture
def as_organiser(client: Client, organiser_user: User) -> Client:
    client.force_login(organiser_user)
    return client


@pytest.fixture
def as_judge(client: Client, judge_user: User) -> Client:
    client.force_login(judge_user)
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- who may see what ------------------------------------------------------------------------

ORGANISER_PAGES = [
    "ctf:manage",
    "ctf:manage_settings",
    "ctf:manage_challenge_new",
    "ctf:manage_challenge",
    "ctf:manage_participants",
    "ctf:manage_awards",
    "ctf:manage_announcements",
]
JUDGE_PAGES = ["ctf:judge", "ctf:manage_submissions"]


def page_url(name: str, event: Event, challenge: Challenge) -> str:
    if name == "ctf:manage_challenge":
        return reverse(name, args=[event.slug, challenge.pk])
    return reverse(name, args=[event.slug])


@pytest.mark.parametrize("name", ORGANISER_PAGES + JUDGE_PAGES)
def test_an_organiser_sees_every_page(as_organiser: Client, event: Event, challenge: Challenge, name: str) -> None:
    response = as_organiser.get(page_url(name, event, challenge))
    assert response.status_code == 200
    assert 'aria-label="Event management"' in html(response)


@pytest.mark.parametrize("name", ORGANISER_PAGES + JUDGE_PAGES)
def test_an_administrator_organises_every_event(
    client: Client, admin_user: User, event: Event, challenge: Challenge, name: str
) -> None:
    client.force_login(admin_user)
    assert client.get(page_url(name, event, challenge)).status_code == 200


@pytest.mark.parametrize("name", ORGANISER_PAGES)
def test_a_judge_is_refused_the_organiser_pages(
    as_judge: Client, event: Event, challenge: Challenge, name: str
) -> None:
    response = as_judge.get(page_url(name, event, challenge))
    assert response.status_code == 403
    assert "You do not have permission to do that." in html(response)


@pytest.mark.parametrize("name", JUDGE_PAGES)
def test_a_judge_reads_the_judge_pages(as_judge: Client, event: Event, challenge: Challenge, name: str) -> None:
    response = as_judge.get(page_url(name, event, challenge))
    assert response.status_code == 200
    assert reverse("ctf:manage_settings", args=[event.slug]) not in html(response)  # no organiser navigation


@pytest.mark.parametrize("name", ORGANISER_PAGES + JUDGE_PAGES)
def test_a_participant_is_refused(
    client: Client, player: Participant, event: Event, challenge: Challenge, name: str
) -> None:
    client.force_login(player.user)
    assert client.get(page_url(name, event, challenge)).status_code == 403


@pytest.mark.parametrize("name", ORGANISER_PAGES + JUDGE_PAGES)
def test_an_organiser_of_another_event_is_refused(
    client: Client, stranger: User, event: Event, challenge: Challenge, name: str
) -> None:
    client.force_login(stranger)
    assert client.get(page_url(name, event, challenge)).status_code == 403


@pytest.mark.parametrize("name", ORGANISER_PAGES + JUDGE_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, event: Event, challenge: Challenge, name: str) -> None:
    target = page_url(name, event, challenge)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


def test_the_refusal_is_translated(client: Client, player: Participant, event: Event) -> None:
    client.force_login(player.user)
    response = client.get(reverse("ctf:manage", args=[event.slug]), HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 403
    assert "この操作を行う権限がありません。" in html(response)


def test_an_unknown_event_is_not_found(as_organiser: Client) -> None:
    assert as_organiser.get(reverse("ctf:manage", args=["nowhere"])).status_code == 404


def test_a_challenge_of_another_event_is_not_found(as_organiser: Client, event: Event, stranger: User) -> None:
    elsewhere = ChallengeFactory.create()
    mine = reverse("ctf:manage_challenge", args=[event.slug, elsewhere.pk])
    assert as_organiser.get(mine).status_code == 404
    assert as_organiser.post(mine + "publish/", {"state": "visible"}).status_code == 404


def test_objects_of_another_event_are_not_found(as_organiser: Client, event: Event, challenge: Challenge) -> None:
    other = ChallengeFactory.create()
    flag = Flag.objects.create(challenge=other, kind="static", content="flag{x}")
    other_player = ParticipantFactory.create(event=other.event)
    assert other_player.team is not None
    award = Award.objects.create(
        event=other.event, team=other_player.team, value=5, reason="r", created_at=timezone.now()
    )
    urls = [
        reverse("ctf:manage_flag_delete", args=[event.slug, challenge.pk, flag.pk]),
        reverse("ctf:manage_participant_status", args=[event.slug, other_player.pk]),
        reverse("ctf:manage_team_visibility", args=[event.slug, other_player.team_id]),
        reverse("ctf:manage_award_delete", args=[event.slug, award.pk]),
    ]
    for url in urls:
        assert as_organiser.post(url, {"status": "banned", "banned": "1"}).status_code == 404, url
    assert Flag.objects.filter(pk=flag.pk).exists()
    assert Award.objects.filter(pk=award.pk).exists()
    other_player.refresh_from_db()
    assert other_player.status == "approved"


def test_a_judge_cannot_post_anything(
    as_judge: Client, event: Event, challenge: Challenge, player: Participant
) -> None:
    slug, pk = event.slug, challenge.pk
    flag = Flag.objects.create(challenge=challenge, kind="static", content="flag{x}")
    posts = [
        reverse("ctf:manage_settings", args=[slug]),
        reverse("ctf:manage_pause", args=[slug]),
        reverse("ctf:manage_staff_add", args=[slug]),
        reverse("ctf:manage_bracket_add", args=[slug]),
        reverse("ctf:manage_preview", args=[slug]),
        reverse("ctf:manage_challenge_new", args=[slug]),
        reverse("ctf:manage_challenge", args=[slug, pk]),
        reverse("ctf:manage_challenge_publish", args=[slug, pk]),
        reverse("ctf:manage_challenge_hide", args=[slug, pk]),
        reverse("ctf:manage_flag_add", args=[slug, pk]),
        reverse("ctf:manage_flag", args=[slug, pk, flag.pk]),
        reverse("ctf:manage_flag_delete", args=[slug, pk, flag.pk]),
        reverse("ctf:manage_hint_add", args=[slug, pk]),
        reverse("ctf:manage_attachment_add", args=[slug, pk]),
        reverse("ctf:manage_participant_status", args=[slug, player.pk]),
        reverse("ctf:manage_participant_move", args=[slug]),
        reverse("ctf:manage_team_visibility", args=[slug, player.team_id]),
        reverse("ctf:manage_team_bracket", args=[slug, player.team_id]),
        reverse("ctf:manage_awards", args=[slug]),
        reverse("ctf:manage_announcements", args=[slug]),
    ]
    for url in posts:
        response = as_judge.post(url, {"paused": "1", "status": "banned", "hidden": "1", "text": "x"})
        assert response.status_code == 403, url
    event.refresh_from_db()
    player.refresh_from_db()
    assert not event.paused
    assert player.status == "approved"
    assert Flag.objects.filter(pk=flag.pk).exists()
    assert not Award.objects.exists()


def test_the_read_only_pages_refuse_writes(as_organiser: Client, event: Event) -> None:
    for name in ("ctf:judge", "ctf:manage_submissions", "ctf:manage_participants", "ctf:manage"):
        assert as_organiser.post(reverse(name, args=[event.slug])).status_code == 405


# --- creating an event -----------------------------------------------------------------------


def event_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "slug": "tokyo-2026",
        "name_en": "Tokyo exercise",
        "name_ja": "東京演習",
        "description_en": "Hello **world**.",
        "description_ja": "こんにちは。",
        "languages": ["en", "ja"],
        "time_zone": "Asia/Tokyo",
        "starts_at": "2026-04-01T09:00",
        "ends_at": "2026-04-02T18:00",
        "freeze_at": "2026-04-02T17:00",
        "mode": "team",
        "team_size_limit": "4",
        "registration": "invite",
        "invite_code": "bridge",
        "allowed_email_domains": "",
        "scoreboard_visibility": "public",
        "wrong_attempts_per_minute": "10",
        "first_blood": "30",
        "second_blood": "20",
        "third_blood": "",
        "generated_flag_format": "flag{%s}",
    }
    return data | overrides


@pytest.fixture
def creator(client: Client) -> User:
    user = UserFactory.create(role="organiser", time_zone="Asia/Tokyo")
    client.force_login(user)
    return user


def test_events_new_is_the_organisers_page() -> None:
    assert reverse("ctf:event_create") == "/events/new/"
    assert resolve("/events/new/").func is organiser_events.event_create


def test_the_create_form_offers_the_time_zones(client: Client, creator: User) -> None:
    response = client.get(reverse("ctf:event_create"))
    assert response.status_code == 200
    page = html(response)
    for zone in ("Europe/London", "Asia/Tokyo", "UTC", "America/New_York"):
        assert f'value="{zone}"' in page
    assert '<option value="Asia/Tokyo" selected>' in page  # the creator's own zone
    assert 'lang="ja"' in page  # Japanese inputs are marked as Japanese


def test_create_an_event_in_a_chosen_time_zone(client: Client, creator: User) -> None:
    response = client.post(reverse("ctf:event_create"), event_data())
    assert response.status_code == 302
    event = Event.objects.get(slug="tokyo-2026")
    assert response["Location"] == reverse("ctf:manage", args=[event.slug])
    assert event.starts_at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
    assert event.ends_at == datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
    assert event.freeze_at == datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
    assert event.text("name", "ja") == "東京演習"
    assert event.text("description", "en") == "Hello **world**."
    assert list(event.blood_bonuses) == [30, 20]
    assert event.team_size_limit == 4
    assert event.invite_code == "bridge"
    assert EventStaff.objects.filter(event=event, user=creator, role="organiser").exists()


def test_london_times_follow_summer_time(client: Client, creator: User) -> None:
    data = event_data(time_zone="Europe/London", starts_at="2026-07-01T10:00", ends_at="2026-07-01T18:00", freeze_at="")
    assert client.post(reverse("ctf:event_create"), data).status_code == 302
    event = Event.objects.get(slug="tokyo-2026")
    assert event.starts_at == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # BST is UTC+1
    assert event.freeze_at is None


def test_a_time_the_clocks_skip_is_refused(client: Client, creator: User) -> None:
    data = event_data(time_zone="Europe/London", starts_at="2026-03-29T01:30", freeze_at="")
    response = client.post(reverse("ctf:event_create"), data)
    assert response.status_code == 400
    assert "This time does not exist in the chosen time zone" in html(response)
    assert not Event.objects.exists()


def test_service_errors_show_on_the_form(client: Client, creator: User) -> None:
    data = event_data(ends_at="2026-03-31T09:00", invite_code="", registration="invite")
    response = client.post(reverse("ctf:event_create"), data, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 400
    page = html(response)
    assert "終了日時は開始日時より後にしてください。" in page
    assert "参加登録時に入力する招待コードを指定してください。" in page


def test_bonuses_are_given_in_order(client: Client, creator: User) -> None:
    response = client.post(reverse("ctf:event_create"), event_data(first_blood="", second_blood="10"))
    assert response.status_code == 400
    assert "Fill in the bonuses in order" in html(response)


@pytest.mark.parametrize("role", ["participant", "judge"])
def test_only_organisers_create_events(client: Client, role: str) -> None:
    client.force_login(UserFactory.create(role=role))
    assert client.get(reverse("ctf:event_create")).status_code == 403
    assert client.post(reverse("ctf:event_create"), event_data()).status_code == 403
    assert not Event.objects.exists()


def test_anonymous_visitors_sign_in_before_creating(client: Client) -> None:
    response = client.get(reverse("ctf:event_create"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def wall_clock(text: str) -> datetime:
    """A time as typed on a form: no zone yet."""
    return datetime.fromisoformat(text)


def test_zone_conversion_is_pure() -> None:
    assert to_utc(wall_clock("2026-01-15T09:00"), "Asia/Tokyo") == datetime(2026, 1, 15, 0, 0, tzinfo=UTC)
    assert to_utc(wall_clock("2026-03-29T01:30"), "Europe/London") is None  # skipped by the clocks
    # 01:30 on 25 October 2026 happens twice in London: the first one (BST) is taken.
    assert to_utc(wall_clock("2026-10-25T01:30"), "Europe/London") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


# --- settings --------------------------------------------------------------------------------


def test_change_the_settings(as_organiser: Client, event: Event) -> None:
    data = event_data(slug=event.slug, registration="domain", allowed_email_domains="example.ac.jp\n@Example.co.uk")
    response = as_organiser.post(reverse("ctf:manage_settings", args=[event.slug]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.starts_at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    assert list(event.allowed_email_domains) == ["example.ac.jp", "example.co.uk"]
    assert event.text("name", "ja") == "東京演習"


def test_the_settings_form_shows_the_saved_values(as_organiser: Client, event: Event) -> None:
    page = html(as_organiser.get(reverse("ctf:manage_settings", args=[event.slug])))
    assert 'value="ブリッジ"' in page
    assert 'name="starts_at"' in page
    assert "Europe/London" in page


def test_pause_and_resume(as_organiser: Client, event: Event) -> None:
    url = reverse("ctf:manage_pause", args=[event.slug])
    assert as_organiser.post(url, {"paused": "1"}).status_code == 302
    event.refresh_from_db()
    assert event.paused
    as_organiser.post(url, {"paused": "0"})
    event.refresh_from_db()
    assert not event.paused


def test_add_and_remove_staff(as_organiser: Client, event: Event) -> None:
    judge = UserFactory.create(username="ken")
    url = reverse("ctf:manage_staff_add", args=[event.slug])
    assert as_organiser.post(url, {"username": "KEN", "role": "judge"}).status_code == 302
    assert EventStaff.objects.get(event=event, user=judge).role == "judge"
    response = as_organiser.post(url, {"username": "nobody", "role": "judge"})
    assert response.status_code == 400
    assert "No active account has this user name." in html(response)
    remove = reverse("ctf:manage_staff_remove", args=[event.slug, judge.pk])
    assert as_organiser.post(remove).status_code == 302
    assert not EventStaff.objects.filter(event=event, user=judge).exists()


def test_the_last_organiser_stays(as_organiser: Client, event: Event, organiser_user: User) -> None:
    response = as_organiser.post(reverse("ctf:manage_staff_remove", args=[event.slug, organiser_user.pk]), follow=True)
    assert "An event needs at least one organiser." in messages_of(response)
    assert EventStaff.objects.filter(event=event, user=organiser_user).exists()


def test_add_a_bracket_in_both_languages(as_organiser: Client, event: Event) -> None:
    url = reverse("ctf:manage_bracket_add", args=[event.slug])
    data = {"slug": "students", "name_en": "Students", "name_ja": "学生"}
    assert as_organiser.post(url, data).status_code == 302
    bracket = Bracket.objects.get(event=event, slug="students")
    assert bracket.text("name", "ja") == "学生"
    again = as_organiser.post(url, data)
    assert again.status_code == 400
    assert "This event already has a bracket with this short name." in html(again)


# --- authoring a challenge -------------------------------------------------------------------


def challenge_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "action": "save",
        "title_en": "Lost in translation",
        "description_en": "Find the **flag**.",
        "connection_info_en": "nc ctf.example 1337",
        "title_ja": "",
        "description_ja": "",
        "connection_info_ja": "",
        "category": "crypto",
        "tags": "beginner, bilingual , beginner",
        "difficulty": "2",
        "author": "Olivia",
        "function": "linear",
        "value": "500",
        "minimum": "100",
        "decay": "20",
        "max_attempts": "0",
        "time_zone": "Asia/Tokyo",
        "release_at": "",
    }
    return data | overrides


def test_author_a_challenge_in_both_languages(as_organiser: Client, event: Event) -> None:
    response = as_organiser.post(reverse("ctf:manage_challenge_new", args=[event.slug]), challenge_data())
    assert response.status_code == 302
    challenge = Challenge.objects.get(event=event)
    assert response["Location"] == reverse("ctf:manage_challenge", args=[event.slug, challenge.pk])
    assert challenge.state == "hidden"
    assert challenge.function == "linear"
    assert [tag.value for tag in challenge.tags.all()] == ["beginner", "bilingual"]
    assert set(challenge.translation_map()) == {"en"}

    japanese = {"title_ja": "翻訳の迷子", "description_ja": "**フラグ**を探してください。"}
    data = challenge_data(**japanese, release_at="2026-05-01T10:00")
    response = as_organiser.post(reverse("ctf:manage_challenge", args=[event.slug, challenge.pk]), data)
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.text("title", "ja") == "翻訳の迷子"
    assert challenge.release_at == datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
    page = html(as_organiser.get(response["Location"]))
    assert "<strong>フラグ</strong>" in page  # the saved description's preview
    assert 'value="翻訳の迷子"' in page


def test_a_language_with_text_needs_its_title(as_organiser: Client, event: Event) -> None:
    data = challenge_data(description_ja="説明だけ")
    response = as_organiser.post(reverse("ctf:manage_challenge_new", args=[event.slug]), data)
    assert response.status_code == 400
    assert "Give the title in this language too." in html(response)
    assert not Challenge.objects.exists()


def test_the_preview_button_works_without_javascript(as_organiser: Client, event: Event) -> None:
    data = challenge_data(action="preview", description_ja="# 見出し\n<script>alert(1)</script>")
    response = as_organiser.post(reverse("ctf:manage_challenge_new", args=[event.slug]), data)
    assert response.status_code == 200
    page = html(response)
    assert "<h1>見出し</h1>" in page
    assert "<script>alert(1)</script>" not in page
    assert not Challenge.objects.exists()


def test_prerequisites_are_chosen_from_the_event(as_organiser: Client, event: Event, challenge: Challenge) -> None:
    elsewhere = ChallengeFactory.create()
    url = reverse("ctf:manage_challenge_new", args=[event.slug])
    response = as_organiser.post(url, challenge_data(prerequisites=[str(elsewhere.pk)]))
    assert response.status_code == 400
    assert as_organiser.post(url, challenge_data(prerequisites=[str(challenge.pk)])).status_code == 302
    created = Challenge.objects.exclude(pk=challenge.pk).get(event=event)
    assert list(created.prerequisites.all()) == [challenge]


def test_add_edit_and_delete_a_flag(as_organiser: Client, event: Event, challenge: Challenge) -> None:
    slug, pk = event.slug, challenge.pk
    data = {"new-flag-kind": "regex", "new-flag-content": r"flag\{[a-z]+\}", "new-flag-case_insensitive": "on"}
    assert as_organiser.post(reverse("ctf:manage_flag_add", args=[slug, pk]), data).status_code == 302
    flag = Flag.objects.get(challenge=challenge)
    assert (flag.kind, flag.case_insensitive) == ("regex", True)
    bad = as_organiser.post(
        reverse("ctf:manage_flag", args=[slug, pk, flag.pk]),
        {f"flag-{flag.pk}-kind": "regex", f"flag-{flag.pk}-content": "(a)\\1"},
    )
    assert bad.status_code == 400
    assert "back-references" in html(bad)
    good = {f"flag-{flag.pk}-kind": "static", f"flag-{flag.pk}-content": "flag{x}"}
    assert as_organiser.post(reverse("ctf:manage_flag", args=[slug, pk, flag.pk]), good).status_code == 302
    flag.refresh_from_db()
    assert (flag.kind, flag.content, flag.case_insensitive) == ("static", "flag{x}", False)
    assert as_organiser.post(reverse("ctf:manage_flag_delete", args=[slug, pk, flag.pk])).status_code == 302
    assert not Flag.objects.exists()


def test_add_edit_and_delete_a_hint(as_organiser: Client, event: Event, challenge: Challenge) -> None:
    slug, pk = event.slug, challenge.pk
    data = {"new-hint-cost": "25", "new-hint-content_en": "Look at the *date*.", "new-hint-content_ja": "日付を見て。"}
    assert as_organiser.post(reverse("ctf:manage_hint_add", args=[slug, pk]), data).status_code == 302
    hint = Hint.objects.get(challenge=challenge)
    assert hint.cost == 25
    assert hint.text("content", "ja") == "日付を見て。"
    edit = {f"hint-{hint.pk}-cost": "5", f"hint-{hint.pk}-content_en": "Dates.", f"hint-{hint.pk}-content_ja": ""}
    refused = as_organiser.post(reverse("ctf:manage_hint", args=[slug, pk, hint.pk]), edit)
    assert refused.status_code == 400  # a language cannot be emptied
    edit[f"hint-{hint.pk}-content_ja"] = "日付。"
    assert as_organiser.post(reverse("ctf:manage_hint", args=[slug, pk, hint.pk]), edit).status_code == 302
    hint.refresh_from_db()
    assert hint.cost == 5
    assert as_organiser.post(reverse("ctf:manage_hint_delete", args=[slug, pk, hint.pk])).status_code == 302
    assert not Hint.objects.exists()


def test_upload_list_and_delete_an_attachment(
    as_organiser: Client, event: Event, challenge: Challenge, django_capture_on_commit_callbacks: OnCommit
) -> None:
    slug, pk = event.slug, challenge.pk
    upload = SimpleUploadedFile("capture.pcap", b"\x00\x01kakehashi", content_type="application/octet-stream")
    response = as_organiser.post(reverse("ctf:manage_attachment_add", args=[slug, pk]), {"file": upload})
    assert response.status_code == 302
    attachment = Attachment.objects.get(challenge=challenge)
    assert attachment.size == 11
    page = html(as_organiser.get(reverse("ctf:manage_challenge", args=[slug, pk])))
    assert attachment.sha256 in page
    assert "capture.pcap" in page
    assert "11" in page
    with django_capture_on_commit_callbacks(execute=True):
        delete = reverse("ctf:manage_attachment_delete", args=[slug, pk, attachment.pk])
        assert as_organiser.post(delete).status_code == 302
    assert not Attachment.objects.exists()


def test_an_upload_without_a_file_is_refused(as_organiser: Client, event: Event, challenge: Challenge) -> None:
    response = as_organiser.post(reverse("ctf:manage_attachment_add", args=[event.slug, challenge.pk]), {})
    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_publishing_waits_for_japanese_unless_a_reason_is_given(as_organiser: Client, event: Event) -> None:
    as_organiser.post(reverse("ctf:manage_challenge_new", args=[event.slug]), challenge_data())
    challenge = Challenge.objects.get(event=event)
    url = reverse("ctf:manage_challenge_publish", args=[event.slug, challenge.pk])

    refused = as_organiser.post(url, {"state": "visible"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert refused.status_code == 400
    assert "問題を公開するには" in html(refused)
    assert "不足している言語：ja" in html(refused)
    challenge.refresh_from_db()
    assert challenge.state == "hidden"

    reason = "The Japanese text follows at 10:00."
    allowed = as_organiser.post(url, {"state": "visible", "override_reason": reason})
    assert allowed.status_code == 302
    challenge.refresh_from_db()
    assert challenge.state == "visible"
    assert challenge.publish_override_reason == reason
    page = html(as_organiser.get(reverse("ctf:manage_challenge", args=[event.slug, challenge.pk])))
    assert reason in page

    hide = reverse("ctf:manage_challenge_hide", args=[event.slug, challenge.pk])
    assert as_organiser.post(hide).status_code == 302
    challenge.refresh_from_db()
    assert challenge.state == "hidden"


def test_a_complete_challenge_publishes_without_a_reason(
    as_organiser: Client, event: Event, challenge: Challenge
) -> None:
    challenge.state = "hidden"
    challenge.save()
    url = reverse("ctf:manage_challenge_publish", args=[event.slug, challenge.pk])
    assert as_organiser.post(url, {"state": "locked"}).status_code == 302
    challenge.refresh_from_db()
    assert (challenge.state, challenge.publish_override_reason) == ("locked", "")


def test_the_markdown_preview_is_sanitised_and_needs_the_csrf_token(event: Event, organiser_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser_user)
    url = reverse("ctf:manage_preview", args=[event.slug])
    assert client.post(url, {"text": "x"}).status_code == 403  # no token
    client.get(reverse("ctf:manage_challenge_new", args=[event.slug]))
    token = client.cookies["kakehashi_csrftoken"].value
    text = "**橋** <img src=x onerror=alert(1)> [a](javascript:alert(1))"
    response = client.post(url, {"text": text}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    rendered = response.json()["html"]
    assert "<strong>橋</strong>" in rendered
    assert "<img" not in rendered  # raw HTML is shown as text, never parsed
    assert 'href="javascript' not in rendered


def test_the_preview_is_for_organisers_only(client: Client, event: Event, judge_user: User) -> None:
    url = reverse("ctf:manage_preview", args=[event.slug])
    assert client.post(url, {"text": "x"}).status_code == 302
    client.force_login(judge_user)
    assert client.post(url, {"text": "x"}).status_code == 403
    assert client.get(url).status_code == 405


# --- participants and teams ------------------------------------------------------------------


def test_approve_and_ban_participants(as_organiser: Client, event: Event) -> None:
    pending = ParticipantFactory.create(event=event, status="pending", team=None)
    list_page = html(as_organiser.get(reverse("ctf:manage_participants", args=[event.slug]) + "?status=pending"))
    assert pending.user.username in list_page
    url = reverse("ctf:manage_participant_status", args=[event.slug, pending.pk])
    response = as_organiser.post(url, {"status": "approved", "filter": "pending"})
    assert response.status_code == 302
    assert response["Location"].endswith("?status=pending#participants")
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert as_organiser.post(url, {"status": "banned"}).status_code == 302
    pending.refresh_from_db()
    assert pending.status == "banned"
    assert as_organiser.post(url, {"status": "pending"}).status_code == 400


def test_hide_ban_and_place_teams(as_organiser: Client, event: Event, player: Participant) -> None:
    team = player.team
    assert team is not None
    url = reverse("ctf:manage_team_visibility", args=[event.slug, team.pk])
    as_organiser.post(url, {"hidden": "1"})
    as_organiser.post(url, {"banned": "1"})
    team.refresh_from_db()
    assert (team.hidden, team.banned) == (True, True)
    as_organiser.post(url, {"hidden": "0"})
    team.refresh_from_db()
    assert (team.hidden, team.banned) == (False, True)
    bracket = Bracket.objects.create(event=event, slug="students")
    bracket_url = reverse("ctf:manage_team_bracket", args=[event.slug, team.pk])
    assert as_organiser.post(bracket_url, {f"team-{team.pk}-bracket": str(bracket.pk)}).status_code == 302
    team.refresh_from_db()
    assert team.bracket == bracket
    other = Bracket.objects.create(event=EventFactory.create(), slug="other")
    assert as_organiser.post(bracket_url, {f"team-{team.pk}-bracket": str(other.pk)}).status_code == 400


def test_move_a_participant_to_another_team(as_organiser: Client, event: Event, player: Participant) -> None:
    target = TeamFactory.create(event=event, name="Setouchi")
    url = reverse("ctf:manage_participant_move", args=[event.slug])
    response = as_organiser.post(url, {"participant": player.pk, "team": target.pk})
    assert response.status_code == 302
    player.refresh_from_db()
    assert player.team == target
    foreign = TeamFactory.create()
    assert as_organiser.post(url, {"participant": player.pk, "team": foreign.pk}).status_code == 400


# --- submissions, awards, announcements ------------------------------------------------------


def submit(participant: Participant, challenge: Challenge, result: str, minutes_ago: int = 0) -> Submission:
    assert participant.team is not None
    return Submission.objects.create(
        event=challenge.event, challenge=challenge, team=participant.team, user=participant.user,
        provided="flag{guess}", result=result, created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )  # fmt: skip


def test_filter_and_page_the_submission_log(as_judge: Client, event: Event, challenge: Challenge) -> None:
    alice = ParticipantFactory.create(event=event)
    bob = ParticipantFactory.create(event=event)
    for index in range(55):
        submit(alice, challenge, "incorrect", minutes_ago=index)
    right = submit(bob, challenge, "correct")
    url = reverse("ctf:manage_submissions", args=[event.slug])

    correct = as_judge.get(url, {"result": "correct"})
    assert [s.pk for s in correct.context["submissions"]] == [right.pk]

    by_team = as_judge.get(url, {"team": str(bob.team_id)})
    assert [s.pk for s in by_team.context["submissions"]] == [right.pk]
    by_user = as_judge.get(url, {"user": str(alice.user_id)})
    assert len(by_user.context["submissions"]) == 50
    assert by_user.context["older"]
    older = as_judge.get(url + "?" + by_user.context["older"])
    assert len(older.context["submissions"]) == 5
    assert all(s.user_id == alice.user_id for s in older.context["submissions"])

    by_challenge = as_judge.get(url, {"challenge": str(challenge.pk), "result": "incorrect"})
    assert len(by_challenge.context["submissions"]) == 50
    unknown = as_judge.get(url, {"team": str(TeamFactory.create().pk)})
    assert unknown.status_code == 400
    assert unknown.context["submissions"] == []


def test_give_and_delete_an_award(
    as_organiser: Client, event: Event, player: Participant, django_capture_on_commit_callbacks: OnCommit
) -> None:
    url = reverse("ctf:manage_awards", args=[event.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_organiser.post(url, {"team": player.team_id, "value": "-50", "reason": "Shared a flag"})
    assert response.status_code == 302
    award = Award.objects.get(event=event)
    assert (award.value, award.reason) == (-50, "Shared a flag")
    assert "Shared a flag" in html(as_organiser.get(url))
    zero = as_organiser.post(url, {"team": player.team_id, "value": "0", "reason": "Nothing"})
    assert zero.status_code == 400
    assert "An award must add or take away at least one point." in html(zero)
    with django_capture_on_commit_callbacks(execute=True):
        as_organiser.post(reverse("ctf:manage_award_delete", args=[event.slug, award.pk]))
    assert not Award.objects.exists()


def test_post_an_announcement_in_both_languages(
    as_organiser: Client, event: Event, django_capture_on_commit_callbacks: OnCommit
) -> None:
    url = reverse("ctf:manage_announcements", args=[event.slug])
    texts = {"title_en": "Break", "body_en": "Lunch at *noon*.", "title_ja": "休憩", "body_ja": "正午に昼食です。"}
    with django_capture_on_commit_callbacks(execute=True):
        response = as_organiser.post(url, {"action": "publish", **texts})
    assert response.status_code == 302
    announcement = Announcement.objects.get(event=event)
    assert announcement.text("title", "ja") == "休憩"
    assert "Lunch at <em>noon</em>." in html(as_organiser.get(url))


def test_an_announcement_needs_every_language(as_organiser: Client, event: Event) -> None:
    url = reverse("ctf:manage_announcements", args=[event.slug])
    response = as_organiser.post(url, {"action": "publish", "title_en": "Break", "body_en": "Lunch."})
    assert response.status_code == 400
    assert not Announcement.objects.exists()


def test_an_announcement_preview_keeps_the_text(as_organiser: Client, event: Event) -> None:
    url = reverse("ctf:manage_announcements", args=[event.slug])
    response = as_organiser.post(url, {"action": "preview", "title_ja": "休憩", "body_ja": "**正午**"})
    assert response.status_code == 200
    page = html(response)
    assert "<strong>正午</strong>" in page
    assert 'value="休憩"' in page
    assert not Announcement.objects.exists()


# --- dashboard, judges' view, query counts ---------------------------------------------------


def test_the_dashboard_shows_figures_completeness_and_sharing(
    as_organiser: Client, event: Event, challenge: Challenge
) -> None:
    english_only = ChallengeFactory.create(event=event, japanese=None, state="hidden")
    alice = ParticipantFactory.create(event=event)
    bob = ParticipantFactory.create(event=event)
    ParticipantFactory.create(event=event, status="pending", team=None)
    submit(alice, challenge, "correct", minutes_ago=3)
    shared = submit(bob, challenge, "incorrect", minutes_ago=1)
    shared.shared_from = alice.team
    shared.save()
    response = as_organiser.get(reverse("ctf:manage", args=[event.slug]))
    context = response.context
    assert (context["participants"], context["pending"], context["teams"]) == (3, 1, 2)
    rows = {row.challenge.pk: row for row in context["rows"]}
    assert rows[challenge.pk].complete
    missing = {state.code: state.missing for state in rows[english_only.pk].languages}
    assert missing == {"en": (), "ja": ("Title", "Description")}
    assert context["incomplete"] == 1
    assert sum(bucket[1] for bucket in context["minutes"].rows) == 2
    assert [s.pk for s in context["sharing"]] == [shared.pk]
    page = html(response)
    assert "<svg" in page
    assert 'class="chart-bar"' in page
    assert reverse("ctf:manage_challenge", args=[event.slug, english_only.pk]) in page


def test_the_judges_view_is_read_only(as_judge: Client, event: Event, challenge: Challenge) -> None:
    alice = ParticipantFactory.create(event=event)
    submit(alice, challenge, "incorrect")
    page = html(as_judge.get(reverse("ctf:judge", args=[event.slug])))
    assert "flag{guess}" in page
    assert 'method="post"' not in page.split('id="main"')[1]  # only the site header has forms


def fill(event: Event, size: int) -> None:
    for index in range(size):
        challenge = ChallengeFactory.create(event=event)
        Hint.objects.create(challenge=challenge, cost=index)
        member = ParticipantFactory.create(event=event)
        submit(member, challenge, "correct" if index % 2 else "incorrect")
        Flag.objects.create(challenge=challenge, kind="static", content="flag{x}")


@pytest.mark.parametrize(
    ("name", "client_fixture"),
    [("ctf:manage", "as_organiser"), ("ctf:manage_submissions", "as_judge"), ("ctf:judge", "as_judge")],
)
def test_query_counts_do_not_grow_with_the_event(
    request: pytest.FixtureRequest, event: Event, name: str, client_fixture: str, django_assert_max_num_queries: Any
) -> None:
    client: Client = request.getfixturevalue(client_fixture)
    url = reverse(name, args=[event.slug])
    fill(event, 2)
    client.get(url)  # the standings are computed and cached once
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    fill(event, 12)
    client.get(url)
    with django_assert_max_num_queries(20) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_challenge_editor_has_a_bounded_query_count(
    as_organiser: Client, event: Event, challenge: Challenge, django_assert_max_num_queries: Any
) -> None:
    fill(event, 10)
    with django_assert_max_num_queries(20):
        assert as_organiser.get(reverse("ctf:manage_challenge", args=[event.slug, challenge.pk])).status_code == 200


# --- the charts ------------------------------------------------------------------------------


def test_charts_scale_to_the_largest_value() -> None:
    bars = [organiser_charts.Bar(total=4, part=1, title="a"), organiser_charts.Bar(total=0, part=0, title="<b>")]
    svg = str(organiser_charts.bar_chart(bars, caption_id="c"))
    assert 'height="96.00"' in svg  # the tallest bar fills the drawing, less the top margin
    assert "&lt;b&gt;" in svg
    assert 'aria-labelledby="c"' in svg
    line = str(organiser_charts.step_chart([0, 2, 4], caption_id="d"))
    assert "polyline" in line
    assert str(organiser_charts.bar_chart([], caption_id="e")).startswith("<svg")
