from django.urls import path

from campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_active_list, name="active"),
    path("drafts/", views.campaign_draft_list, name="drafts"),
    path("archived/", views.campaign_archived_list, name="archived"),
    path("new/", views.campaign_create_view, name="create"),
    path("reusable-numbers/", views.campaign_reusable_numbers, name="reusable_numbers"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/number/", views.campaign_number_status, name="number_status"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/launch/", views.campaign_launch_view, name="launch"),
    path("<int:pk>/archive/", views.campaign_archive_view, name="archive"),
    path("<int:pk>/clone/", views.campaign_clone_view, name="clone"),
    path("<int:pk>/follow-up/", views.campaign_follow_up, name="follow_up"),
    path("<int:pk>/follow-up/audience/", views.campaign_follow_up_count, name="follow_up_count"),
    path("<int:pk>/contacts/", views.campaign_contacts, name="contacts"),
    path("<int:pk>/contacts/confirm/", views.campaign_contacts_confirm, name="contacts_confirm"),
    path("<int:pk>/senders/", views.campaign_sender_add_view, name="sender_add"),
    path(
        "<int:pk>/senders/<int:user_pk>/remove/",
        views.campaign_sender_remove_view,
        name="sender_remove",
    ),
]
