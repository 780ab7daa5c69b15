"""Item analysis: figures checked against hand computations, flags, choices, the admin pages,
permissions and the CSV export."""

import csv
import io
import math
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from quizzes import analysis, item_statistics
from quizzes.models import Attempt, AttemptStatus, Response
from quizzes.services import attempt_start, attempt_submit
from tests.factories import UserFactory
from tests.quizzes import factories as qf

# Six learners A–F answer the same four single-choice questions (1 = correct):
#
#        Q1 Q2 Q3 Q4   total  score %
#   A     1  1  1  1     4     100
#   B     1  1  1  0     3      75
#   C     1  1  0  0     2      50
#   D     1  0  1  0     2      50
#   E     1  0  0  0     1      25
#   F     0  0  0  0     0       0
#
# Facility p: Q1 5/6, Q2 3/6, Q3 3/6, Q4 1/6.
# Groups: n = 6, k = round(0.27·6) = 2: upper {A, B}, lower {E, F} (no ties at either cut-off).
#   D = p(upper) − p(lower): Q1 1 − 1/2 = 0.5; Q2 1 − 0 = 1; Q3 1 − 0 = 1; Q4 1/2 − 0 = 0.5.
# Point-biserial r = (M1 − M0) / s · √(pq), s the population SD of the totals:
#   mean total 2, s² = (4+1+0+0+1+4)/6 = 5/3.
#   Q1: M1 = 12/5, M0 = 0, √(pq) = √5/6 → r = 2.4·√(3/5)·√5/6 = 0.4·√3 ≈ 0.69282
#   Q2: M1 = 3 (A,B,C), M0 = 1 (D,E,F), √(pq) = 1/2 → r = 2/√(5/3)·1/2 = √(3/5) ≈ 0.77460
#   Q3: M1 = 3 (A,B,D), M0 = 1 (C,E,F) → the same, ≈ 0.77460
#   Q4: M1 = 4, M0 = 8/5, √(pq) = √5/6 → r = 2.4·√(3/5)·√5/6 ≈ 0.69282
# KR-20 = k/(k−1)·(1 − Σpq/s²): Σpq = 5/36 + 1/4 + 1/4 + 5/36 = 28/36,
#   Σpq/s² = (28/36)/(5/3) = 7/15 → KR-20 = 4/3 · 8/15 = 32/45 ≈ 0.71111.
# Scores: mean 50, median 50, population SD = 25·√(5/3) ≈ 32.275; pass mark 80 → 1 of 6 passed.
MATRIX = {
    "A": [1, 1, 1, 1],
    "B": [1, 1, 1, 0],
    "C": [1, 1, 0, 0],
    "D": [1, 0, 1, 0],
    "E": [1, 0, 0, 0],
    "F": [0, 0, 0, 0],
}
# What each learner picked in Q2 (options: right, "Wrong one", "Wrong two", "Wrong three").
Q2_PICKS = {"A": 0, "B": 0, "C": 0, "D": 1, "E": 1, "F": 2}


def _option_ids(question):
    return [o.public_id for o in question.options.order_by("sort_order")]


def record_attempts(quiz, questions, matrix, *, picks=None, pass_mark=80):
    """Closed attempts straight into the database: item scores from `matrix`, answers from `picks`."""
    now = timezone.now()
    picks = picks or {}
    users = {}
    for _n, (name, row) in enumerate(matrix.items()):
        user = UserFactory(legal_name=f"Learner {name}")
        users[name] = user
        score = round(100 * sum(row) / len(row), 2)
        attempt = Attempt.objects.create(
            user=user,
            quiz=quiz,
            number=1,
            status=AttemptStatus.SUBMITTED,
            started_at=now - timedelta(minutes=30),
            submitted_at=now,
            score=score,
            passed=score >= pass_mark,
            snapshot={"questions": []},
        )
        responses = []
        for position, (question, x) in enumerate(zip(questions, row), start=1):
            ids = _option_ids(question)
            chosen = picks.get(question.pk, {}).get(name)
            answer = ids[chosen] if chosen is not None else (ids[0] if x else ids[1])
            responses.append(
                Response(
                    attempt=attempt,
                    question=question,
                    position=position,
                    answer=answer,
                    score=float(x),
                    is_correct=bool(x),
                    updated_at=now,
                )
            )
        Response.objects.bulk_create(responses)
    return users


