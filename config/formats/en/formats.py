"""The one way Longcode writes a moment: "Nov 30, 2026, 5:23 PM EST", always with the zone's
abbreviation, since an organization's people and its operators may sit in other zones. A date
alone is the same date part. Used by ``{{ value|when }}``, ``|date`` and the admin."""

DATE_FORMAT = "M j, Y"
TIME_FORMAT = "g:i A T"
DATETIME_FORMAT = f"{DATE_FORMAT}, {TIME_FORMAT}"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
