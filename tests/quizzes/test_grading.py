"""The grading rules of quizzes.grading, one kind at a time, with the edge cases the intro page promises."""

from decimal import Decimal

import pytest

from quizzes.grading import attempt_outcome, grade


@pytest.mark.parametrize("kind", ["single_choice", "true_false", "case_vignette"])
@pytest.mark.parametrize(
    "answer, expected",
    [
        ("a", (1.0, True)),
        ("b", (0.0, False)),
        (None, (0.0, False)),
        ("", (0.0, False)),
        (["a"], (0.0, False)),
        ({"a": 1}, (0.0, False)),
        (1, (0.0, False)),
    ],
)
def test_one_correct_kinds_score_all_or_nothing(kind, answer, expected):
    assert grade(kind, "a", answer) == expected


@pytest.mark.parametrize("kind", ["multiple_response", "body_map"])
@pytest.mark.parametrize(
    "answer, score, correct",
    [
        (["a", "b", "c"], 1.0, True),  # exactly the key
        (["c", "b", "a"], 1.0, True),  # order does not matter
        (["a", "b"], 2 / 3, False),  # two of three right, nothing wrong
        (["a", "b", "x"], 1 / 3, False),  # one wrong pick cancels one right pick
        (["a", "x", "y"], 0.0, False),  # never below zero
        (["a", "b", "c", "x", "y"], 1 / 3, False),  # every box ticked
        ([], 0.0, False),
        (None, 0.0, False),
        ("a", 0.0, False),  # wrong type
    ],
)
def test_set_kinds_give_partial_credit(kind, answer, score, correct):
    got_score, got_correct = grade(kind, ["a", "b", "c"], answer)
    assert got_score == pytest.approx(score)
    assert got_correct is correct


def test_ticking_every_box_scores_zero_when_half_are_wrong():
    assert grade("multiple_response", ["a", "b"], ["a", "b", "c", "d"]) == (0.0, False)


def test_matching_scores_the_share_of_pairs():
    key = {"psoas": "R1", "iliacus": "R1", "piriformis": "R2", "gmax": "R3"}
    assert grade("matching", key, dict(key)) == (1.0, True)
    assert grade("matching", key, {"psoas": "R1", "iliacus": "R1", "piriformis": "R3"}) == (0.5, False)
    assert grade("matching", key, {}) == (0.0, False)
    assert grade("matching", key, None) == (0.0, False)
    assert grade("matching", key, ["R1"]) == (0.0, False)


def test_matching_with_repeats_earns_only_the_items_whose_pair_it_is():
    key = {"psoas": "R1", "iliacus": "R1", "piriformis": "R2", "gmax": "R3"}
    # The same right-hand side for every item: right only for the two muscles that share it.
    assert grade("matching", key, dict.fromkeys(key, "R1")) == (0.5, False)
    assert grade("matching", key, dict.fromkeys(key, "R3")) == (0.25, False)


def test_ordering_scores_items_in_their_place():
    key = {"a": 1, "b": 2, "c": 3, "d": 4}
    assert grade("ordering", key, dict(key)) == (1.0, True)
    assert grade("ordering", key, {"a": 4, "b": 3, "c": 2, "d": 1}) == (0.0, False)  # reversed
    assert grade("ordering", key, {"a": 1, "b": 2, "c": 4, "d": 3}) == (0.5, False)
    assert grade("ordering", key, {"a": 1, "b": 1, "c": 1, "d": 1}) == (0.25, False)  # repeated position
    assert grade("ordering", key, {"a": True}) == (0.0, False)  # True is not position 1
    assert grade("ordering", key, {"a": "1"}) == (0.0, False)


def test_ordering_reversed_odd_length_keeps_the_middle():
    key = {"a": 1, "b": 2, "c": 3}
    score, correct = grade("ordering", key, {"a": 3, "b": 2, "c": 1})
    assert score == pytest.approx(1 / 3) and not correct


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError):
        grade("essay", "x", "x")


def test_attempt_score_is_the_mean_times_100():
    outcome = attempt_outcome([(1, 1.0, True, False), (2, 0.5, False, False), (3, 2 / 3, False, False)], 80)
    assert outcome.score == Decimal("72.22")
    assert not outcome.passed and not outcome.failed_critical


def test_pass_mark_is_inclusive():
    results = [(n, 1.0, True, False) for n in range(1, 5)] + [(5, 0.0, False, False)]
    assert attempt_outcome(results, 80).passed
    assert not attempt_outcome(results, 81).passed


def test_a_wrong_critical_answer_fails_whatever_the_score():
    results = [(n, 1.0, True, False) for n in range(1, 10)] + [(10, 0.0, False, True)]
    outcome = attempt_outcome(results, 80)
    assert outcome.score == Decimal("90.00")
    assert not outcome.passed
    assert outcome.failed_critical and outcome.critical_positions == (10,)


def test_a_partly_right_critical_answer_is_still_wrong():
    outcome = attempt_outcome([(1, 1.0, True, False), (2, 0.75, False, True)], 50)
    assert outcome.failed_critical and not outcome.passed


def test_no_questions_scores_zero():
    assert attempt_outcome([], 80).score == Decimal("0.00")
