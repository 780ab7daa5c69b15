"""factory_boy factories shared by every test package."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from cms.models import User
from cms.roles import provider_admins_grant
from cms.services import email_mark_verified
from content.models import ActionLevel, Muscle, RedFlag, Region
from courses.models import CoursePage, Enrollment, ModulePage, Provider


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    legal_name = factory.Sequence(lambda n: f"Learner Number {n}")
    license_number = factory.Sequence(lambda n: f"MT-{n:05d}")
    license_state = "NC"
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        names = extracted if extracted is not None else ["Learners"]
        for name in names:
            self.groups.add(Group.objects.get(name=name))

    @factory.post_generation
    def email_verified(self, create, extracted, **kwargs):
        """UserFactory(email_verified=False) for an address still to verify; verified by default."""
        if create and extracted is not False:
            email_mark_verified(self)


class InstructorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"instructor{n}")
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kw: user.groups.add(Group.objects.get(name="Instructors"))
    )


class ProviderAdminFactory(UserFactory):
    """A member of Provider admins (cms/roles.py): moderates and sees every course."""

    username = factory.Sequence(lambda n: f"provider-admin{n}")
    groups = factory.PostGeneration(
        lambda user, create, extracted, **kw: user.groups.add(Group.objects.get(name="Provider admins"))
    )


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = "Carolina Bodywork Education"
    ncbtmb_provider_number = "451234-10"
    email = "ce@example.com"
    address = "12 Example Street, Durham, NC 27701"
    signatory_name = "Dana Whitfield, LMBT"
    signatory_title = "Education Director"


class MuscleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Muscle
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Test muscle {n}")
    slug = factory.Sequence(lambda n: f"test-muscle-{n}")
    region = Region.HIP
    origin = "Somewhere proximal"
    insertion = "Somewhere distal"
    actions = ["Moves the hip"]
    innervation = "A nerve (L4-S1)"


class RedFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RedFlag
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"flag-{n}")
    sign = factory.Sequence(lambda n: f"Warning sign {n}")
    suspected_condition = "Something serious"
    action_level = ActionLevel.EMERGENCY
    action = "Stop and send to the emergency department."


def course_create(catalogue, *, title="Massage for Low Back Pain", slug=None, provider=None, **fields):
    provider = provider or ProviderFactory()
    course = CoursePage(
        title=title,
        slug=slug or factory.Faker._get_faker().unique.slug(),
        approved_title=fields.pop("approved_title", title),
        ce_hours=fields.pop("ce_hours", Decimal("2.00")),
        provider=provider,
        **fields,
    )
    catalogue.add_child(instance=course)
    return course


def module_create(course, *, title, body=None, **fields):
    from django.utils.text import slugify

    module = ModulePage(title=title, slug=fields.pop("slug", slugify(title)), body=body or [], **fields)
    course.add_child(instance=module)
    return module


def psoas_course(catalogue):
    """The browser journeys' course: one module whose heading and text they look for."""
    course = course_create(
        catalogue,
        title="Massage for Low Back Pain",
        slug="massage-for-low-back-pain",
        provider=ProviderFactory(),
        ce_hours=Decimal("3.00"),
    )
    module = module_create(
        course,
        title="The psoas and iliacus",
        body=[
            ("heading", {"text": "Where the psoas attaches", "anchor": "psoas-attachments"}),
            (
                "rich_text",
                "<p>Psoas major runs from the lumbar spine to the lesser trochanter of the femur.</p>",
            ),
        ],
    )
    return course, module


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)


def wagtail_base_ensure():
    """For transactional tests: a flushed database lacks what the migrations added (root page, groups)."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page

    ContentType.objects.clear_cache()
    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    for name in ("Learners", "Instructors"):
        Group.objects.get_or_create(name=name)
    provider_admins_grant()
