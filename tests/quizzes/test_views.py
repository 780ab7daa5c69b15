"""Pages: intro, take (no key in it), no-JavaScript submission, result; completion selectors."""

import re

import pytest
from bs4 import BeautifulSoup

from quizzes import selectors, services
from quizzes.models import Attempt, AttemptStatus, Response
from tests.quizzes import factories as qf


@pytest.fixture
def logged_in(client, enrolled):
    client.force_login(enrolled)
    return client


def test_intro_states_pass_mark_scale_attempts_time_and_feedback(all_kinds_quiz, logged_in):
    all_kinds_quiz.max_attempts = 3
    all_kinds_quiz.time_limit_minutes = 20
    all_kinds_quiz.cooldown_minutes = 15
    all_kinds_quiz.save()
    html = logged_in.get(f"/quizzes/{all_kinds_quiz.pk}/").content.decode()
    text = " ".join(BeautifulSoup(html, "html.parser").get_text().split())
    assert "Pass mark 80%" in text
    assert "0 of 3 used" in text and "wait 15 minutes" in text
    assert "20 minutes" in text
    assert "correct answer, an explanation" in text
    assert "Correct picks minus wrong picks" in text  # the grading scale
    assert "Start the quiz" in text


def test_start_then_resume_by_post(all_kinds_quiz, logged_in, enrolled):
    first = logged_in.post(f"/quizzes/{all_kinds_quiz.pk}/start/")
    attempt = Attempt.objects.get(user=enrolled)
    assert first.status_code == 302 and first["Location"] == f"/attempts/{attempt.pk}/"
    assert "Resume attempt 1" in logged_in.get(f"/quizzes/{all_kinds_quiz.pk}/").content.decode()
    again = logged_in.post(f"/quizzes/{all_kinds_quiz.pk}/start/")
    assert again["Location"] == f"/attempts/{attempt.pk}/"
    assert Attempt.objects.count() == 1


def test_refused_start_explains_why(all_kinds_quiz, client, other_learner):
    client.force_login(other_learner)
    response = client.post(f"/quizzes/{all_kinds_quiz.pk}/start/", follow=True)
    assert "Enroll in the course" in response.content.decode()
    assert not Attempt.objects.exists()


@pytest.fixture
def attempt(all_kinds_quiz, enrolled):
    return services.attempt_start(user=enrolled, quiz=all_kinds_quiz)


def test_take_page_has_every_widget_accessibly(attempt, logged_in):
    html = logged_in.get(f"/attempts/{attempt.pk}/").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    fieldsets = soup.select("fieldset[data-qid]")
    assert len(fieldsets) == 7 and all(f.find("legend") for f in fieldsets)
    assert "Answered 0 of 7" in " ".join(soup.get_text().split())
    for control in soup.select("fieldset input, fieldset select"):
        assert soup.find("label", attrs={"for": control["id"]}), control
    kinds = {f["data-kind"]: f for f in fieldsets}
    assert len(kinds["single_choice"].select("input[type=radio]")) == 4
    assert len(kinds["multiple_response"].select("input[type=checkbox]")) == 4
    assert len(kinds["matching"].select("select")) == 4
    assert len(kinds["ordering"].select("select")) == 4
    zones = kinds["body_map"].select("[role=checkbox]")
    assert len(zones) == 7
    assert all(z["aria-checked"] == "false" and z.get("aria-label") for z in zones)
    # The figure (hidden until attempt.js shows it) is one tab stop: the script gives one zone tabindex 0.
    assert all(z["tabindex"] == "-1" for z in zones)
    assert kinds["body_map"].select_one("[data-body-map][hidden]")
    # the no-JS fallback: real checkboxes named after the question, valued with zone codes
    boxes = kinds["body_map"].select("input[type=checkbox]")
    assert sorted(b["value"] for b in boxes) == sorted(z["data-zone"] for z in zones)
    assert not soup.select("script:not([src])"), "no inline scripts"
    assert soup.select_one('script[src$="quizzes/attempt.js"]')


