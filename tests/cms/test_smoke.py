import pytest


@pytest.mark.django_db
def test_instructor_and_learner_groups_exist():
    from django.contrib.auth.models import Group

    instructors = Group.objects.get(name="Instructors")
    assert Group.objects.filter(name="Learners").exists()
    assert instructors.permissions.filter(codename="access_admin").exists()


def test_module_can_be_created_and_counts_words(modules):
    assert modules[0].word_count == 11
    assert modules[0].reading_minutes == 1
