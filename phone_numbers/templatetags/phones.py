"""``{% load phones %}`` then ``{{ number.e164|phone }}`` → ``(415) 206-4322``: every page shows
phone numbers, its own and contacts', this one way (``phone_numbers.display``)."""

from django import template

from phone_numbers.display import phone_readable

register = template.Library()
register.filter("phone", phone_readable)
