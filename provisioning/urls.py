from django.urls import path

from provisioning import views

app_name = "provisioning"
urlpatterns = [
    path("new/", views.number_new, name="number_new"),
    path("<int:pk>/", views.number_detail, name="number_detail"),
    path("<int:pk>/status/", views.number_status, name="number_status"),
]
