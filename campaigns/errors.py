class CampaignError(Exception):
    """A campaign rule was broken; the message says which, in words for the person.

    ``field`` names the form field the message belongs beside, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
