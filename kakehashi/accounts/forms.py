"""Forms of the account pages. They only collect input; the rules live in services."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kakehashi.accounts.choices import Country, LanguagePreference

FIELD_ALIASES = {"password": "password1", "new_password": "new_password1"}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's validation errors on the matching form fields."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        name = FIELD_ALIASES.get(field, field)
        form.add_error(name if name in form.fields else None, messages)


class _ConfirmedPasswordMixin(forms.Form):
    first_field = "password1"
    second_field = "password2"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get(self.first_field), data.get(self.second_field)
        if first and second and first != second:
            self.add_error(self.second_field, _("The two passwords do not match."))
        return data


class RegisterForm(_ConfirmedPasswordMixin):
    username = forms.CharField(
        label=_("User name"), max_length=150, help_text=_("Letters of any script, digits and @ . + - _ only.")
    )
    display_name = forms.CharField(label=_("Display name"), max_length=80, required=False)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    country = forms.ChoiceField(label=_("Country"), choices=Country.choices, initial=Country.OTHER)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=LanguagePreference.choices, required=False)
    time_zone = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class RegisterConfirmForm(forms.Form):
    """No fields: the token is in the link; the form only carries the CSRF token of the button."""


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=80, required=False)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=LanguagePreference.choices, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=Country.choices)
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("For example Europe/London or Asia/Tokyo. Leave empty to use your browser's."),
    )


class PasswordChangeForm(_ConfirmedPasswordMixin):
    first_field = "new_password1"
    second_field = "new_password2"

    old_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)


class PasswordResetForm(_ConfirmedPasswordMixin):
    first_field = "new_password1"
    second_field = "new_password2"

    new_password1 = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    expires_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=3650, initial=30)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, checking the password through ``services.signin`` (one guess at a time)."""

    def clean(self) -> dict[str, Any]:
        from kakehashi.accounts.services import signin

        if self.request is None:  # no request, no throttling: Django's own check
            return super().clean()
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = signin.authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
