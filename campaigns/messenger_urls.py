from django.urls import path

from campaigns import messenger_views as views

app_name = "messenger"
urlpatterns = [
    path("", views.messenger_index, name="index"),
    path("<int:pk>/", views.messenger_assignment, name="assignment"),
    path("<int:pk>/send/", views.messenger_send, name="send"),
    path("<int:pk>/get-more/", views.messenger_get_more, name="get_more"),
    path("<int:pk>/replies/", views.messenger_replies_view, name="replies"),
    path(
        "<int:pk>/contacts/<int:contact_pk>/",
        views.messenger_conversation,
        name="conversation",
    ),
    path(
        "<int:pk>/contacts/<int:contact_pk>/opt-out/",
        views.messenger_opt_out,
        name="opt_out",
    ),
]
