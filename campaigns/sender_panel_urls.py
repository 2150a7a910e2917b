from django.urls import path

from campaigns import sender_panel_views as views

app_name = "sender_panel"
urlpatterns = [
    path("<int:pk>/sender-panel/", views.sender_panel, name="panel"),
    path("<int:pk>/sender-panel/assign/", views.sender_assign, name="assign"),
    path("<int:pk>/sender-panel/move/", views.sender_move, name="move"),
    path("<int:pk>/sender-panel/take-back/", views.sender_take_back, name="take_back"),
    path("<int:pk>/sender-panel/invite-link/", views.invite_link, name="invite_link"),
    path("<int:pk>/sender-panel/self-assign/", views.self_assign, name="self_assign"),
    path("<int:pk>/sender-panel/canned-responses/", views.canned_add, name="canned_add"),
    path(
        "<int:pk>/sender-panel/canned-responses/<int:canned_pk>/delete/",
        views.canned_delete,
        name="canned_delete",
    ),
]
