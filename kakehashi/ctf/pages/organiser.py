"""Organiser and judge pages: the addresses. The views live in the ``organiser_*`` modules."""

from django.urls import URLPattern, path

from kakehashi.ctf.pages import (
    organiser_challenge_parts,
    organiser_challenges,
    organiser_dashboard,
    organiser_events,
    organiser_log,
    organiser_people,
)

MANAGE = "events/<slug:slug>/manage/"
CHALLENGE = MANAGE + "challenges/<int:challenge_id>/"

urlpatterns: list[URLPattern] = [
    path("events/new/", organiser_events.event_create, name="event_create"),
    path("events/<slug:slug>/judge/", organiser_dashboard.judge_view, name="judge"),
    path(MANAGE, organiser_dashboard.dashboard, name="manage"),
    path(MANAGE + "settings/", organiser_events.event_settings, name="manage_settings"),
    path(MANAGE + "settings/pause/", organiser_events.event_pause, name="manage_pause"),
    path(MANAGE + "settings/staff/", organiser_events.staff_add, name="manage_staff_add"),
    path(MANAGE + "settings/staff/<int:user_id>/remove/", organiser_events.staff_remove, name="manage_staff_remove"),
    path(MANAGE + "settings/brackets/", organiser_events.bracket_add, name="manage_bracket_add"),
    path(MANAGE + "preview/", organiser_challenges.markdown_preview, name="manage_preview"),
    path(MANAGE + "challenges/new/", organiser_challenges.challenge_new, name="manage_challenge_new"),
    path(CHALLENGE, organiser_challenges.challenge_edit, name="manage_challenge"),
    path(CHALLENGE + "publish/", organiser_challenges.challenge_publish, name="manage_challenge_publish"),
    path(CHALLENGE + "hide/", organiser_challenges.challenge_hide, name="manage_challenge_hide"),
    path(CHALLENGE + "flags/", organiser_challenge_parts.flag_add, name="manage_flag_add"),
    path(CHALLENGE + "flags/<int:flag_id>/", organiser_challenge_parts.flag_edit, name="manage_flag"),
    path(CHALLENGE + "flags/<int:flag_id>/delete/", organiser_challenge_parts.flag_delete, name="manage_flag_delete"),
    path(CHALLENGE + "hints/", organiser_challenge_parts.hint_add, name="manage_hint_add"),
    path(CHALLENGE + "hints/<int:hint_id>/", organiser_challenge_parts.hint_edit, name="manage_hint"),
    path(CHALLENGE + "hints/<int:hint_id>/delete/", organiser_challenge_parts.hint_delete, name="manage_hint_delete"),
    path(CHALLENGE + "attachments/", organiser_challenge_parts.attachment_add, name="manage_attachment_add"),
    path(
        CHALLENGE + "attachments/<int:attachment_id>/delete/",
        organiser_challenge_parts.attachment_delete,
        name="manage_attachment_delete",
    ),
    path(MANAGE + "participants/", organiser_people.participant_list, name="manage_participants"),
    path(
        MANAGE + "participants/<int:participant_id>/status/",
        organiser_people.participant_status,
        name="manage_participant_status",
    ),
    path(MANAGE + "participants/move/", organiser_people.participant_move, name="manage_participant_move"),
    path(MANAGE + "teams/<int:team_id>/visibility/", organiser_people.team_visibility, name="manage_team_visibility"),
    path(MANAGE + "teams/<int:team_id>/bracket/", organiser_people.team_bracket, name="manage_team_bracket"),
    path(MANAGE + "submissions/", organiser_log.submission_list, name="manage_submissions"),
    path(MANAGE + "awards/", organiser_log.award_list, name="manage_awards"),
    path(MANAGE + "awards/<int:award_id>/delete/", organiser_log.award_delete, name="manage_award_delete"),
    path(MANAGE + "announcements/", organiser_log.announcement_list, name="manage_announcements"),
    path(
        MANAGE + "announcements/<int:announcement_id>/delete/",
        organiser_log.announcement_delete,
        name="manage_announcement_delete",
    ),
]