@pytest.fixture
def hand_quiz(course, module):
    questions = [qf.single_choice(module, stem=f"Hand-computed question {n}") for n in range(1, 5)]
    quiz = qf.quiz_create(course, module, title="Hand quiz", pass_mark=80)
    record_attempts(quiz, questions, MATRIX, picks={questions[1].pk: Q2_PICKS})
    return quiz, questions


def test_pure_helpers():
    assert item_statistics.group_size(6) == 2
    assert item_statistics.group_size(100) == 27
    assert item_statistics.group_size(3) == 1
    assert item_statistics.group_size(2) == 1
    assert item_statistics.group_size(1) == 0
    # r of y = 2x + 1 is 1; of y = −x is −1; a constant has no correlation.
    xs, ys = [1, 2, 3], [3, 5, 7]
    sums = (
        3,
        sum(xs),
        sum(ys),
        sum(x * x for x in xs),
        sum(y * y for y in ys),
        sum(x * y for x, y in zip(xs, ys)),
    )
    assert item_statistics.pearson_from_sums(*sums) == pytest.approx(1.0)
    assert item_statistics.pearson_from_sums(3, 6, -6, 14, 14, -14) == pytest.approx(-1.0)
    assert item_statistics.pearson_from_sums(3, 6, 3, 14, 3, 6) is None
    assert item_statistics.variance_from_sums(4, 2, 2) == pytest.approx(0.25)  # 0,0,1,1
    assert item_statistics.cronbach_alpha(4, 28 / 36, 5 / 3) == pytest.approx(32 / 45)
    assert item_statistics.cronbach_alpha(1, 0.2, 1) is None
    assert item_statistics.median_of_sorted([1, 2, 3, 4]) == 2.5
    assert item_statistics.item_flags(0.2, 0.5, False) == ["too hard"]
    assert item_statistics.item_flags(0.96, 0.1, True) == ["too easy", "low discrimination", "misleading"]
    assert item_statistics.item_flags(0.5, 0.2, False) == []


def test_item_analysis_agrees_with_the_hand_computation(hand_quiz):
    quiz, questions = hand_quiz
    report = analysis.item_analysis(quiz, min_responses=6)  # judged on its six responses
    s = report.summary
    assert report.group_size == 2
    assert s.attempts == 6 and s.learners == 6
    assert s.mean == pytest.approx(50)
    assert s.median == pytest.approx(50)
    assert s.sd == pytest.approx(25 * math.sqrt(5 / 3))
    assert (s.minimum, s.maximum) == (0, 100)
    assert s.passed == 1 and s.pass_rate == pytest.approx(1 / 6)
    assert s.histogram == [1, 0, 1, 0, 0, 2, 0, 1, 0, 1]
    assert s.questions_per_attempt == 4
    assert s.reliability_label == "KR-20" and s.reliability_exact
    assert s.reliability == pytest.approx(32 / 45)

    by_id = {q.question_id: q for q in report.questions}
    expected = [  # facility, D, point-biserial
        (5 / 6, 0.5, 0.4 * math.sqrt(3)),
        (0.5, 1.0, math.sqrt(3 / 5)),
        (0.5, 1.0, math.sqrt(3 / 5)),
        (1 / 6, 0.5, 0.4 * math.sqrt(3)),
    ]
    for question, (p, d, r) in zip(questions, expected):
        stat = by_id[question.pk]
        assert stat.responses == 6
        assert stat.facility == pytest.approx(p)
        assert stat.fully_correct == pytest.approx(p)
        assert stat.discrimination == pytest.approx(d)
        assert stat.point_biserial == pytest.approx(r)
        assert stat.dichotomous
        assert (stat.upper_n, stat.lower_n) == (2, 2)
    # Q1 (0.83) and Q2/Q3 are fine; Q4 (1/6) is too hard.
    assert by_id[questions[0].pk].flags == []
    assert by_id[questions[3].pk].flags == ["too hard"]


