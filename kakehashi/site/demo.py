"""The bilingual demo: organisations from each country, an organiser, a judge and participants.

Loading is idempotent: what already exists is left as it is.
"""

from dataclasses import dataclass

from django.db import transaction

from kakehashi.accounts import services as accounts
from kakehashi.accounts.choices import Country, OrganisationKind, PlatformRole
from kakehashi.accounts.models import Organisation, User
from kakehashi.site.demo_event import load_demo_event

DEMO_PASSWORD = "bridge-demo-2026"  # noqa: S105  (published demo credential, printed on start)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    language: str


ORGANISATIONS = [
    {
        "slug": "severn-cyber-cluster",
        "kind": OrganisationKind.CLUSTER,
        "country": Country.UK,
        "names": {"en": "Severn Cyber Cluster", "ja": "セヴァーン・サイバークラスター"},
        "descriptions": {
            "en": "A regional cluster of cyber security firms and universities in the west of England and Wales.",
            "ja": "イングランド西部とウェールズのサイバーセキュリティ企業と大学による地域クラスター。",
        },
    },
    {
        "slug": "setouchi-cyber-alliance",
        "kind": OrganisationKind.CLUSTER,
        "country": Country.JAPAN,
        "names": {"en": "Setouchi Cyber Alliance", "ja": "瀬戸内サイバー連携協議会"},
        "descriptions": {
            "en": "Companies, local government and universities around the Seto Inland Sea, building cyber resilience.",
            "ja": "瀬戸内地域の企業・自治体・大学がサイバーレジリエンスの向上に取り組む協議会。",
        },
    },
    {
        "slug": "kanto-institute-of-technology",
        "kind": OrganisationKind.ACADEMIA,
        "country": Country.JAPAN,
        "names": {"en": "Kanto Institute of Technology", "ja": "関東工業大学"},
        "descriptions": {},
    },
]

PEOPLE = [
    # username, display name, role, country, language, organisation slug, membership role
    ("organiser", "Olivia Hughes", PlatformRole.ORGANISER, Country.UK, "both", "severn-cyber-cluster", "manager"),
    ("judge", "佐藤 健", PlatformRole.JUDGE, Country.JAPAN, "ja", "setouchi-cyber-alliance", "manager"),
    ("alice", "Alice Morgan", PlatformRole.PARTICIPANT, Country.UK, "en", "severn-cyber-cluster", "member"),
    ("owen", "Owen Davies", PlatformRole.PARTICIPANT, Country.UK, "en", "severn-cyber-cluster", "member"),
    ("hana", "山田 花", PlatformRole.PARTICIPANT, Country.JAPAN, "ja", "setouchi-cyber-alliance", "member"),
    ("yuki", "鈴木 由紀", PlatformRole.PARTICIPANT, Country.JAPAN, "ja", "kanto-institute-of-technology", "member"),
]


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    organisations: dict[str, Organisation] = {}
    for spec in ORGANISATIONS:
        existing = Organisation.objects.filter(slug=spec["slug"]).first()
        organisations[str(spec["slug"])] = existing or accounts.organisation_create(**spec)  # type: ignore[arg-type]
    logins = []
    for username, display_name, role, country, language, slug, membership_role in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = accounts.user_create(
                actor=None,
                username=username,
                email=f"{username}@demo.kakehashi.invalid",
                password=DEMO_PASSWORD,
                display_name=display_name,
                preferred_language=language,
                country=country,
                time_zone="Asia/Tokyo" if country == Country.JAPAN else "Europe/London",
            )
            accounts.user_set_role(user=user, role=role)
            accounts.membership_set(organisation=organisations[slug], user=user, role=membership_role)
        logins.append(DemoLogin(username=username, role=str(role.label), language=language))
    load_demo_event(
        organiser=User.objects.get(username="organiser"),
        judge=User.objects.get(username="judge"),
        password=DEMO_PASSWORD,
    )
    return logins
