"""Admin URLs of the insight pages (mounted under /admin/ by a hook in quizzes/wagtail_hooks.py)."""

from django.urls import path

from . import insight_views as views

urlpatterns = [
    path("insight/quizzes/", views.quiz_list_view, name="insight_quizzes"),
    path("insight/quizzes/<int:quiz_id>/", views.item_analysis_view, name="insight_item_analysis"),
    path("insight/quizzes/<int:quiz_id>/export.csv", views.item_analysis_csv_view, name="insight_item_analysis_csv"),
]
