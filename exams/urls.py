from django.urls import path, register_converter
from django.urls.converters import IntConverter

from exams import views


class IdConverter(IntConverter):
    """A row id or a position: digits that fit a 64-bit column, so that a 30-digit id is a
    404 here rather than an overflow in a query."""

    regex = "[0-9]{1,18}"


register_converter(IdConverter, "id")

app_name = "exams"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("history/", views.history, name="history"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("bookmarks/start/", views.bookmarks_start, name="bookmarks_start"),
    path("bookmarks/<id:question_id>/", views.bookmark, name="bookmark"),
    path("attempts/<id:attempt_id>/", views.attempt_resume, name="resume"),
    path("attempts/<id:attempt_id>/q/<id:position>/", views.question, name="question"),
    path("attempts/<id:attempt_id>/q/<id:position>/answer/", views.answer, name="answer"),
    path("attempts/<id:attempt_id>/q/<id:position>/flag/", views.flag, name="flag"),
    path(
        "attempts/<id:attempt_id>/q/<id:position>/bookmark/",
        views.item_bookmark,
        name="item_bookmark",
    ),
    path("attempts/<id:attempt_id>/clock/", views.clock, name="clock"),
    path("attempts/<id:attempt_id>/countdown/", views.countdown, name="countdown"),
    path("attempts/<id:attempt_id>/submit/", views.submit, name="submit"),
    path("attempts/<id:attempt_id>/finish/", views.finish, name="finish"),
    path("attempts/<id:attempt_id>/abandon/", views.abandon, name="abandon"),
    path("attempts/<id:attempt_id>/results/", views.results, name="results"),
    path("attempts/<id:attempt_id>/review/", views.review, name="review"),
    path("<slug:slug>/start/<str:mode>/", views.start, name="start"),
]
