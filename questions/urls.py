from django.urls import path

from questions import views

app_name = "questions"

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("questions/<int:question_id>/report/", views.report, name="report"),
]
