"""The demo site: the site tree, the knowledge base, the demo course (courses.demo) and four users.

Idempotent, so `make run` can call it every time: a user that already exists is left as it is (a
changed password survives) unless `reset=True`.
"""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from content.services import knowledge_base_load
from courses.badge_keys import key_ensure
from courses.demo import (
    DemoReport,
    approvals_ensure,
    course_ensure,
    course_files_load,
    demo_instructor_assign,
    modules_ensure,
    provider_ensure,
    quizzes_ensure,
)
from courses.links import SiteAddressError, site_address_apply, site_url

from . import services as cms_services

DEFAULT_DEMO_PASSWORD = "bodywork-demo"

DEMO_USERS = [
    {
        "username": "admin",
        "email": "admin@example.com",
        "legal_name": "Morgan Avery",
        "is_superuser": True,
        "is_staff": True,
        "groups": [],
        "can": "superuser: the whole Wagtail admin (/admin/), provider, users, certificates",
    },
    {
        "username": "instructor",
        "email": "instructor@example.com",
        "legal_name": "Dana Whitfield",
        "license_number": "MT-20417",
        "license_state": "NC",
        "is_staff": True,
        "groups": ["Instructors"],
        "can": "Wagtail admin (/admin/), as the demo course's assigned instructor: edit its pages and submit "
        "them for moderation, quizzes, item analysis and records; start a new course (New course); knowledge "
        "base, questions",
    },
    {
        "username": "provider-admin",
        "email": "provider-admin@example.com",
        "legal_name": "Priya Natarajan",
        "is_staff": True,
        "groups": ["Provider admins"],
        "can": "Wagtail admin (/admin/), provider admin: approve and publish courses submitted for moderation "
        "(CE hours, provider), every course and its records, provider details, course instructors, "
        "certificates",
    },
    {
        "username": "learner",
        "email": "learner@example.com",
        "legal_name": "Samuel J. Rivera",
        "license_number": "LMBT-104233",
        "license_state": "NC",
        "groups": ["Learners"],
        "can": "the site (/accounts/login/): enroll, read modules, take quizzes, get the certificate",
    },
]


def site_address_line() -> str:
    """Point the default Site (the address of links made without a request) at WAGTAILADMIN_BASE_URL."""
    try:
        site_address_apply()
    except SiteAddressError as error:
        return f"Links made without a request: {site_url()} (WAGTAILADMIN_BASE_URL left unused: {error})"
    return f"Links made without a request (certificates, e-mails): {site_url()}"


def demo_setup(*, reset: bool = False, with_quizzes: bool = True) -> DemoReport:
    """Create whatever of the demo is missing; with reset, also rewrite it from the files.
    with_quizzes also builds the question bank from the knowledge base and the demo quizzes."""
    data = course_files_load()
    report = DemoReport()
    with transaction.atomic():
        home, catalogue = cms_services.site_tree_ensure()
        report.add(f"Site tree: {home.title} → {catalogue.url_path.rstrip('/').rsplit('/', 1)[-1]}/")
        report.add(site_address_line())
        report.add(f"Knowledge base: {_counts_text(knowledge_base_load())}")
        provider = provider_ensure(data["provider"], reset=reset, report=report)
        course = course_ensure(catalogue, data, provider=provider, reset=reset, report=report)
        modules_ensure(course, data["modules"], reset=reset, report=report)
        approvals_ensure(course, data.get("approvals", []), reset=reset, report=report)
        if with_quizzes:
            quizzes_ensure(course, report=report)
        users_ensure(reset=reset, report=report)
        demo_instructor_assign(course, report=report)
    report.add(key_ensure())  # the provider's Open Badges signing key (courses/badge_keys.py)
    return report


def _counts_text(counts) -> str:
    if isinstance(counts, dict):
        return ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in counts.items())
    return str(counts)


def users_ensure(*, reset: bool, report: DemoReport) -> None:
    password = os.environ.get("DEMO_PASSWORD") or (DEFAULT_DEMO_PASSWORD if settings.DEBUG else "")
    if not password:
        report.add(
            "Users: skipped (DEBUG is off and DEMO_PASSWORD is not set: no default passwords outside dev)"
        )
        return
    User = get_user_model()
    done = []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec["username"]).first()
        if user is not None and not reset:
            cms_services.email_mark_verified(user)  # the demo's addresses count as verified
            done.append(f"{spec['username']} kept")
            report.logins.append((spec["username"], "(unchanged)", spec["can"]))
            continue
        done.append(f"{spec['username']} {'reset' if user else 'created'}")
        user = user or User(username=spec["username"])
        _user_fill(user, spec, password)
        report.logins.append((spec["username"], password, spec["can"]))
    report.add("Users: " + ", ".join(done))


def _user_fill(user, spec: dict, password: str) -> None:
    user.email = spec["email"]
    user.legal_name = spec["legal_name"]
    user.first_name, _, user.last_name = spec["legal_name"].rpartition(" ")
    user.license_number = spec.get("license_number", "")
    user.license_state = spec.get("license_state", "")
    user.is_superuser = spec.get("is_superuser", False)
    user.is_staff = spec.get("is_staff", False)
    user.is_active = True
    user.set_password(password)
    user.save()
    cms_services.email_mark_verified(user)  # example.com cannot receive the link: the demo counts as verified
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in spec["groups"]])
