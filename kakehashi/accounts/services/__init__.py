from kakehashi.accounts.services.organisations import membership_set, organisation_create
from kakehashi.accounts.services.passwords import password_change, password_reset_complete, password_reset_send
from kakehashi.accounts.services.tokens import api_token_create, api_token_revoke
from kakehashi.accounts.services.users import (
    admin_create,
    user_create,
    user_register,
    user_set_role,
    user_update_profile,
)

__all__ = [
    "admin_create",
    "api_token_create",
    "api_token_revoke",
    "membership_set",
    "organisation_create",
    "password_change",
    "password_reset_complete",
    "password_reset_send",
    "user_create",
    "user_register",
    "user_set_role",
    "user_update_profile",
]
