from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed


class CmsConfig(AppConfig):
    name = "cms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .security import count_login_failure_per_address

        user_login_failed.connect(
            count_login_failure_per_address, dispatch_uid="cms.security.count_login_failure_per_address"
        )
