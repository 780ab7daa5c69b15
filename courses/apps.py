from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import caching

        caching.connect()  # page cache: invalidation signals and the anonymous whole-page hook
