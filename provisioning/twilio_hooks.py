"""``POST /hooks/twilio/events/``: Twilio's Event Streams sink (DESIGN.md, public contract).

Answered fast (Twilio waits 5 s, then delivers again): verify, store, apply, 200. A request
Twilio did not sign is refused with 403; a body that is not an Event Streams delivery, 400.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from provisioning.carriers import get_carrier
from provisioning.carriers.twilio import TwilioCarrier
from provisioning.twilio_events import registration_events_receive


@csrf_exempt
@require_POST
def events_hook(request: HttpRequest) -> HttpResponse:
    carrier = get_carrier()
    if not isinstance(carrier, TwilioCarrier):
        raise Http404("Twilio is not this deployment's carrier.")
    url = request.build_absolute_uri()
    if not carrier.verify_webhook(url=url, headers=dict(request.headers), body=request.body):
        return HttpResponse("The signature does not match.", status=403, content_type="text/plain")
    try:
        events = carrier.parse_registration_events(body=request.body)
    except (ValueError, KeyError, TypeError, AttributeError):
        return HttpResponse("Not an Event Streams delivery.", status=400, content_type="text/plain")
    registration_events_receive(events=events)
    return HttpResponse("ok", content_type="text/plain")
