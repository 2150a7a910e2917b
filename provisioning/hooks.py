"""The one hook by which provisioning says that numbers reached a final state.

``number_provisioning_finished`` is a Django signal sent with ``sender=PhoneNumber`` and
``numbers=[PhoneNumber, ...]``: the numbers that just became ``complete`` or ``failed`` (read
``number.provisioning_status`` and ``number.failure_reason``). It is sent

- INSIDE the transaction that changed their status, so a receiver writes its own rows (a
  campaign's transition, its outbox e-mails) atomically with it;
- once per number: only numbers whose status this transaction changed are in the list; a
  retried or duplicated task finds nothing to change and sends nothing;
- with a whole poll batch at once, so a receiver can keep its queries constant per batch.

It is sent by the door every status change goes through (``provisioning.transitions``).

**Receivers must not raise.** Handle what you expect (a campaign already moved on, say) and
return. As a guard, the poller applies each batch through the door in one transaction: if a
receiver raises, the batch is rolled back and applied again number by number, each in its own
transaction, so only the numbers whose receiver raised are held back — their status change and
every receiver's work for them roll back, the exception is logged, and they are polled again
later with backoff. On the submit path (a number failing before it was submitted) a raising
receiver fails the task, and the poller resends it once its lease has passed.

Campaigns connect a receiver in their ``AppConfig.ready()``; provisioning never imports them::

    number_provisioning_finished.connect(on_numbers_finished, dispatch_uid="campaigns")
"""

from django.dispatch import Signal

number_provisioning_finished = Signal()
