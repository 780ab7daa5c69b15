"""The Provider admins role: the CE provider's own staff. They moderate courses (publish; approve the CE
hours and the provider number), see every course's pages, quizzes and records, keep the provider's
details, assign instructors to courses and revoke or reissue certificates. Not a superuser: no users,
groups, sites, collections, workflows or settings.

Learners and Instructors are set up by cms/migrations/0003_roles.py and the migrations after it;
instructors get page permissions per course (courses.services.course_staff_sync). Provider admins get
theirs on the course catalogue, so they reach every course, now and to come.

Publishing a course is moderated: the "Course moderation" workflow (one courses.CourseApprovalTask: a
group approval by Provider admins that refuses a course without CE hours or a provider number) is
assigned to the catalogue, so a course, module or lesson an instructor submits waits for a provider admin, who approves it (Wagtail then publishes it) or asks for changes.

Each function takes the app registry, so a data migration can call it with its historical `apps`.
"""

from django.apps import apps as global_apps
from django.db import connection
from django.db.models import Q

PROVIDER_ADMINS_GROUP = "Provider admins"

PROVIDER_ADMIN_PERMISSIONS = [  # (app_label, codename)
    ("wagtailadmin", "access_admin"),
    # every course's records, quizzes and item analysis (courses.permissions.sees_every_course)
    ("courses", "view_all_records"),
    ("courses", "view_enrollment"),
    ("courses", "view_courseevaluation"),
    ("courses", "view_certificate"),
    ("courses", "change_certificate"),  # revoke or reissue, with a reason
    # the provider's details (the NCBTMB provider number, signatory)
    ("courses", "add_provider"),
    ("courses", "change_provider"),
    ("courses", "view_provider"),
    # who teaches which course
    ("courses", "add_courseinstructor"),
    ("courses", "change_courseinstructor"),
    ("courses", "delete_courseinstructor"),
    ("courses", "view_courseinstructor"),
    # what instructors have: the question bank, quizzes and the knowledge base
    ("quizzes", "add_question"),
    ("quizzes", "change_question"),
    ("quizzes", "view_question"),
    ("quizzes", "add_quiz"),
    ("quizzes", "change_quiz"),
    ("quizzes", "view_quiz"),
    ("quizzes", "add_topic"),  # topics are data instructors extend (cms/migrations/0012)
    ("quizzes", "change_topic"),
    ("quizzes", "view_topic"),
    ("content", "add_muscle"),
    ("content", "change_muscle"),
    ("content", "view_muscle"),
    ("content", "add_redflag"),
    ("content", "change_redflag"),
    ("content", "view_redflag"),
    ("content", "add_bodyzone"),
    ("content", "change_bodyzone"),
    ("content", "view_bodyzone"),
    ("content", "add_sourcearticle"),
    ("content", "change_sourcearticle"),
    ("content", "view_sourcearticle"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailmedia", "add_media"),  # lesson video and audio (cms/migrations/0009_media_permissions.py)
    ("wagtailmedia", "change_media"),
]

# Wagtail checks images and documents per collection: these on the root collection cover every child.
PROVIDER_ADMIN_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailmedia", "add_media"),
    ("wagtailmedia", "change_media"),
]

# On the course catalogue (and so on every course, module and lesson under it). Not bulk_delete: learners'
# records keep pages (courses.wagtail_hooks refuses deleting pages with records).
PROVIDER_ADMIN_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")


def _permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    wanted = Q()
    for app_label, codename in pairs:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(wanted))


def provider_admins_grant(apps=None):
    """Create the Provider admins group with its model and collection permissions, and its page
    permissions on the catalogue if there is one yet (site_tree_ensure grants them when it makes it);
    idempotent. Returns the group."""
    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    group, _ = Group.objects.get_or_create(name=PROVIDER_ADMINS_GROUP)
    group.permissions.add(*_permissions(apps, PROVIDER_ADMIN_PERMISSIONS))
    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        for permission in _permissions(apps, PROVIDER_ADMIN_COLLECTION_PERMISSIONS):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root, permission=permission
            )
    catalogue = apps.get_model("courses", "CourseIndexPage").objects.order_by("path").first()
    if catalogue is not None:
        catalogue_permissions_grant(catalogue.pk, apps)
        course_moderation_ensure(catalogue.pk, apps)
    return group


