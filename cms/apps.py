from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed


class CmsConfig(AppConfig):
    name = "cms"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from allauth.account.signals import email_confirmed, password_reset

        from .accounts import on_email_confirmed
        from .security import count_login_failure_per_address, lockout_clear_after_password_reset

        user_login_failed.connect(
            count_login_failure_per_address, dispatch_uid="cms.security.count_login_failure_per_address"
        )
        password_reset.connect(
            lockout_clear_after_password_reset, dispatch_uid="cms.security.lockout_clear_after_password_reset"
        )
        email_confirmed.connect(on_email_confirmed, dispatch_uid="cms.accounts.on_email_confirmed")
