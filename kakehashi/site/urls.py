from django.urls import path

from kakehashi.accounts import views as account_views
from kakehashi.site import views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("display/", views.display, name="display"),
    path("organisations/", account_views.organisation_list, name="organisations"),
    path("healthz", views.healthz, name="healthz"),
]
