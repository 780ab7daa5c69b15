"""The learner's review pages (/review/), the digest e-mail and its unsubscribe link (issue 16)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from courses.models import Enrollment
from courses.review_digest import send_review_digests, unsubscribe_token
from quizzes.models import ReviewCard, ReviewPreference
from quizzes.review_services import DeckEntry, deck_add
from tests.factories import UserFactory
from tests.quizzes import factories as qf
from tests.quizzes.review_world import review_world, take_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(catalogue, provider):
    return review_world(catalogue, provider)


def _complete(user, world):
    """Cards of a course open once the learner has completed it (set directly: not what is tested here)."""
    Enrollment.objects.filter(user=user, course=world.course).update(status=Enrollment.Status.COMPLETED)


@pytest.fixture
def deck(world, learner):
    take_quiz(learner, world, answers_for=qf.wrong_answers)
    _complete(learner, world)
    return {c.family: c for c in ReviewCard.objects.filter(user=learner)}


def test_a_courses_cards_stay_locked_until_the_course_is_completed(client, learner, world):
    """Otherwise a learner who failed a score-only quiz could read its keys in review and retake it."""
    take_quiz(learner, world, answers_for=qf.wrong_answers)
    card = ReviewCard.objects.get(user=learner, family="saddle-numbness")
    assert card.due <= timezone.now()  # due at once, yet locked
    client.force_login(learner)
    assert b'data-due-count="0"' in client.get("/review/").content
    assert client.get("/review/next/")["Location"] == "/review/"
    assert client.get(f"/review/cards/{card.pk}/").status_code == 404
    assert _served(card) is None
    _complete(learner, world)
    assert client.get(f"/review/cards/{card.pk}/").status_code == 200


def test_a_card_not_yet_due_is_not_served(client, learner, deck):
    card = deck["saddle-numbness"]
    ReviewCard.objects.filter(pk=card.pk).update(due=timezone.now() + timedelta(days=3))
    client.force_login(learner)
    assert client.get(f"/review/cards/{card.pk}/")["Location"] == "/review/next/"
    assert _served(card) is None


def test_a_review_serves_only_questions_of_the_cards_own_course(learner, deck, world, catalogue, provider):
    from quizzes.review_services import review_serve
    from tests.factories import course_create, module_create

    other_module = module_create(
        course_create(catalogue, slug="another-course", provider=provider), title="X"
    )
    qf.vignette(other_module, family="saddle-numbness", stem="ANOTHER COURSE'S STEM")
    card = ReviewCard.objects.select_related("course").get(pk=deck["saddle-numbness"].pk)
    for _ in range(10):
        ReviewCard.objects.filter(pk=card.pk).update(served=None)
        card.served = None
        assert "ANOTHER COURSE'S STEM" not in review_serve(card=card)["item"]["stem"]


def _served(card):
    card.refresh_from_db()
    return card.served


def test_the_deck_page_lists_due_cards(client, learner, deck):
    client.force_login(learner)
    page = client.get("/review/")
    assert page.status_code == 200
    assert b'data-due-count="3"' in page.content
    assert b"A test sign (emergency)" in page.content  # the red flag's card, by its label
    assert (
        client.get("/review/next/")["Location"]
        == f"/review/cards/{ReviewCard.objects.filter(user=learner).order_by('due', 'pk')[0].pk}/"
    )


def test_a_review_never_reveals_the_key_before_the_answer(client, learner, deck, world):
    card = deck["saddle-numbness"]
    client.force_login(learner)
    page = client.get(f"/review/cards/{card.pk}/")
    assert page.status_code == 200
    served = _served(card)
    item = served["item"]
    html = page.content.decode()
    assert world.flag.explanation not in html and "data-correct-answer" not in html
    assert "key" not in page.context["question"] and "explanation" not in page.context["question"]
    # Every option is offered the same way: nothing marks the key.
    inputs = re.findall(r'<input class="form-check-input"[^>]*>', html)
    assert (
        len(inputs) == 4
        and len({len(i.replace(o["id"], "")) for i, o in zip(inputs, item["options"], strict=True)}) == 1
    )
    answer = client.post(
        f"/review/cards/{card.pk}/", {"token": served["token"], f"q{item['qid']}": item["key"]}
    )
    assert answer.status_code == 200
    assert world.flag.explanation in answer.content.decode()
    assert b"data-lesson-link" in answer.content and b"/the-psoas/" in answer.content


def _main(page) -> str:
    """The page's <main> (the site's footer names red flags on every page)."""
    html = page.content.decode()
    return html[html.index("<main") : html.index("</main>")]


SAFETY_MARKER = re.compile(r"safety-critical|red flag", re.IGNORECASE)


def test_nothing_marks_a_safety_critical_card_before_the_answer(client, learner, deck):
    """A "Safety-critical" marker before the answer hints that the answer is a referral."""
    flag, missed = deck["saddle-numbness"], deck["psoas-insertion"]
    assert flag.critical and not missed.critical
    client.force_login(learner)
    due_list = _main(client.get("/review/")).split("review-due-list", 1)[1]
    assert not SAFETY_MARKER.search(due_list)
    rows = {
        card.pk: re.search(rf'href="/review/cards/{card.pk}/">.*?</li>', due_list, re.S).group(0)
        for card in (flag, missed)
    }
    assert rows[flag.pk].split("</a>")[1] == rows[missed.pk].split("</a>")[1]  # the same source line
    page = client.get(f"/review/cards/{flag.pk}/")
    assert page.status_code == 200 and not SAFETY_MARKER.search(_main(page))
    assert "critical" not in page.context["question"]
    served = _served(flag)
    answer = client.post(f"/review/cards/{flag.pk}/", {"token": served["token"], **_key(served)})
    assert ">Safety-critical</span>" in _main(answer)  # after the answer, in the site's one term


def _key(served):
    return {f"q{served['item']['qid']}": served["item"]["key"]}


def test_a_wrong_answer_shows_the_key_and_comes_back_soon(client, learner, deck):
    card = deck["psoas-insertion"]
    client.force_login(learner)
    client.get(f"/review/cards/{card.pk}/")
    served = _served(card)
    item = served["item"]
    wrong = next(o["id"] for o in item["options"] if o["id"] != item["key"])
    page = client.post(f"/review/cards/{card.pk}/", {"token": served["token"], f"q{item['qid']}": wrong})
    assert page.status_code == 200 and b'data-review-result="again"' in page.content
    assert b"data-correct-answer" in page.content
    card.refresh_from_db()
    assert card.again_count == 1 and card.due - timezone.now() < timedelta(minutes=11)


def _answer_level(client, card, level):
    """Serve the card and answer it with the triage level `level` (content.ActionLevel)."""
    from quizzes.models import VIGNETTE_ACTION_TEXT

    client.get(f"/review/cards/{card.pk}/")
    served = _served(card)
    option = next(o["id"] for o in served["item"]["options"] if o["text"] == VIGNETTE_ACTION_TEXT[level])
    return client.post(
        f"/review/cards/{card.pk}/", {"token": served["token"], f"q{served['item']['qid']}": option}
    )


@pytest.mark.parametrize(
    "key, answer, error, says",
    [
        ("emergency", "treat", "missed_referral", "you missed a referral"),
        ("emergency", "refer_routine", "referred_too_late", "not urgently enough"),
        ("refer_urgent", "emergency", "referred_too_urgently", "more urgent action than this client needs"),
    ],
)
def test_a_wrong_safety_critical_triage_answer_says_which_way_it_missed(
    client, learner, world, key, answer, error, says
):
    flag = qf.vignette(world.module, action=key, family=f"flag-{key}")
    assert flag.critical
    deck_add(
        user_id=learner.pk,
        course_id=world.course.pk,
        entries=[DeckEntry(f"flag-{key}", "red_flag", True, "A sign")],
    )
    enrollment_create_completed(learner, world)
    card = ReviewCard.objects.get(user=learner, family=f"flag-{key}")
    client.force_login(learner)
    page = _answer_level(client, card, answer)
    html = _main(page)
    assert page.status_code == 200 and "Not quite" in html
    assert f'data-triage-error="{error}"' in html and says in html
    assert ("dangerous error" in html) is (error != "referred_too_urgently")


def test_no_triage_direction_on_a_right_answer_or_a_non_critical_question(client, learner, deck, world):
    client.force_login(learner)
    right = _answer_level(client, deck["saddle-numbness"], "emergency")
    assert b"Right" in right.content and b"data-triage-error" not in right.content
    card = deck["psoas-insertion"]
    client.get(f"/review/cards/{card.pk}/")
    served = _served(card)
    wrong = next(o["id"] for o in served["item"]["options"] if o["id"] != served["item"]["key"])
    page = client.post(
        f"/review/cards/{card.pk}/", {"token": served["token"], f"q{served['item']['qid']}": wrong}
    )
    assert b"Not quite" in page.content and b"data-triage-error" not in page.content


def enrollment_create_completed(user, world):
    from courses.services import enrollment_create

    enrollment_create(user=user, course=world.course)
    _complete(user, world)


def test_another_learners_card_is_404_and_anonymous_must_log_in(client, deck, other_learner):
    card = deck["saddle-numbness"]
    client.force_login(other_learner)
    assert client.get(f"/review/cards/{card.pk}/").status_code == 404
    assert client.post(f"/review/cards/{card.pk}/", {"token": "x"}).status_code == 404
    assert client.get("/review/cards/99999999/").status_code == 404
    assert client.get("/review/cards/999999999999999999999/").status_code == 404
    assert b'data-due-count="0"' in client.get("/review/").content  # their deck is their own
    client.logout()
    assert client.get(f"/review/cards/{card.pk}/")["Location"].startswith("/accounts/login/")


def test_tampered_answers_change_nothing(client, learner, deck):
    card = deck["saddle-numbness"]
    client.force_login(learner)
    client.get(f"/review/cards/{card.pk}/")
    served = _served(card)
    qid = served["item"]["qid"]
    assert (
        client.post(
            f"/review/cards/{card.pk}/", {"token": served["token"], f"q{qid}": "not-an-option"}
        ).status_code
        == 400
    )
    assert client.post(f"/review/cards/{card.pk}/", {"token": served["token"], "q1": "x"}).status_code == 400
    assert (
        client.post(
            f"/review/cards/{card.pk}/", {"token": "stale", f"q{qid}": served["item"]["key"]}
        ).status_code
        == 409
    )
    card.refresh_from_db()
    assert card.review_count == 0 and card.served == served  # still waiting for a real answer


def _big_deck(user, n):
    deck_add(
        user_id=user.pk,
        course_id=None,
        entries=[DeckEntry(f"family-{i}", "missed", False, f"Card {i}") for i in range(n)],
        now=timezone.now() - timedelta(days=1),
    )


@pytest.mark.parametrize("size", [3, 150])
def test_due_list_and_an_answer_run_fixed_queries(client, world, size, django_assert_max_num_queries):
    user = UserFactory()
    take_quiz(user, world, answers_for=qf.wrong_answers)
    _complete(user, world)
    _big_deck(user, size)
    card = ReviewCard.objects.get(user=user, family="saddle-numbness")
    client.force_login(user)
    # session, user, summary, due list, digest choice, the navbar's permissions (2)
    with django_assert_max_num_queries(7):
        assert client.get("/review/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/review/cards/{card.pk}/").status_code == 200
    served = _served(card)
    # session, user, card, its lock and update (with savepoints), summary, the navbar's permissions
    with django_assert_max_num_queries(10):
        page = client.post(
            f"/review/cards/{card.pk}/",
            {"token": served["token"], f"q{served['item']['qid']}": served["item"]["key"]},
        )
    assert page.status_code == 200


@pytest.mark.parametrize("extra_learners", [1, 25])
def test_the_digest_counts_what_each_deck_counts_due_in_one_query(
    world, learner, other_learner, extra_learners, django_assert_num_queries
):
    """due_counts opens cards by the deck's own filter (quizzes.review_selectors._unlocked, a subquery on
    completed courses, no join), so the e-mail never counts a card the deck would not serve."""
    from quizzes.review_selectors import deck_summary, due_counts

    take_quiz(learner, world, answers_for=qf.wrong_answers)
    take_quiz(other_learner, world, answers_for=qf.wrong_answers)
    _complete(learner, world)  # other_learner's course cards stay locked
    extra = [UserFactory() for _ in range(extra_learners)]
    for user in [learner, other_learner, *extra]:
        _big_deck(user, 2)  # course-less cards, due yesterday
    ReviewCard.objects.filter(user=learner, family="family-0").update(suspended=True)
    ReviewCard.objects.filter(user=other_learner, family="family-1").update(
        due=timezone.now() + timedelta(days=2)
    )
    users = [learner, other_learner, *extra]
    with django_assert_num_queries(1) as captured:
        counts = due_counts(user_ids=[u.pk for u in users])
    assert " JOIN " not in captured.captured_queries[0]["sql"].upper()
    assert {u.pk: deck_summary(user=u).due for u in users} == {u.pk: counts.get(u.pk, 0) for u in users}
    assert counts[learner.pk] == 4 and counts[other_learner.pk] == 1  # 3 course cards + 1; 1 course-less


def test_digest_is_opt_in_weekly_and_unsubscribes_by_a_post(client, learner, deck):
    assert send_review_digests() == 0  # not opted in
    client.force_login(learner)
    assert client.post("/review/digest/", {"digest": "on"}).status_code == 302
    assert ReviewPreference.objects.get(user=learner).digest
    assert send_review_digests() == 1
    message = mail.outbox[-1]
    assert message.to == [learner.email] and "3 review cards due" in message.subject
    link = re.search(r"http://\S+/review/unsubscribe/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # RFC 8058
    assert send_review_digests() == 0  # at most weekly
    assert send_review_digests(now=timezone.now() + timedelta(days=7, minutes=1)) == 1
    client.logout()
    path = _path(link)
    # Opening the link (a mail scanner's prefetch, a link preview) only asks.
    for _ in range(2):
        page = client.get(path)
        assert page.status_code == 200 and b"Stop the review e-mails?" in page.content
        assert f'<form method="post" action="{path}"'.encode() in page.content
    assert ReviewPreference.objects.get(user=learner).digest
    # The confirmation's button: a POST to the same link, no log-in.
    page = client.post(path)
    assert page.status_code == 200 and b"You are unsubscribed" in page.content
    assert not ReviewPreference.objects.get(user=learner).digest
    assert send_review_digests(now=timezone.now() + timedelta(days=30)) == 0


def _path(link):
    return "/" + link.split("/", 3)[3]


def test_a_mail_clients_one_click_post_unsubscribes_without_csrf_or_session(learner):
    """RFC 8058: the client POSTs "List-Unsubscribe=One-Click" to the List-Unsubscribe URL, no cookies."""
    from django.test import Client

    ReviewPreference.objects.create(user=learner, digest=True)
    path = f"/review/unsubscribe/{unsubscribe_token(learner)}/"
    page = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert page.status_code == 200
    assert not ReviewPreference.objects.get(user=learner).digest


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "token",
    [
        "forged",
        "nonsense",
        "a:b:c",
        "%C3%A9%E2%82%AC",
        "x" * 3000,
        "eyJ1IjoxfQ:1tXyZa:" + "A" * 43,
    ],
)
def test_a_bad_unsubscribe_link_is_refused_and_changes_nothing(client, learner, other_learner, method, token):
    ReviewPreference.objects.create(user=other_learner, digest=True)
    if token == "forged":
        good = unsubscribe_token(other_learner)
        token = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    page = getattr(client, method)(f"/review/unsubscribe/{token}/")
    assert page.status_code == 400 and b"This link is not valid" in page.content
    assert b"data-unsubscribe-form" not in page.content
    assert ReviewPreference.objects.get(user=other_learner).digest


def test_a_token_signed_for_something_else_is_refused(client, other_learner):
    from django.core import signing

    ReviewPreference.objects.create(user=other_learner, digest=True)
    elsewhere = signing.dumps({"u": other_learner.pk}, salt="another.purpose")
    wrong_shape = signing.dumps({"u": str(other_learner.pk)}, salt="courses.review_digest.unsubscribe")
    for token in (elsewhere, wrong_shape):
        assert client.post(f"/review/unsubscribe/{token}/").status_code == 400
    assert ReviewPreference.objects.get(user=other_learner).digest
