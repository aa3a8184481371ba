"""Placeholder: being written."""

from django.http import Http404


def need_create(request, *args, **kwargs):
    raise Http404


def offence_create(request, *args, **kwargs):
    raise Http404


def order_create(request, *args, **kwargs):
    raise Http404


def breach_create(request, *args, **kwargs):
    raise Http404


def custody_create(request, *args, **kwargs):
    raise Http404


def consent_create(request, *args, **kwargs):
    raise Http404


def parent_requirement(request, *args, **kwargs):
    raise Http404


def trm_create(request, *args, **kwargs):
    raise Http404


def appointment_create(request, *args, **kwargs):
    raise Http404


def appointment_edit(request, *args, **kwargs):
    raise Http404


def record_archive(request, *args, **kwargs):
    raise Http404