def test_distractor_counts(hand_quiz):
    quiz, questions = hand_quiz
    stat = next(q for q in analysis.item_analysis(quiz).questions if q.question_id == questions[1].pk)
    table = {c.label: c for c in stat.choices}
    assert [c.label for c in stat.choices] == [
        "The right answer",
        "Wrong one",
        "Wrong two",
        "Wrong three",
        "(no answer)",
    ]
    right, wrong1, wrong2, wrong3 = (
        table[k] for k in ["The right answer", "Wrong one", "Wrong two", "Wrong three"]
    )
    assert right.is_correct and right.picked == 3 and right.share == pytest.approx(0.5)
    assert (right.upper_share, right.lower_share) == (1.0, 0.0)
    # Wrong one: D and E (E in the lower group); Wrong two: F (lower group); Wrong three: nobody.
    assert wrong1.picked == 2 and wrong1.upper_share == 0 and wrong1.lower_share == 0.5
    assert wrong2.picked == 1 and wrong2.lower_share == 0.5
    assert wrong3.picked == 0
    assert table["(no answer)"].picked == 0
    assert not any(c.attracts_upper for c in stat.choices)


def test_flags_too_easy_and_misleading(course, module):
    #        Q1 Q2 Q3 Q4  total  score %
    #   A     1  0  1  1    3     75
    #   B     1  0  1  1    3     75
    #   C     1  1  0  0    2     50
    #   D     1  1  0  0    2     50
    #   E     1  1  0  0    2     50
    #   F     1  0  0  0    1     25
    # k = 2: upper {A, B}; lower {F, C} (C, D, E tie at 50: the smallest attempt id, C, goes in).
    # Q1: everyone right → facility 1 (> 0.95), D = 1 − 1 = 0, no variance so no r.
    # Q2 (a trap): upper 0/2, lower 1/2 (C) → D = −0.5; its "Wrong one" is picked by A, B (and F).
    matrix = {
        "A": [1, 0, 1, 1],
        "B": [1, 0, 1, 1],
        "C": [1, 1, 0, 0],
        "D": [1, 1, 0, 0],
        "E": [1, 1, 0, 0],
        "F": [1, 0, 0, 0],
    }
    questions = [qf.single_choice(module, stem=f"Flag question {n}") for n in range(1, 5)]
    quiz = qf.quiz_create(course, module, title="Flag quiz")
    users = record_attempts(quiz, questions, matrix)
    report = analysis.item_analysis(quiz, min_responses=6)
    by_id = {q.question_id: q for q in report.questions}
    easy, trap = by_id[questions[0].pk], by_id[questions[1].pk]
    assert easy.facility == 1 and easy.discrimination == 0
    assert easy.flags == ["too easy", "low discrimination"]
    assert easy.point_biserial is None  # no variance
    # Trap: upper {A, B} 0/2, lower {C, F} 1/2 → D = −0.5; the wrong option draws the upper group.
    assert trap.discrimination == pytest.approx(-0.5)
    assert "misleading" in trap.flags and "low discrimination" in trap.flags
    wrong = next(c for c in trap.choices if c.label == "Wrong one")
    assert wrong.attracts_upper and wrong.upper_share == 1.0
    assert report.flagged and len(users) == 6 and not report.not_enough_data


def test_no_flag_below_the_minimum_of_responses(hand_quiz, settings):
    """Six responses each: by default (20) no question is judged; all are "not enough data yet"."""
    quiz, questions = hand_quiz
    report = analysis.item_analysis(quiz)
    assert report.min_responses == item_statistics.FEW_RESPONSES == 20
    assert report.flagged == [] and report.fine == []
    assert [s.question_id for s in report.not_enough_data] == [q.pk for q in questions]
    assert all(s.flags == [] and s.few for s in report.questions)
    settings.ITEM_ANALYSIS_MIN_RESPONSES = 6  # the setting moves the line
    report = analysis.item_analysis(quiz)
    assert [s.question_id for s in report.flagged] == [questions[3].pk] and len(report.fine) == 3


