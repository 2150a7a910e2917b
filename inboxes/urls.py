from django.urls import path

from inboxes import views

app_name = "inboxes"
urlpatterns = [
    path("", views.inbox_list_view, name="list"),
    path("new/", views.inbox_create_view, name="create"),
    path("elsewhere/", views.conversations_elsewhere_view, name="elsewhere"),
    path("<int:pk>/", views.inbox_detail, name="detail"),
    path("<int:pk>/edit/", views.inbox_edit, name="edit"),
]
