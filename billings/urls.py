import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from billings import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("exams/", include("exams.urls")),
    path("bank/", include("questions.urls")),
    path("progress/", include("gamification.urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded avatars are small images validated by Pillow; serve them from the app unless a
    # proxy or object store does (DJANGO_SERVE_MEDIA=false). See docs/OPERATIONS.md.
    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            views.media,
        )
    ]

handler403 = "billings.views.permission_denied"
handler404 = "billings.views.page_not_found"
handler500 = "billings.views.server_error"
handler429 = "billings.views.too_many_requests"
