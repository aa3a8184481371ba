"""Placeholder: being written."""

from django.http import Http404


def my_caseload(request, *args, **kwargs):
    raise Http404


def my_appointments(request, *args, **kwargs):
    raise Http404


def team_list(request, *args, **kwargs):
    raise Http404


def team_overview(request, *args, **kwargs):
    raise Http404


def reallocate(request, *args, **kwargs):
    raise Http404

