from django.urls import path

from gamification import views

app_name = "gamification"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("badges/", views.badges, name="badges"),
    path("leaderboard/", views.leaderboard_page, name="leaderboard"),
    path("avatar/", views.avatar, name="avatar"),
]
