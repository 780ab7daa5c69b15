"""Bad, tampered or foreign input: a 4xx with a clear message, nothing saved, never a 500."""

import json

import pytest

from quizzes import services
from quizzes.models import Attempt, AttemptStatus, Response
from tests.quizzes import factories as qf


@pytest.fixture
def attempt(all_kinds_quiz, enrolled):
    return services.attempt_start(user=enrolled, quiz=all_kinds_quiz)


@pytest.fixture
def logged_in(client, enrolled):
    client.force_login(enrolled)
    return client


def _item(attempt, kind):
    return next(i for i in attempt.questions if i["kind"] == kind)


def _nothing_saved(attempt):
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert not Response.objects.filter(attempt=attempt, answer__isnull=False).exists()


def _post(client, url, payload):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(url, body, content_type="application/json")


def _bad_answers(attempt, other_attempt):
    single = _item(attempt, "single_choice")
    multiple = _item(attempt, "multiple_response")
    matching = _item(attempt, "matching")
    ordering = _item(attempt, "ordering")
    body_map = _item(attempt, "body_map")
    some = multiple["options"][0]["id"]
    left = matching["options"][0]["id"]
    return {
        "unknown option id": {str(single["qid"]): "notanoption"},
        "option of another question": {str(single["qid"]): some},
        "duplicated option id": {str(multiple["qid"]): [some, some]},
        "wrong type for single": {str(single["qid"]): [single["options"][0]["id"]]},
        "wrong type for multiple": {str(multiple["qid"]): some},
        "number instead of id": {str(single["qid"]): 3},
        "unknown zone": {str(body_map["qid"]): ["left-ear"]},
        "zone list with an object": {str(body_map["qid"]): [{"code": "groin"}]},
        "matching unknown right": {str(matching["qid"]): {left: "nope"}},
        "matching unknown left": {str(matching["qid"]): {"nope": matching["right"][0]["id"]}},
        "ordering position out of range": {str(ordering["qid"]): {ordering["options"][0]["id"]: 99}},
        "ordering position as text": {str(ordering["qid"]): {ordering["options"][0]["id"]: "1"}},
        "ordering position as bool": {str(ordering["qid"]): {ordering["options"][0]["id"]: True}},
        "foreign question": {str(other_attempt.questions[0]["qid"]): other_attempt.questions[0]["key"]},
        "not a question id": {"../../etc": "x"},
        "answers not an object": ["a", "b"],
    }


@pytest.fixture
def other_attempt(course, modules, zones, other_learner):
    from courses.models import Enrollment

    Enrollment.objects.create(user=other_learner, course=course)
    qf.single_choice(modules[1])
    quiz = qf.quiz_create(course, modules[1])
    return services.attempt_start(user=other_learner, quiz=quiz)


@pytest.mark.parametrize("endpoint", ["autosave", "submit"])
def test_tampered_answers_are_refused(attempt, other_attempt, logged_in, endpoint):
    for case, answers in _bad_answers(attempt, other_attempt).items():
        response = _post(logged_in, f"/attempts/{attempt.pk}/{endpoint}/", {"answers": answers})
        assert response.status_code == 400, case
        assert response.json()["ok"] is False and response.json()["error"], case
        _nothing_saved(attempt)


def test_a_valid_answer_with_a_bad_one_saves_neither(attempt, logged_in):
    single = _item(attempt, "single_choice")
    tf = _item(attempt, "true_false")
    answers = {str(tf["qid"]): tf["key"], str(single["qid"]): "bogus-id"}
    assert _post(logged_in, f"/attempts/{attempt.pk}/autosave/", {"answers": answers}).status_code == 400
    _nothing_saved(attempt)


@pytest.mark.parametrize(
    "body, status",
    [
        (b"{not json", 400),
        (b"\xff\xfe", 400),
        (b'"just a string"', 400),
        (b"{}", 400),
        (b'{"answers": {"1": null, "1": "x"}}', 400),  # the same key twice
        (b"[" * 5000 + b"]" * 5000, 400),
        (json.dumps({"answers": {}, "pad": "x" * 70_000}).encode(), 413),
    ],
)
def test_malformed_bodies(attempt, logged_in, body, status):
    for endpoint in ("autosave", "submit"):
        response = logged_in.post(
            f"/attempts/{attempt.pk}/{endpoint}/", body, content_type="application/json"
        )
        assert response.status_code == status
        assert response.json()["error"]
    _nothing_saved(attempt)


