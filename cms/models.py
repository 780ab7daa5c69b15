from django.contrib.auth.models import AbstractUser
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from courses.models import CourseIndexPage
from courses.routing import child_route
from courses.selectors import course_cards

from .validators import validate_legal_name

US_STATES = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("PR", "Puerto Rico"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("OT", "Outside the US / other"),
]


class LearnerStatus(models.TextChoices):
    LICENSED = "licensed", "A licensed massage therapist"
    STUDENT = "student", "A massage therapy student"


class User(AbstractUser):
    """A learner, instructor or provider admin. The legal name is what certificates print; a licensed
    learner's license number and state too, a student's certificate says "Student" instead."""

    learner_status = models.CharField(
        "I am",
        max_length=8,
        choices=LearnerStatus.choices,
        default=LearnerStatus.LICENSED,
        help_text="Students need no license number; licensed therapists' certificates print theirs.",
    )
    legal_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="Your full legal name exactly as it should appear on CE certificates.",
        validators=[validate_legal_name],  # every model form and full_clean(): cms/validators.py
    )
    license_number = models.CharField(max_length=64, blank=True)
    license_state = models.CharField(max_length=2, choices=US_STATES, blank=True)

    @property
    def is_student(self) -> bool:
        return self.learner_status == LearnerStatus.STUDENT

    @property
    def license_missing(self) -> bool:
        """A licensed learner without the number or state a certificate must print."""
        return not self.is_student and not (self.license_number.strip() and self.license_state)

    @property
    def display_name(self) -> str:
        return self.legal_name or self.get_full_name() or self.username


class HomePage(Page):
    hero_title = models.CharField(max_length=200, default="Continuing education for massage therapists")
    hero_text = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("hero_title"), FieldPanel("hero_text")]
    max_count = 1
    subpage_types = ["courses.CourseIndexPage"]

    def route(self, request, path_components):
        """The catalogue is the home page's only child: found in one query (courses/routing.py)."""
        route = child_route(CourseIndexPage.objects.all(), self, request, path_components)
        return route or super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["course_cards"] = course_cards(user=request.user)
        return context
