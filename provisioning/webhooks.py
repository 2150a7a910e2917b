"""Carrier-facing endpoints: ``POST /hooks/<carrier>/status/``. The adapter verifies every
request; nothing here trusts the caller."""

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from provisioning.carriers import get_carrier
from provisioning.delivery import WebhookRefused, status_webhook_receive


@csrf_exempt
@require_POST
def status_hook(request: HttpRequest, carrier: str) -> HttpResponse:
    adapter = get_carrier()
    if adapter.name != carrier:
        raise Http404("No such carrier.")
    headers = dict(request.headers.items())
    try:
        status_webhook_receive(
            carrier=adapter, url=request.build_absolute_uri(), headers=headers, body=request.body
        )
    except WebhookRefused as error:
        return HttpResponse(str(error), status=403, content_type="text/plain")
    except ValueError:
        # Signed by the carrier yet not a report we can read: say so, so it is not retried.
        return HttpResponse("Unreadable report.", status=400, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
