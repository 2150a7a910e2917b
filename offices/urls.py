from django.urls import path

from offices import views
from offices.switch_views import organization_switch

app_name = "offices"
urlpatterns = [
    path("", views.office_list_view, name="list"),
    path("new/", views.office_create_view, name="create"),
    path("settings/", views.organization_settings_view, name="settings"),
    path("members/", views.member_list_view, name="members"),
    path("members/invite/", views.member_invite_view, name="invite"),
    path("<int:pk>/", views.office_detail, name="detail"),
    path("<int:pk>/edit/", views.office_edit, name="edit"),
    path("switch/", organization_switch, name="switch"),
]
