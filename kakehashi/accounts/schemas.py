from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from kakehashi.accounts.choices import Country, LanguagePreference, MembershipRole, OrganisationKind


class RegisterIn(Schema):
    username: str = Field(..., max_length=150)
    email: str = Field(..., max_length=254)
    password: str = Field(..., max_length=4096)
    display_name: str = Field("", max_length=80)
    preferred_language: LanguagePreference = LanguagePreference.UNSET
    country: Country = Country.OTHER
    time_zone: str = Field("", max_length=64)


class RegisterSentOut(Schema):
    status: Literal["confirmation_sent"] = "confirmation_sent"


class RegisterConfirmIn(Schema):
    token: str = Field(..., max_length=128)


class LoginIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=4096)


class ProfileIn(Schema):
    display_name: str | None = Field(None, max_length=80)
    preferred_language: LanguagePreference | None = None
    country: Country | None = None
    time_zone: str | None = Field(None, max_length=64)


class PasswordChangeIn(Schema):
    old_password: str = Field(..., max_length=4096)
    new_password: str = Field(..., max_length=4096)


class PasswordResetIn(Schema):
    email: str = Field(..., max_length=254)


class PasswordResetConfirmIn(Schema):
    uid: str = Field(..., max_length=64)
    token: str = Field(..., max_length=128)
    new_password: str = Field(..., max_length=4096)


class MembershipOut(Schema):
    organisation_id: int
    slug: str
    role: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    preferred_language: str
    country: str
    time_zone: str
    role: str
    memberships: list[MembershipOut]


class CsrfOut(Schema):
    csrf_token: str


class TokenIn(Schema):
    name: str = Field("", max_length=100)
    expires_days: int | None = Field(None, ge=1, le=3650)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The token itself. It is shown only once.")


class OrganisationIn(Schema):
    kind: OrganisationKind
    country: Country
    slug: str = Field("", max_length=64)
    website: str = Field("", max_length=200)
    names: dict[str, str] = Field(..., description='The name per language code, e.g. {"en": …, "ja": …}.')
    descriptions: dict[str, str] = {}


class OrganisationOut(Schema):
    id: int
    slug: str
    kind: OrganisationKind
    country: str
    website: str
    name: str = Field(..., description="The name in the requester's language, or the fallback.")
    name_language: str | None
    names: dict[str, str]
    complete_languages: list[str]


class MemberIn(Schema):
    role: MembershipRole


class MemberOut(Schema):
    user_id: int
    username: str
    role: str
