"""Placeholder: being written."""

from django.http import Http404


def refer(request, *args, **kwargs):
    raise Http404


def detail(request, *args, **kwargs):
    raise Http404


def edit(request, *args, **kwargs):
    raise Http404


def archive(request, *args, **kwargs):
    raise Http404


def timeline(request, *args, **kwargs):
    raise Http404


def trm_chart(request, *args, **kwargs):
    raise Http404


def history(request, *args, **kwargs):
    raise Http404


def access_log(request, *args, **kwargs):
    raise Http404

