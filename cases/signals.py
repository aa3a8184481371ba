"""Signals `cases` sends for writes that bypass a model's own save (bulk imports).

`appointments_imported` is sent, after the exchange importer has written them, with the
appointments it created (`appointments`, a list): the apps that react to an appointment being
saved (a missed one gives its practitioner a follow-up) react to these too.
"""

from django.dispatch import Signal

appointments_imported = Signal()
