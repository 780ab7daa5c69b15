from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("courses/<int:course_id>/enroll/", views.enroll, name="enroll"),
    path("modules/<int:module_id>/complete/", views.module_complete, name="module_complete"),
]
