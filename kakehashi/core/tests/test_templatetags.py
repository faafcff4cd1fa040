from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from kakehashi.accounts import services
from kakehashi.accounts.models import Organisation
from kakehashi.core.languages import Display

pytestmark = pytest.mark.django_db


def render(source: str, display: Display, **context: object) -> str:
    request = SimpleNamespace(display=display)
    with translation.override(display.language):
        return Template("{% load kakehashi %}" + source).render(Context({"request": request, **context}))


@pytest.fixture
def bilingual() -> Organisation:
    return services.organisation_create(kind="cluster", country="JP", names={"en": "Bridge Club", "ja": "架け橋クラブ"})


@pytest.fixture
def english_only() -> Organisation:
    return services.organisation_create(kind="company", country="GB", names={"en": "Tea & <Biscuits>"})


def test_translated_in_the_readers_language(bilingual: Organisation) -> None:
    html = render('{% translated org "name" %}', Display("ja", "ja"), org=bilingual)
    assert html == '<span lang="ja">架け橋クラブ</span>'


def test_translated_fallback_is_marked_in_the_readers_language(english_only: Organisation) -> None:
    html = render('{% translated org "name" %}', Display("ja", "ja"), org=english_only)
    assert 'lang="en"' in html
    assert "日本語版がまだないため、英語で表示しています。" in html
    assert "Tea &amp; &lt;Biscuits&gt;" in html  # escaped, never raw


def test_translated_side_by_side(bilingual: Organisation) -> None:
    html = render('<h2>{% translated org "name" %}</h2>', Display("both", "en"), org=bilingual)
    assert html.index('lang="en">Bridge Club') < html.index('lang="ja">架け橋クラブ')
    assert "<div" not in html  # valid inside a heading


def test_both_tag() -> None:
    assert render('{% both _("Home") %}', Display("ja", "ja")) == "ホーム"
    html = render('{% both _("Home") %}', Display("both", "ja"))
    assert '<span lang="ja">ホーム</span>' in html
    assert '<span class="bi-second" lang="en">Home</span>' in html


def test_both_tag_needs_a_literal() -> None:
    with pytest.raises(TemplateSyntaxError):
        Template('{% load kakehashi %}{% both "Home" %}')


def test_event_time_names_both_zones() -> None:
    moment = datetime(2026, 2, 8, 1, 0, tzinfo=UTC)
    html = render("{% event_time moment %}", Display("en", "en"), moment=moment)
    assert "2026-02-08 01:00 <abbr" in html
    assert "GMT" in html
    assert "2026-02-08 10:00 <abbr" in html
    assert "JST" in html
