from django.contrib import admin
from django.urls import include, path, re_path

from kakehashi.api import api
from kakehashi.core import views as core_views
from kakehashi.ctf.ctfd.api import api as ctfd_api

urlpatterns = [
    path("api/v1/", ctfd_api.urls),  # CTFd-compatible API (ctfcli and CTFd tools); before the native one
    path("api/", api.urls),
    re_path(r"^api/(?P<path>.*)$", core_views.api_not_found),
    path("accounts/", include("kakehashi.accounts.urls")),
    path("audit/", include("kakehashi.audit.urls")),
    path("", include("kakehashi.ctf.urls")),
    path("django-admin/", admin.site.urls),
    path("", include("kakehashi.site.urls")),
]

handler400 = "kakehashi.core.views.bad_request"
handler403 = "kakehashi.core.views.permission_denied"
handler404 = "kakehashi.core.views.page_not_found"
handler500 = "kakehashi.core.views.server_error"
