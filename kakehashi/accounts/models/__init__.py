from kakehashi.accounts.models.organisations import Membership, Organisation, OrganisationTranslation
from kakehashi.accounts.models.signup import PendingRegistration, SignupMail
from kakehashi.accounts.models.tokens import ApiToken
from kakehashi.accounts.models.users import User

__all__ = [
    "ApiToken",
    "Membership",
    "Organisation",
    "OrganisationTranslation",
    "PendingRegistration",
    "SignupMail",
    "User",
]
