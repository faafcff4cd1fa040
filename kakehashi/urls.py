from django.contrib import admin
from django.urls import include, path

from kakehashi.api import api

urlpatterns = [
    path("api/", api.urls),
    path("accounts/", include("kakehashi.accounts.urls")),
    path("", include("kakehashi.ctf.urls")),
    path("django-admin/", admin.site.urls),
    path("", include("kakehashi.site.urls")),
]
