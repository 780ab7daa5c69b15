"""What the Instructors group may do with the question bank and quizzes in the Wagtail admin."""

INSTRUCTOR_QUIZ_PERMISSIONS = [
    ("quizzes", "question", "add_question"),
    ("quizzes", "question", "change_question"),
    ("quizzes", "question", "view_question"),
    ("quizzes", "quiz", "add_quiz"),
    ("quizzes", "quiz", "change_quiz"),
    ("quizzes", "quiz", "view_quiz"),
    ("quizzes", "topic", "add_topic"),
    ("quizzes", "topic", "change_topic"),
    ("quizzes", "topic", "view_topic"),
]


def instructor_quiz_permissions_grant(apps=None) -> int:
    """Give the Instructors group add/change/view on Question, Quiz and Topic; idempotent.

    Call it with the migration's `apps` from a RunPython data migration (permissions are created
    first, since post_migrate has not run yet), or without arguments from code and tests.
    Returns the number of permissions the group holds from this list."""
    if apps is None:
        from django.apps import apps as global_apps  # noqa: PLC0415 - called from a data migration with the historical apps

        apps = global_apps
    else:
        _permissions_create(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    instructors, _ = Group.objects.get_or_create(name="Instructors")
    granted = 0
    for app_label, model, codename in INSTRUCTOR_QUIZ_PERMISSIONS:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, content_type__model=model, codename=codename
        ).first()
        if permission is not None:
            instructors.permissions.add(permission)
            granted += 1
    return granted


def _permissions_create(apps) -> None:
    from django.contrib.auth.management import create_permissions  # noqa: PLC0415 - called from a data migration with the historical apps

    app_config = apps.get_app_config("quizzes")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
