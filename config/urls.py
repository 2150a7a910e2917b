from django.contrib import admin
from django.urls import include, path

from campaigns.join_views import join
from config import views
from provisioning.twilio_hooks import events_hook
from provisioning.webhooks import status_hook
from texting.webhooks import inbound_hook

urlpatterns = [
    # First: the carriers' bursts are the busiest requests, and each pattern tried before a match
    # costs every request that reaches it (the inbound hook last cost it ~50 µs of ~400).
    path("hooks/twilio/events/", events_hook, name="twilio_events_hook"),
    path("hooks/<str:carrier>/status/", status_hook, name="carrier_status_hook"),
    path("hooks/<str:carrier>/inbound/", inbound_hook, name="carrier_inbound_hook"),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("offices/", include("offices.urls")),
    path("inboxes/", include("inboxes.urls")),
    path("numbers/", include("phone_numbers.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("campaigns/", include("campaigns.sender_panel_urls")),
    path("join/<str:token>/", join, name="join"),
    path("messenger/", include("campaigns.messenger_urls")),
    # Conversations (under /inboxes/), offices' bot answers and /opt-outs/.
    path("", include("texting.urls")),
    path("ops/admin/", admin.site.urls),
]
