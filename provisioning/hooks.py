"""The one hook by which provisioning says that numbers reached a final state.

``number_provisioning_finished`` is a Django signal sent with ``sender=PhoneNumber`` and
``numbers=[PhoneNumber, ...]``: the numbers that just became ``complete`` or ``failed`` (read
``number.provisioning_status`` and ``number.failure_reason``). It is sent

- INSIDE the transaction that changed their status, so a receiver writes its own rows (a
  campaign's transition, its outbox e-mails) atomically with it: if the receiver raises, the
  status change rolls back and the next poll tries again;
- once per number: only numbers whose status this transaction changed are in the list; a
  retried or duplicated task finds nothing to change and sends nothing;
- with a whole poll batch at once, so a receiver can keep its queries constant per batch.

Campaigns connect a receiver in their ``AppConfig.ready()``; provisioning never imports them::

    number_provisioning_finished.connect(on_numbers_finished, dispatch_uid="campaigns")
"""

from django.dispatch import Signal

number_provisioning_finished = Signal()
