from django.urls import path

from exams import views

app_name = "exams"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("history/", views.history, name="history"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("bookmarks/start/", views.bookmarks_start, name="bookmarks_start"),
    path("bookmarks/<int:question_id>/", views.bookmark, name="bookmark"),
    path("attempts/<int:attempt_id>/", views.attempt_resume, name="resume"),
    path("attempts/<int:attempt_id>/q/<int:position>/", views.question, name="question"),
    path("attempts/<int:attempt_id>/q/<int:position>/answer/", views.answer, name="answer"),
    path("attempts/<int:attempt_id>/q/<int:position>/flag/", views.flag, name="flag"),
    path(
        "attempts/<int:attempt_id>/q/<int:position>/bookmark/",
        views.item_bookmark,
        name="item_bookmark",
    ),
    path("attempts/<int:attempt_id>/clock/", views.clock, name="clock"),
    path("attempts/<int:attempt_id>/submit/", views.submit, name="submit"),
    path("attempts/<int:attempt_id>/finish/", views.finish, name="finish"),
    path("attempts/<int:attempt_id>/abandon/", views.abandon, name="abandon"),
    path("attempts/<int:attempt_id>/results/", views.results, name="results"),
    path("attempts/<int:attempt_id>/review/", views.review, name="review"),
    path("<slug:slug>/start/<str:mode>/", views.start, name="start"),
]
