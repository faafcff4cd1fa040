"""The request bodies CTFd clients send. Unknown keys are accepted and ignored."""

from typing import Literal

from ninja import Field, Schema


class HintText(Schema):
    content: str = ""
    title: str = ""


class TranslationIn(Schema):
    """One language of a challenge, as ctfcli carries it under ``extra: {translations: {ja: …}}``."""

    name: str = ""
    description: str = ""
    connection_info: str | None = ""
    hints: list[str | HintText] = []


class RequirementsIn(Schema):
    prerequisites: list[int] = []
    anonymize: bool = False


class ChallengeIn(Schema):
    """CTFd's challenge fields; ``logic`` and ``next_id`` are accepted and have no effect."""

    name: str | None = None
    category: str | None = None
    description: str | None = None
    attribution: str | None = None
    type: Literal["standard", "dynamic"] | None = None
    state: Literal["hidden", "visible"] | None = None
    value: int | None = None
    max_attempts: int | None = None
    connection_info: str | None = None
    logic: str | None = None
    initial: int | None = None
    decay: int | None = None
    minimum: int | None = None
    function: Literal["linear", "logarithmic"] | None = None
    translations: dict[str, TranslationIn] | None = None
    requirements: RequirementsIn | None = None
    next_id: int | None = None


class FlagIn(Schema):
    challenge_id: int
    content: str = ""
    type: str = "static"
    data: str | None = ""


class TagIn(Schema):
    challenge_id: int
    value: str


class HintIn(Schema):
    challenge_id: int
    content: str = ""
    title: str | None = ""
    cost: int = 0


class AttemptIn(Schema):
    challenge_id: int
    submission: str


class TokenIn(Schema):
    expiration: str | None = None
    description: str | None = ""
    user_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Kakehashi extension: admins may name the owner.")
