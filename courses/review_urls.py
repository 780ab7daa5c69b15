"""The learner's spaced review (courses/review_views.py), mounted at /review/."""

from django.urls import path

from . import review_views as views
from .urls import IdConverter  # noqa: F401  registers the "id" converter

app_name = "review"
urlpatterns = [
    path("", views.review_home, name="home"),
    path("next/", views.review_next, name="next"),
    path("cards/<id:card_id>/", views.review_card, name="card"),
    path("digest/", views.review_digest, name="digest"),
    path("unsubscribe/<str:token>/", views.review_unsubscribe, name="unsubscribe"),
]