def test_no_answer_key_in_the_take_page(attempt, logged_in):
    html = logged_in.get(f"/attempts/{attempt.pk}/").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    for item in attempt.questions:
        assert item["explanation"] not in html
    for word in ("is_correct", "correct", "data-key", '"key"', "explanation"):
        assert word not in html.lower().replace("incorrect", ""), word
    # every choice, zone and right-hand id appears the same way: nothing singles out the key
    for item in attempt.questions:
        ids = [o["id"] for o in item["options"]] + [r["id"] for r in item.get("right", [])]
        if item["options"]:
            assert len({html.count(o["id"]) for o in item["options"]}) == 1, item["kind"]
        if item["kind"] == "matching":
            assert len({html.count(r["id"]) for r in item["right"]}) == 1
        assert all(i in html for i in ids)
    codes = [z["code"] for z in attempt.snapshot["zones"]]
    assert len({html.count(f'"{code}"') for code in codes}) == 1
    assert not soup.select("[checked], option[selected][value]:not([value=''])")


def test_script_holds_no_key():
    from django.contrib.staticfiles import finders

    script = open(finders.find("quizzes/attempt.js")).read()
    assert "is_correct" not in script and "explanation" not in script


def _form_data(attempt, answers):
    """What a browser without JavaScript would post for these answers."""
    data = {}
    for item in attempt.questions:
        name, answer = f"q{item['qid']}", answers[str(item["qid"])]
        if item["kind"] in ("matching", "ordering"):
            for sub, value in answer.items():
                data[f"{name}-{sub}"] = str(value)
        else:
            data[name] = answer
    return data


def test_no_js_submit_grades_the_form(attempt, logged_in):
    response = logged_in.post(f"/attempts/{attempt.pk}/submit/", _form_data(attempt, qf.key_answers(attempt)))
    assert response.status_code == 302 and response["Location"] == f"/attempts/{attempt.pk}/result/"
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 100 and attempt.passed
    result = logged_in.get(response["Location"]).content.decode()
    assert "Passed" in result and "100%" in result


def test_no_js_save_and_resume_shows_saved_answers(attempt, logged_in):
    answers = qf.key_answers(attempt)
    response = logged_in.post(f"/attempts/{attempt.pk}/autosave/", _form_data(attempt, answers))
    assert response.status_code == 302 and response["Location"] == f"/quizzes/{attempt.quiz_id}/"
    html = logged_in.get(f"/attempts/{attempt.pk}/").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert "Answered 7 of 7" in " ".join(soup.get_text().split())
    single = next(i for i in attempt.questions if i["kind"] == "single_choice")
    assert soup.select_one(f'input[name="q{single["qid"]}"][checked]')["value"] == single["key"]
    body_map = next(i for i in attempt.questions if i["kind"] == "body_map")
    checked = soup.select(f'input[name="q{body_map["qid"]}"][checked]')
    assert sorted(c["value"] for c in checked) == sorted(body_map["key"])
    assert {z["data-zone"] for z in soup.select('[role=checkbox][aria-checked="true"]')} == set(
        body_map["key"]
    )
    assert Response.objects.filter(attempt=attempt, answer__isnull=False).count() == 7


def test_json_autosave_then_resume_on_another_device(attempt, enrolled, client):
    from django.test import Client

    client.force_login(enrolled)
    answers = qf.key_answers(attempt)
    first_two = dict(list(answers.items())[:2])
    response = client.post(
        f"/attempts/{attempt.pk}/autosave/", {"answers": first_two}, content_type="application/json"
    )
    assert response.json() == {"ok": True, "saved": 2}
    other_device = Client()
    other_device.force_login(enrolled)
    html = other_device.get(f"/attempts/{attempt.pk}/").content.decode()
    assert re.search(r"Answered\s*<span data-answered>2</span> of 7", html)
    # clearing an answer
    qid = next(iter(first_two))
    client.post(
        f"/attempts/{attempt.pk}/autosave/", {"answers": {qid: None}}, content_type="application/json"
    )
    assert Response.objects.filter(attempt=attempt, answer__isnull=False).count() == 1


