from django.urls import path

from study import views

app_name = "study"

urlpatterns = [
    path("review/", views.review, name="review"),
    path("goal/", views.goal, name="goal"),
    path("attempts/<int:attempt_id>/retry/", views.retry, name="retry"),
    path("<slug:slug>/build/", views.build, name="build"),
    path("<slug:slug>/daily/", views.daily, name="daily"),
    path("<slug:slug>/preset/<str:name>/", views.preset, name="preset"),
]
