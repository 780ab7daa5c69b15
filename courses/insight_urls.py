"""Admin URLs of the insight pages (mounted under /admin/ by a hook in courses/wagtail_hooks.py)."""

from django.urls import path

from . import assessment_export, override_views, records_views, retention_views, roster_views
from . import insight_views as views

urlpatterns = [
    path("insight/quizzes/", views.quiz_list_view, name="insight_quizzes"),
    path("insight/quizzes/<int:quiz_id>/", views.item_analysis_view, name="insight_item_analysis"),
    path(
        "insight/quizzes/<int:quiz_id>/export.csv",
        views.item_analysis_csv_view,
        name="insight_item_analysis_csv",
    ),
]

urlpatterns += [
    path("insight/courses/", records_views.course_records_view, name="insight_courses"),
    path("insight/courses/<int:course_id>/roster/", roster_views.roster_view, name="insight_roster"),
    path(
        "insight/courses/<int:course_id>/roster/results/",
        roster_views.roster_results_view,
        name="insight_roster_results",
    ),
    path(
        "insight/courses/<int:course_id>/roster.csv", roster_views.roster_csv_view, name="insight_roster_csv"
    ),
    path(
        "insight/courses/<int:course_id>/evaluations/",
        records_views.evaluations_view,
        name="insight_evaluations",
    ),
    path(
        "insight/courses/<int:course_id>/retention/", retention_views.retention_view, name="insight_retention"
    ),
    path(
        "insight/courses/<int:course_id>/evaluations.csv",
        records_views.evaluations_csv_view,
        name="insight_evaluations_csv",
    ),
]

urlpatterns += [
    path("insight/learners/", records_views.learner_list_view, name="insight_learners"),
    path("insight/learners/<int:user_id>/", records_views.learner_records_view, name="insight_learner"),
    path(
        "insight/learners/<int:user_id>/data.json",
        records_views.learner_json_view,
        name="insight_learner_json",
    ),
]

urlpatterns += [
    path(
        "insight/learners/<int:user_id>/overrides/<slug:action>/<int:target_id>/",
        override_views.learner_override_view,
        name="insight_learner_override",
    ),
    path("insight/attention/", override_views.needs_attention_view, name="insight_attention"),
    path(
        "insight/courses/<int:course_id>/overrides.csv",
        override_views.overrides_csv_view,
        name="insight_overrides_csv",
    ),
    path(
        "insight/courses/<int:course_id>/assessment.csv",
        assessment_export.assessment_csv_view,
        name="insight_assessment_csv",
    ),
]
