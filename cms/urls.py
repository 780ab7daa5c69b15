from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.views import account as wagtail_account
from wagtail.documents import urls as wagtaildocs_urls

from cms.account_urls import password_reset_limited
from cms.readiness import readyz
from cms.views import healthz
from courses import views as course_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # the admin's own password reset form, rate-limited like the site's (before the admin's patterns)
    path(
        "admin/password_reset/",
        password_reset_limited(wagtail_account.PasswordResetView.as_view()),
        name="wagtailadmin_password_reset",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("cms.account_urls")),
    path("dashboard/", course_views.dashboard, name="dashboard"),
    path("anatomy/", include("content.urls")),
    path("review/", include("courses.review_urls")),
    path("", include("courses.urls")),
    path("", include("courses.quiz_urls")),
    path("healthz/", healthz, name="healthz"),  # liveness
    path("readyz/", readyz, name="readyz"),  # readiness: database, cache, broker, each reported
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