def test_oversized_form_post_is_refused(attempt, logged_in):
    response = logged_in.post(f"/attempts/{attempt.pk}/submit/", {"padding": "x" * 70_000})
    assert response.status_code == 413
    assert b"larger than 64 KB" in response.content
    _nothing_saved(attempt)


def test_form_submit_with_foreign_fields_or_values(attempt, logged_in):
    single = _item(attempt, "single_choice")
    multiple = _item(attempt, "multiple_response")
    cases = [
        {"q999999": "x"},
        {f"q{single['qid']}": "bogus"},
        {f"q{single['qid']}": [single["options"][0]["id"], single["options"][1]["id"]]},
        {f"q{multiple['qid']}": [multiple["options"][0]["id"]] * 2},
        {f"q{single['qid']}-extra": "x"},
        {f"q{_item(attempt, 'ordering')['qid']}-{_item(attempt, 'ordering')['options'][0]['id']}": "²"},
    ]
    for data in cases:
        response = logged_in.post(f"/attempts/{attempt.pk}/submit/", data)
        assert response.status_code == 400, data
        assert b"Nothing was changed" in response.content
    _nothing_saved(attempt)


def test_another_learners_attempt_is_404(attempt, client, other_learner):
    client.force_login(other_learner)
    assert client.get(f"/attempts/{attempt.pk}/").status_code == 404
    assert client.get(f"/attempts/{attempt.pk}/result/").status_code == 404
    assert (
        _post(client, f"/attempts/{attempt.pk}/autosave/", {"answers": qf.key_answers(attempt)}).status_code
        == 404
    )
    assert (
        _post(client, f"/attempts/{attempt.pk}/submit/", {"answers": qf.key_answers(attempt)}).status_code
        == 404
    )
    assert client.post(f"/attempts/{attempt.pk}/submit/", {}).status_code == 404
    _nothing_saved(attempt)


def test_anonymous_visitors_are_sent_to_log_in(attempt, client):
    page = client.get(f"/attempts/{attempt.pk}/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    scripted = _post(client, f"/attempts/{attempt.pk}/autosave/", {"answers": {}})
    assert scripted.status_code == 401 and "log in" in scripted.json()["error"]
    assert client.post(f"/quizzes/{attempt.quiz_id}/start/").status_code == 302
    assert Attempt.objects.count() == 1


def test_wrong_methods(attempt, logged_in):
    assert logged_in.get(f"/attempts/{attempt.pk}/submit/").status_code == 405
    assert logged_in.get(f"/attempts/{attempt.pk}/autosave/").status_code == 405
    assert logged_in.get(f"/quizzes/{attempt.quiz_id}/start/").status_code == 405
    assert logged_in.post(f"/attempts/{attempt.pk}/result/").status_code == 405


def test_missing_objects_are_404(logged_in):
    assert logged_in.get("/quizzes/999999/").status_code == 404
    assert logged_in.get("/attempts/999999/").status_code == 404


def test_closed_attempt_refuses_changes(attempt, logged_in):
    key = qf.key_answers(attempt)
    assert _post(logged_in, f"/attempts/{attempt.pk}/submit/", {"answers": key}).status_code == 200
    attempt.refresh_from_db()
    before = list(Response.objects.filter(attempt=attempt).values_list("answer", "score", "updated_at"))
    wrong = qf.wrong_answers(attempt)
    late_save = _post(logged_in, f"/attempts/{attempt.pk}/autosave/", {"answers": wrong})
    assert late_save.status_code == 409 and "already closed" in late_save.json()["error"]
    resubmit = _post(logged_in, f"/attempts/{attempt.pk}/submit/", {"answers": wrong})
    assert resubmit.status_code == 409 and "already submitted" in resubmit.json()["error"]
    form = logged_in.post(f"/attempts/{attempt.pk}/submit/", {})
    assert form.status_code == 302 and form["Location"].endswith("/result/")
    assert (
        list(Response.objects.filter(attempt=attempt).values_list("answer", "score", "updated_at")) == before
    )
    attempt.refresh_from_db()
    assert attempt.score == 100
