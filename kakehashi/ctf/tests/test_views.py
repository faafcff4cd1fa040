import pytest
from django.core.files.base import ContentFile
from django.test import Client

from kakehashi.ctf.models import Attachment
from kakehashi.ctf.tests.factories import ChallengeFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

HOSTILE_FILES = {
    "page.html": (b"<script>parent.__xss=1</script>", "text/html"),
    "image.svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
    "notes.txt": (b"<html><script>alert(1)</script>", "text/plain"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_uploaded_markup_is_downloaded_and_sandboxed(client: Client, name: str) -> None:
    player = ParticipantFactory.create()
    challenge = ChallengeFactory.create(event=player.event)
    content, content_type = HOSTILE_FILES[name]
    attachment = Attachment(challenge=challenge, name=name, sha256="0" * 64, size=len(content))
    attachment.file.save(name, ContentFile(content), save=True)
    client.force_login(player.user)
    response = client.get(f"/files/{attachment.pk}/{name}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith(content_type)
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert {"default-src 'none'", "sandbox", "frame-ancestors 'none'"} <= set(policy)
    assert b"".join(response.streaming_content) == content  # type: ignore[attr-defined]
