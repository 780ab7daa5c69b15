from django.urls import path

from . import quiz_views as views

app_name = "quizzes"  # the learner's quiz pages; the URL names predate their move to courses

urlpatterns = [
    path("quizzes/<int:quiz_id>/", views.quiz_intro, name="quiz_intro"),
    path("quizzes/<int:quiz_id>/start/", views.quiz_start, name="quiz_start"),
    path("attempts/<int:attempt_id>/", views.attempt_take, name="attempt_take"),
    path("attempts/<int:attempt_id>/autosave/", views.attempt_autosave, name="attempt_autosave"),
    path("attempts/<int:attempt_id>/submit/", views.attempt_submit, name="attempt_submit"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="attempt_result"),
]