def catalogue_permissions_grant(catalogue_id: int, apps=None) -> None:
    """Give Provider admins their page permissions on the course catalogue; idempotent."""
    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    group, _ = Group.objects.get_or_create(name=PROVIDER_ADMINS_GROUP)
    page_permissions = _permissions(
        apps, [("wagtailcore", codename) for codename in PROVIDER_ADMIN_PAGE_PERMISSIONS]
    )
    for permission in page_permissions:
        GroupPagePermission.objects.get_or_create(group=group, page_id=catalogue_id, permission=permission)


COURSE_WORKFLOW = "Course moderation"
COURSE_APPROVAL_TASK = "Provider admin approval"


def _approval_task_model(apps):
    """The Course moderation task's model: courses.CourseApprovalTask, which refuses to approve a course
    that may not go live (courses/approval_task.py); Wagtail's GroupApprovalTask in migrations that ran
    before that model existed (cms 0010)."""
    try:
        return apps.get_model("courses", "CourseApprovalTask")
    except LookupError:
        return apps.get_model("wagtailcore", "GroupApprovalTask")


def course_approval_task_convert(apps=None, *, to_model=None) -> None:
    """Turn the Course moderation task into a `to_model` task (by default the current one) in place: same
    task row, so its workflow, task states and history stay; idempotent. Wagtail's Task is multi-table:
    the subclass row is swapped and the task's content type changed."""
    apps = apps or global_apps
    to_model = to_model or _approval_task_model(apps)
    ContentType = apps.get_model("contenttypes", "ContentType")
    Task = apps.get_model("wagtailcore", "Task")
    target_type, _ = ContentType.objects.get_or_create(
        app_label=to_model._meta.app_label, model=to_model._meta.model_name
    )
    for task in Task.objects.filter(name=COURSE_APPROVAL_TASK).exclude(content_type=target_type):
        from_model = apps.get_model(task.content_type.app_label, task.content_type.model)
        group_ids = list(
            from_model.groups.through.objects.filter(
                **{f"{from_model._meta.model_name}_id": task.pk}
            ).values_list("group_id", flat=True)
        )
        from_model.groups.through.objects.filter(**{f"{from_model._meta.model_name}_id": task.pk}).delete()
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(from_model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE task_ptr_id = %s", [task.pk])
        child = to_model(
            task_ptr_id=task.pk, name=task.name, active=task.active, content_type_id=target_type.pk
        )
        child.save_base(raw=True)  # the subclass row only; the Task row is kept as it is
        child.groups.set(group_ids)
        Task.objects.filter(pk=task.pk).update(content_type=target_type)


def course_moderation_ensure(catalogue_id: int, apps=None):
    """The Course moderation workflow on the catalogue (and so on every course under it); idempotent.
    Returns the workflow."""
    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ApprovalTask = _approval_task_model(apps)
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    group, _ = Group.objects.get_or_create(name=PROVIDER_ADMINS_GROUP)
    course_approval_task_convert(apps, to_model=ApprovalTask)
    task = ApprovalTask.objects.filter(name=COURSE_APPROVAL_TASK).first()
    if task is None:
        content_type, _ = ContentType.objects.get_or_create(
            app_label=ApprovalTask._meta.app_label, model=ApprovalTask._meta.model_name
        )
        task = ApprovalTask.objects.create(name=COURSE_APPROVAL_TASK, content_type=content_type, active=True)
    task.groups.add(group)
    workflow, _ = Workflow.objects.get_or_create(name=COURSE_WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page_id=catalogue_id, defaults={"workflow": workflow})
    return workflow
