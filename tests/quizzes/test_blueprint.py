"""Issue 13 items 4 and 5: the draw follows the quiz's blueprint (topics x recall/application) and
never draws two questions of one family. The draw is pure (quizzes.blueprint), so properties are
checked over thousands of in-memory draws; the database side is checked for its query count."""

import logging
import random

import pytest

from quizzes.blueprint import BlueprintRule, PoolItem, blueprint_summary, draw
from quizzes.models import CognitiveLevel, QuizRule, Topic
from quizzes.services import quiz_draw, quiz_pool_items
from tests.quizzes import factories as qf

RECALL, APPLICATION = CognitiveLevel.RECALL.value, CognitiveLevel.APPLICATION.value


def _pool(seed=0, size=60, families=25):
    rng = random.Random(seed)
    topics = ["attachments", "referred_pain", "red_flags"]
    return [
        PoolItem(
            pk=pk,
            topic=rng.choice(topics),
            level=rng.choice([RECALL, RECALL, APPLICATION]),
            family=f"f{rng.randrange(families)}" if rng.random() < 0.8 else "",
            tags=frozenset({"vignette"} if rng.random() < 0.2 else ()),
        )
        for pk in range(1, size + 1)
    ]


BLUEPRINT = [
    BlueprintRule(count=4, topic="attachments", level=RECALL),
    BlueprintRule(count=2, topic="referred_pain"),
    BlueprintRule(count=3, level=APPLICATION),
    BlueprintRule(count=2, topic="red_flags", level=RECALL),
]


@pytest.mark.parametrize("pool_seed", range(5))
def test_no_family_is_drawn_twice_and_no_question_twice_in_many_draws(pool_seed):
    pool = _pool(pool_seed)
    by_pk = {item.pk: item for item in pool}
    rng = random.Random(pool_seed)
    for _ in range(1000):
        ids = draw(pool, BLUEPRINT, rng).ids
        assert len(ids) == len(set(ids))
        families = [by_pk[pk].family_key for pk in ids]
        assert len(families) == len(set(families))


def test_each_rule_takes_its_count_of_its_topic_and_level_in_rule_order():
    pool = [PoolItem(pk, "attachments", RECALL, f"a{pk}") for pk in range(1, 11)]
    pool += [PoolItem(pk, "red_flags", APPLICATION, f"r{pk}") for pk in range(11, 21)]
    rules = [BlueprintRule(3, "attachments", RECALL), BlueprintRule(4, "red_flags", APPLICATION)]
    result = draw(pool, rules, random.Random(1))
    assert result.shortfalls == []
    assert [pk <= 10 for pk in result.ids] == [True] * 3 + [False] * 4


def test_an_application_rule_is_served_before_a_broad_rule_can_take_its_few_questions():
    pool = [PoolItem(pk, "red_flags", RECALL, f"r{pk}") for pk in range(1, 6)]
    pool += [PoolItem(6, "red_flags", APPLICATION, "a6"), PoolItem(7, "red_flags", APPLICATION, "a7")]
    rules = [BlueprintRule(5, "red_flags"), BlueprintRule(2, "red_flags", APPLICATION)]
    for seed in range(200):
        result = draw(pool, rules, random.Random(seed))
        assert result.shortfalls == [] and set(result.ids[-2:]) == {6, 7}


def test_a_pool_short_of_application_items_still_gives_a_full_attempt_and_reports_the_shortfall():
    pool = [PoolItem(pk, "red_flags", RECALL, f"r{pk}") for pk in range(1, 8)]
    pool.append(PoolItem(8, "red_flags", APPLICATION, "a8"))
    rule = BlueprintRule(3, "red_flags", APPLICATION)
    result = draw(pool, [rule], random.Random(3))
    assert len(result.ids) == 3 and 8 in result.ids
    [shortfall] = result.shortfalls
    assert (shortfall.drawn_as_asked, shortfall.topped_up, shortfall.missing) == (1, 2, 0)
    [row] = blueprint_summary(pool, [rule])
    assert (row["available"], row["enough"]) == (1, False)


def test_without_rules_every_family_comes_once():
    pool = [PoolItem(1, "red_flags", RECALL, "flag:x"), PoolItem(2, "red_flags", APPLICATION, "flag:x")]
    pool += [PoolItem(3, "general", RECALL), PoolItem(4, "general", RECALL)]
    ids = draw(pool, [], random.Random(0)).ids
    assert sorted(ids)[1:] == [3, 4] and len(ids) == 3


# ---------------------------------------------------------------- the database side


def _bank(module, n):
    for k in range(n):
        level = APPLICATION if k % 3 == 0 else RECALL
        tags = ("handwritten",) if k == 1 else ()
        qf.single_choice(
            module, topic=Topic.ATTACHMENTS, cognitive_level=level, family=f"fam{k // 2}", tags=tags
        )


@pytest.mark.parametrize("size", [6, 40])
def test_the_draw_costs_the_same_queries_for_a_small_and_a_large_pool(
    course, module, size, django_assert_max_num_queries
):
    _bank(module, size)
    quiz = qf.quiz_create(course, module, rules=[(Topic.ATTACHMENTS, "", 2)])
    quiz.rules.create(topic_id=Topic.ATTACHMENTS, cognitive_level=APPLICATION, count=1, tag="")
    quiz.rules.create(topic_id=None, cognitive_level="", count=1, tag="handwritten")
    quiz.refresh_from_db()
    with django_assert_max_num_queries(3):
        ids = quiz_draw(quiz, random.Random(0))
    assert len(ids) >= 3
    items = {i.pk: i for i in quiz_pool_items(quiz)}
    assert len({items[pk].family for pk in ids}) == len(ids)
    assert any(items[pk].level == APPLICATION for pk in ids)


def test_a_short_pool_is_logged(course, module, caplog):
    _bank(module, 4)
    quiz = qf.quiz_create(course, module)
    QuizRule.objects.create(quiz=quiz, topic_id=Topic.ATTACHMENTS, cognitive_level=APPLICATION, count=3)
    with caplog.at_level(logging.WARNING, logger="quizzes.services"):
        ids = quiz_draw(quiz, random.Random(0))
    assert len(ids) >= 2
    assert "blueprint rule" in caplog.text and "missing" in caplog.text
