from django.utils import translation

from kakehashi.ctf.choices import SubmissionResult
from kakehashi.ctf.outcomes import MESSAGES, message


def test_every_result_has_a_distinct_message_in_both_languages() -> None:
    assert set(MESSAGES) == set(SubmissionResult.values)
    for language in ("en", "ja"):
        with translation.override(language):
            texts = [message(result) for result in SubmissionResult.values]
        assert len(set(texts)) == len(texts)
    with translation.override("ja"):
        assert "正解" in message(SubmissionResult.CORRECT)
        assert "終了" in message(SubmissionResult.ENDED)
