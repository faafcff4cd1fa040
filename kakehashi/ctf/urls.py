from django.urls import path

from kakehashi.ctf import feeds, streams, views
from kakehashi.ctf.pages import organiser, participant, site_pages

app_name = "ctf"

urlpatterns = [
    path("files/<int:attachment_id>/<str:name>", views.attachment, name="attachment"),
    path("events/<slug:slug>/stream", streams.event_stream, name="stream"),
    path("events/<slug:slug>/ctftime.json", feeds.ctftime_feed, name="ctftime_feed"),
    *site_pages.urlpatterns,
    *participant.urlpatterns,
    *organiser.urlpatterns,
]
