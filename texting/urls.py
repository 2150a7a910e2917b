from django.urls import path

from texting import views

app_name = "texting"
urlpatterns = [
    # Inbox pages that send live here, beside the inboxes app's: they go through campaigns'
    # sending gates, and inboxes stands above campaigns.
    path("inboxes/<int:pk>/new/", views.direct_new, name="direct_new"),
    path("inboxes/conversations/<int:pk>/", views.conversation_detail, name="conversation"),
    path("inboxes/conversations/<int:pk>/thread/", views.conversation_thread, name="thread"),
    path("inboxes/conversations/<int:pk>/reply/", views.conversation_reply, name="reply"),
    path("inboxes/conversations/<int:pk>/assign/", views.conversation_assign_view, name="assign"),
    path(
        "inboxes/conversations/<int:pk>/<str:action>/",
        views.conversation_status,
        name="conversation_status",
    ),
    path("offices/<int:pk>/bot/", views.bot_answers, name="bot"),
    path("offices/<int:pk>/bot/<int:answer_pk>/", views.bot_answer_edit, name="bot_answer"),
    path("offices/<int:pk>/bot/review/", views.bot_idk_review, name="bot_review"),
    path("opt-outs/", views.opt_outs, name="opt_outs"),
    path("opt-outs/import/", views.opt_outs_import_view, name="opt_outs_import"),
    path("opt-outs/export.csv", views.opt_outs_export, name="opt_outs_export"),
    path("opt-outs/<int:pk>/remove/", views.opt_out_remove_view, name="opt_out_remove"),
]
