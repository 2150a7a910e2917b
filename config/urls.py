from django.contrib import admin
from django.urls import include, path

from config import views
from provisioning.webhooks import status_hook
from texting.webhooks import inbound_hook

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("offices/", include("offices.urls")),
    path("inboxes/", include("inboxes.urls")),
    # Carrier-facing number pages first; phone_numbers cannot import provisioning.
    path("numbers/", include("provisioning.urls")),
    path("numbers/", include("phone_numbers.urls")),
    path("campaigns/", include("campaigns.urls")),
    # Conversations (under /inboxes/), offices' bot answers and /opt-outs/.
    path("", include("texting.urls")),
    path("hooks/<str:carrier>/status/", status_hook, name="carrier_status_hook"),
    path("hooks/<str:carrier>/inbound/", inbound_hook, name="carrier_inbound_hook"),
    path("ops/admin/", admin.site.urls),
]