def test_partial_credit_and_every_kind_through_the_services(course, module, zones, learner, other_learner):
    """Real attempts (every question kind) graded by the engine: analysis reads their answers."""
    from courses.models import Enrollment

    qf.every_kind(module, zones)
    quiz = qf.quiz_create(course, module, title="All kinds")
    for user, answers in ((learner, qf.key_answers), (other_learner, qf.wrong_answers)):
        Enrollment.objects.create(user=user, course=course)
        attempt = attempt_start(user=user, quiz=quiz)
        attempt_submit(attempt=attempt, answers=answers(attempt))
    report = analysis.item_analysis(quiz)
    assert report.summary.attempts == 2
    assert report.summary.mean == pytest.approx(50)
    assert len(report.questions) == 7
    for stat in report.questions:
        assert stat.responses == 2
        assert stat.facility == pytest.approx(0.5)
        assert stat.discrimination == pytest.approx(1.0)  # k = 1: the right one vs the wrong one
        if stat.kind == "matching":
            assert stat.choices == [] and stat.choices_note
        else:
            assert stat.choices, stat.kind
            correct = [c for c in stat.choices if c.is_correct]
            # The learner with the key picked every correct choice (or placed every item) once.
            assert all(c.picked == 1 for c in correct), stat.kind


def test_open_attempts_are_not_counted(hand_quiz, learner, course):
    quiz, _ = hand_quiz
    from courses.models import Enrollment

    Enrollment.objects.create(user=learner, course=course)
    attempt_start(user=learner, quiz=quiz)
    assert analysis.item_analysis(quiz).summary.attempts == 6


def test_empty_quiz(course, module):
    quiz = qf.quiz_create(course, module, title="Nobody yet")
    report = analysis.item_analysis(quiz)
    assert report.summary.attempts == 0 and report.questions == []
    assert report.summary.reliability is None and report.summary.median is None


def test_queries_do_not_grow_with_attempts(hand_quiz, django_assert_max_num_queries, course, module):
    quiz, questions = hand_quiz
    with django_assert_max_num_queries(12):
        analysis.item_analysis(quiz)
    record_attempts(quiz, questions, {f"X{n}": [n % 2, 1, 0, 1] for n in range(30)})
    with django_assert_max_num_queries(12):
        report = analysis.item_analysis(quiz)
    assert report.summary.attempts == 36


# --- admin pages -------------------------------------------------------------------------------------


@pytest.fixture
def admin_only_user(db):
    """Reaches the Wagtail admin but holds no quiz permission (stands for another course's staff)."""
    from django.contrib.auth.models import Group

    group, _ = Group.objects.get_or_create(name="Editors without quizzes")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    return UserFactory(groups=["Editors without quizzes"])


