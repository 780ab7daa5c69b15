"""A small course whose module quiz feeds the review deck (shared by the review tests)."""

from dataclasses import dataclass

from django.http import QueryDict

from courses.services import enrollment_create, quiz_attempt_start, quiz_attempt_submit
from tests.factories import MuscleFactory, course_create, module_create
from tests.quizzes import factories as qf

BODY = [("rich_text", "<h2 id='psoas'>Psoas</h2><p>The psoas major inserts on the lesser trochanter.</p>")]


@dataclass
class ReviewWorld:
    course: object
    module: object
    quiz: object
    fact: list  # two stems of one family about a muscle
    flag: object  # a safety-critical vignette
    loner: object  # a question with no family


def review_world(catalogue, provider) -> ReviewWorld:
    course = course_create(catalogue, slug="review-course", provider=provider)
    module = module_create(course, title="The psoas", body=BODY)
    psoas = MuscleFactory(name="Psoas major")
    fact = [
        qf.single_choice(
            module,
            stem="Where does the psoas major insert?",
            right="Lesser trochanter of the femur",
            wrong=("Greater trochanter", "Ischial tuberosity"),
            family="psoas-insertion",
            muscle=psoas,
            topic=qf.Topic.ATTACHMENTS,
            section_anchor="psoas",
        ),
        qf.true_false(
            module,
            stem="The psoas major inserts on the lesser trochanter of the femur.",
            family="psoas-insertion",
            muscle=psoas,
            topic=qf.Topic.ATTACHMENTS,
            section_anchor="psoas",
        ),
    ]
    flag = qf.vignette(module, family="saddle-numbness")
    loner = qf.true_false(module, stem="Massage may continue through a fever.", answer=False)
    quiz = qf.quiz_create(course, module, title="Quiz: the psoas", pass_mark=100)
    return ReviewWorld(course, module, quiz, fact, flag, loner)


def take_quiz(user, world: ReviewWorld, *, answers_for, now=None):
    """Enroll (once), start and submit the module quiz through the course's services."""
    from courses.models import Enrollment

    if not Enrollment.objects.filter(user=user, course=world.course).exists():
        enrollment_create(user=user, course=world.course)
    attempt = quiz_attempt_start(user=user, quiz=world.quiz, now=now)
    return quiz_attempt_submit(attempt=attempt, answers=answers_for(attempt), now=now).attempt


def form_answer(served: dict, *, right: bool) -> QueryDict:
    """The review page's form data answering the served question rightly or wrongly (tests only)."""
    item = served["item"]
    data = QueryDict(mutable=True)
    data["token"] = served["token"]
    name = f"q{item['qid']}"
    ids = [o["id"] for o in item["options"]]
    if item["kind"] in ("single_choice", "true_false", "case_vignette"):
        data[name] = item["key"] if right else next(i for i in ids if i != item["key"])
    else:  # pragma: no cover - the review world has only choice kinds
        raise AssertionError(item["kind"])
    return data
