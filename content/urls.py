from django.urls import path

from . import views

app_name = "content"
urlpatterns = [
    path("", views.muscle_list, name="muscle_list"),
    path("red-flags/", views.red_flag_list, name="red_flag_list"),
    path("<slug:slug>/", views.muscle_detail, name="muscle_detail"),
]
