"""The provisioning state machine, written once (DESIGN.md, "Numbers").

requested ──submit──▶ initiated ──carriers approve──▶ complete ──release──▶ released
                        │  ▲
        carrier rejects │  │ resubmit: a new number (the failure was the number's), attempt n+1
                        ▼  │
                    requested ── last attempt failed / campaign- or account-scope ──▶ failed

A number refused at submit (before it is ``initiated``) ends an attempt too: it stays
``requested`` with attempt n+1 and a new number, or goes to ``failed`` after the last one.
"""

from phone_numbers.models import ProvisioningStatus as S

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.REQUESTED, S.INITIATED): "submitted to the carriers",
    (S.INITIATED, S.COMPLETE): "the carriers approved the number",
    (S.INITIATED, S.REQUESTED): "the attempt failed; a new number will be submitted",
    (S.INITIATED, S.FAILED): "the last attempt failed, or the failure was the use case's",
    (S.REQUESTED, S.FAILED): "nothing could be bought, the use case was refused, or the "
    "number was refused at submit on the last attempt",
    (S.REQUESTED, S.RELEASED): "released before it was submitted",
    (S.INITIATED, S.RELEASED): "released while the carriers decided",
    (S.COMPLETE, S.RELEASED): "released",
    (S.FAILED, S.RELEASED): "released",
}


class InvalidTransition(Exception):
    pass


def check(source: str, target: str) -> str:
    """The reason a transition is allowed; raises InvalidTransition when it is not."""
    try:
        return TRANSITIONS[(source, target)]
    except KeyError:
        raise InvalidTransition(f"A number cannot go from {source} to {target}.") from None
