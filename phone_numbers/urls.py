from django.urls import path

from phone_numbers import views

app_name = "phone_numbers"
urlpatterns = [
    path("", views.phone_number_list_view, name="list"),
    path("export.csv", views.phone_number_export, name="export"),
    path("new/", views.number_new, name="new"),
    path("reusable-fields/", views.reusable_fields, name="reusable_fields"),
    path("<int:pk>/", views.number_detail, name="detail"),
    path("<int:pk>/status/", views.number_status, name="status"),
    path("<int:pk>/edit/", views.reusable_number_edit, name="edit"),
]
