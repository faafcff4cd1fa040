from django.urls import path

from kakehashi.ctf import streams, views
from kakehashi.ctf.pages import organiser, participant

app_name = "ctf"

urlpatterns = [
    path("files/<int:attachment_id>/<str:name>", views.attachment, name="attachment"),
    path("events/<slug:slug>/stream", streams.event_stream, name="stream"),
    *participant.urlpatterns,
    *organiser.urlpatterns,
]