def test_instructor_sees_item_analysis(client, assigned_instructor, hand_quiz):
    quiz, questions = hand_quiz
    client.force_login(assigned_instructor)
    index = client.get(reverse("insight_quizzes"))
    assert index.status_code == 200
    assert reverse("insight_item_analysis", args=[quiz.pk]).encode() in index.content
    page = client.get(reverse("insight_item_analysis", args=[quiz.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    # Six responses each, below the default minimum of 20: no flag, all "not enough data yet".
    assert (
        "insight-flag--too-hard" not in html
        and "Not enough data yet (4)" in html
        and "6 of 20 responses" in html
    )
    assert "0.71" in html  # KR-20
    assert reverse("wagtailsnippets_quizzes_question:edit", args=[questions[3].pk]) in html
    assert html.count('<svg class="insight-chart"') == 1 and "the most any has is 6" in html  # none judged


def test_item_analysis_page_groups_and_pages(client, assigned_instructor, hand_quiz, settings):
    quiz, questions = hand_quiz
    settings.ITEM_ANALYSIS_MIN_RESPONSES = 6
    client.force_login(assigned_instructor)
    url = reverse("insight_item_analysis", args=[quiz.pk])
    html = client.get(url, {"sort": "facility"}).content.decode()
    flagged, rest = html.split('id="section-fine"')
    assert (
        "Flagged (1)" in flagged
        and "Hand-computed question 4" in flagged
        and "insight-flag--too-hard" in flagged
    )
    assert "Hand-computed question 1" not in flagged and "No flag (3)" in rest
    assert html.count('<svg class="insight-chart"') == 2  # the scatter plots the four judged questions
    assert '<details class="insight-group" open>' in flagged  # flagged open; the other groups collapsed
    assert rest.count('<details class="insight-group" open>') == 0
    for bad in ("abc", "-1", "999", "1" * 40):  # a bad page number never gives a 500
        assert client.get(url, {"fine_page": bad, "sort": "nonsense"}).status_code == 200
    opened = client.get(url, {"fine_page": "1"}).content.decode().split('id="section-fine"')[1]
    assert opened.count('<details class="insight-group" open>') == 1


def test_item_analysis_page_queries_do_not_grow_with_questions(
    client, assigned_instructor, course, module, django_assert_max_num_queries
):
    """The page for 5 and for 80 questions (more than three pages of each group) costs the same queries."""
    questions = [qf.single_choice(module, stem=f"Pool question {n}") for n in range(80)]
    small = qf.quiz_create(course, module, title="Small quiz")
    large = qf.quiz_create(course, None, title="Large quiz")  # the post-test: one quiz per module
    record_attempts(small, questions[:5], {name: row + [1] for name, row in MATRIX.items()})
    record_attempts(large, questions, {name: [n % 2 for n in range(80)] for name in "ABCDEF"})
    client.force_login(assigned_instructor)
    counts = {}
    for quiz in (small, large):
        url = reverse("insight_item_analysis", args=[quiz.pk])
        client.get(url)  # warm the session and permission caches
        with django_assert_max_num_queries(40) as captured:
            response = client.get(url, {"few_page": "2"})
        assert response.status_code == 200
        counts[quiz.title] = len(captured)
    assert counts["Large quiz"] == counts["Small quiz"], counts
    html = response.content.decode()
    assert "Page 2 of 4 (questions 26–50)" in html and "Not enough data yet (80)" in html
    assert html.count('<tbody id="q-') == 25


def test_quiz_listing_links_to_item_analysis(client, assigned_instructor, hand_quiz):
    quiz, _ = hand_quiz
    client.force_login(assigned_instructor)
    listing = client.get(reverse("wagtailsnippets_quizzes_quiz:list"))
    assert reverse("insight_item_analysis", args=[quiz.pk]) in listing.content.decode()


@pytest.mark.parametrize("name", ["insight_quizzes", "insight_item_analysis", "insight_item_analysis_csv"])
def test_item_analysis_refused_to_others(client, learner, admin_only_user, hand_quiz, name):
    quiz, _ = hand_quiz
    url = reverse(name, args=[quiz.pk] if name != "insight_quizzes" else [])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    client.force_login(learner)  # no admin access at all
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] != url
    assert b"Hand-computed" not in response.content
    client.force_login(
        admin_only_user
    )  # admin access, no quiz permission: Wagtail's "no permission" redirect
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")


def test_unknown_quiz_is_404(client, instructor, db):
    client.force_login(instructor)
    assert client.get(reverse("insight_item_analysis", args=[999999])).status_code == 404


def test_item_analysis_csv(client, assigned_instructor, course, module):
    questions = [
        qf.single_choice(module, stem='=HYPERLINK("http://evil.example","click")'),
        qf.single_choice(module, stem="Où s'insère le muscle psoas ? Ünïcode — 腰"),
    ]
    quiz = qf.quiz_create(course, module, title="CSV quiz")
    record_attempts(quiz, questions, {"A": [1, 1], "B": [1, 0], "C": [0, 0]})
    client.force_login(assigned_instructor)
    response = client.get(reverse("insight_item_analysis_csv", args=[quiz.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="item-analysis-csv-quiz-' in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "number",
        "question_id",
        "kind",
        "topic",
        "critical",
        "question",
        "responses",
        "omitted",
        "facility",
        "fully_correct",
        "discrimination",
        "point_biserial",
        "upper_group_n",
        "lower_group_n",
        "flags",
        "choices",
    ]
    by_stem = {row[5]: row for row in rows[1:3]}
    assert '\'=HYPERLINK("http://evil.example","click")' in by_stem
    assert "Où s'insère le muscle psoas ? Ünïcode — 腰" in by_stem
    # n = 3, k = 1: upper A, lower C. First question: A 1, B 1, C 0 → facility 2/3, D = 1.
    first = by_stem['\'=HYPERLINK("http://evil.example","click")']
    assert float(first[8]) == pytest.approx(0.6667, abs=1e-4) and float(first[10]) == 1.0
    assert "The right answer (correct): 2 (67%)" in first[15]
    summary = {row[0]: row[1] for row in rows[4:] if row}
    assert summary["attempts"] == "3" and summary["reliability statistic"] == "KR-20"
