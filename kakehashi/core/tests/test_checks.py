from typing import Any

from kakehashi.core import checks


def test_mail_without_an_smtp_host_is_a_deploy_warning(settings: Any) -> None:
    settings.EMAIL_HOST = ""
    assert [message.id for message in checks.check_mail_delivery(None)] == ["kakehashi.W002"]
    settings.EMAIL_HOST = "smtp.example.org"
    assert checks.check_mail_delivery(None) == []
