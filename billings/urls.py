from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from billings import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("accounts.urls")),
    path("exams/", include("exams.urls")),
    path("bank/", include("questions.urls")),
    path("progress/", include("gamification.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "billings.views.permission_denied"
handler404 = "billings.views.page_not_found"
handler500 = "billings.views.server_error"
handler429 = "billings.views.too_many_requests"