def test_result_of_open_attempt_sends_back_to_the_take_page(attempt, logged_in):
    response = logged_in.get(f"/attempts/{attempt.pk}/result/")
    assert response.status_code == 302 and response["Location"] == f"/attempts/{attempt.pk}/"


def test_intro_lists_past_attempts_and_best_score(all_kinds_quiz, enrolled, logged_in):
    for answers in (qf.wrong_answers, qf.key_answers):
        attempt = services.attempt_start(user=enrolled, quiz=all_kinds_quiz)
        services.attempt_submit(attempt=attempt, answers=answers(attempt))
    html = logged_in.get(f"/quizzes/{all_kinds_quiz.pk}/").content.decode()
    assert "You have passed this quiz (best score 100%)" in html
    assert html.count("/result/") == 2


def test_module_and_final_quiz_passed(course, modules, zones, enrolled, other_learner):
    assert selectors.module_quiz_passed(enrolled, modules[0])  # no quiz: nothing to pass
    assert not selectors.final_quiz_passed(enrolled, course)  # no post-test: not passed
    qf.every_kind(modules[0], zones)
    module_quiz = qf.quiz_create(course, modules[0])
    final = qf.quiz_create(course, None, title="Post-test")
    assert not selectors.module_quiz_passed(enrolled, modules[0])
    attempt = services.attempt_start(user=enrolled, quiz=module_quiz)
    services.attempt_submit(attempt=attempt, answers=qf.wrong_answers(attempt))
    assert not selectors.module_quiz_passed(enrolled, modules[0])
    attempt = services.attempt_start(user=enrolled, quiz=module_quiz)
    services.attempt_submit(attempt=attempt, answers=qf.key_answers(attempt))
    assert selectors.module_quiz_passed(enrolled, modules[0])
    assert not selectors.module_quiz_passed(other_learner, modules[0])
    attempt = services.attempt_start(user=enrolled, quiz=final)
    services.attempt_submit(attempt=attempt, answers=qf.key_answers(attempt))
    assert selectors.final_quiz_passed(enrolled, course)
    assert not selectors.final_quiz_passed(other_learner, course)


def test_question_preview_renders_both_modes(module, zones, rf):
    question = qf.body_map(module, zones=zones[:2])
    request = rf.get("/")
    learner_view = question.make_preview_request(request, "").content.decode()
    key_view = question.make_preview_request(request, "key").content.decode()
    assert 'role="checkbox"' in learner_view and "Answer key" not in learner_view
    assert question.explanation not in learner_view
    assert "Answer key" in key_view and zones[0].name in key_view and question.explanation in key_view


def test_quiz_panel_for_module_pages(all_kinds_quiz, module, enrolled, other_learner, client):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    assert selectors.quiz_panel(enrolled, selectors.module_quiz(module))["attempts_used"] == 0
    assert selectors.quiz_panel(AnonymousUser(), None) == {"quiz": None}
    attempt = services.attempt_start(user=enrolled, quiz=all_kinds_quiz)
    panel = selectors.quiz_panel(enrolled, all_kinds_quiz)
    assert panel["in_progress"] and not panel["passed"]
    assert "Resume the quiz" in render_to_string("quizzes/includes/quiz_panel.html", {"panel": panel})
    services.attempt_submit(attempt=attempt, answers=qf.key_answers(attempt))
    panel = selectors.quiz_panel(enrolled, all_kinds_quiz)
    html = render_to_string("quizzes/includes/quiz_panel.html", {"panel": panel})
    assert panel["passed"] and "Passed" in html and f"/quizzes/{all_kinds_quiz.pk}/" in html
    assert not selectors.quiz_panel(other_learner, all_kinds_quiz)["passed"]
