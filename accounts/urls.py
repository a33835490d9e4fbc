from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("edit/", views.profile_edit, name="profile_edit"),
    path("account/", views.account, name="account"),
    path("account/data.json", views.data_download, name="data_download"),
    path("account/delete/", views.account_delete_page, name="delete"),
]
