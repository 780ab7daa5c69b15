from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from quizzes.signals import attempt_passed

        from .completion import on_attempt_passed

        attempt_passed.connect(on_attempt_passed, dispatch_uid="courses.completion.on_attempt_passed")
        from . import caching

        caching.connect()  # the page cache's content version follows publishes and knowledge-base edits
