from kakehashi.accounts.services.organisations import membership_set, organisation_create
from kakehashi.accounts.services.passwords import password_change, password_reset_complete, password_reset_send
from kakehashi.accounts.services.signup import registration_confirm, registration_start
from kakehashi.accounts.services.tokens import api_token_create, api_token_revoke, api_token_used, api_token_uses_write
from kakehashi.accounts.services.users import (
    admin_create,
    user_create,
    user_set_role,
    user_update_profile,
)

__all__ = [
    "admin_create",
    "api_token_create",
    "api_token_revoke",
    "api_token_used",
    "api_token_uses_write",
    "membership_set",
    "organisation_create",
    "password_change",
    "password_reset_complete",
    "password_reset_send",
    "registration_confirm",
    "registration_start",
    "user_create",
    "user_set_role",
    "user_update_profile",
]
