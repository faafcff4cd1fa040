from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models

from kakehashi.accounts.models import ApiToken, Membership, Organisation, OrganisationTranslation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    list_display = ("username", "display_name", "email", "role", "country", "is_active")
    list_filter = ("role", "country", "is_active", "is_staff")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Kakehashi", {"fields": ("display_name", "role", "country", "preferred_language", "time_zone")}),
    )


class OrganisationTranslationInline(admin.TabularInline[OrganisationTranslation, Organisation]):
    model = OrganisationTranslation
    extra = 0


class MembershipInline(admin.TabularInline[Membership, Organisation]):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("slug", "kind", "country")
    list_filter = ("kind", "country")
    inlines = [OrganisationTranslationInline, MembershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # "example.org" means https://


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    raw_id_fields = ("user",)
