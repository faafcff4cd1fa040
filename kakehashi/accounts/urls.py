from django.contrib.auth import views as auth_views
from django.urls import path

from kakehashi.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", views.register, name="register"),
    path("register/confirm/<str:token>/", views.register_confirm, name="register_confirm"),
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("reset/", views.password_reset, name="password_reset"),
    path("reset/<str:uid>/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
