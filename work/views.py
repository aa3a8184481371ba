"""My tasks and my notifications: a user's own lists, never anyone else's."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from accounts.access_log import record_access, record_list_view
from cases import selectors as case_selectors
from cases import tasks

from . import selectors, todo
from .models import FollowUp, Notification, NotificationKind, NotificationPreference

NOTIFICATIONS_PER_PAGE = 50


@login_required
@require_GET
def task_list(request):
    """The tasks given to me: open ones, overdue first, or those done in the last 30 days."""
    policy.require(request.user, "tasks.read")
    today = timezone.localdate()
    showing_done = request.GET.get("show") == "done"
    done_since = today - timedelta(days=todo.DONE_SHOWN_DAYS) if showing_done else None
    rows = todo.tasks_of(request.user, done_since=done_since)
    record_list_view(
        request,
        action="tasks.list",
        count=len(rows),
        what="tasks",
        young_people=len({row.young_person.pk for row in rows if row.young_person}),
        filters={"show": "done" if showing_done else None},
    )
    return render(
        request,
        "work/task_list.html",
        {
            "rows": rows,
            "today": today,
            "showing_done": showing_done,
            "overdue": sum(1 for row in rows if row.is_overdue(today)),
            "done_days": todo.DONE_SHOWN_DAYS,
        },
    )


@login_required
@require_GET
def notification_list(request):
    """My notifications, newest first, unread ones marked."""
    page = Paginator(
        selectors.notifications_of(request.user),
        NOTIFICATIONS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    labels = {value: str(label) for value, label in NotificationKind.choices}
    readable = _readable_young_people(request.user, rows)
    for row in rows:
        row.kind_label = labels[row.kind]
        # A case that has left the user's teams (a transfer): nothing about it is shown.
        row.case_gone = row.young_person_id is not None and row.young_person_id not in readable
    record_list_view(
        request,
        action="notifications.list",
        count=len(rows),
        what="notifications",
        young_people=len({row.young_person_id for row in rows if row.young_person_id}),
        filters={"page": page.number if page.number > 1 else None},
    )
    return render(
        request,
        "work/notification_list.html",
        {"page": page, "rows": rows, "unread": sum(1 for row in rows if row.read_at is None)},
    )


def _readable_young_people(user, rows) -> set[int]:
    """Of the young people the notifications are about, those `user` may still read."""
    people = {row.young_person_id for row in rows if row.young_person_id}
    if not people:
        return set()
    return set(
        case_selectors.young_people_visible_to(user, include_archived=True)
        .filter(pk__in=people)
        .values_list("pk", flat=True)
    )


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one notification read and go to what it is about.

    A notification about a case that is no longer in the user's teams (transferred to another
    team) answers 404, like the case's own pages, with a page saying only that (issue 17)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    if notification.young_person_id and not _readable_young_people(request.user, [notification]):
        record_access(
            request,
            action="notification.open",
            allowed=False,
            object_type="cases.youngperson",
            object_id=str(notification.young_person_id),
            detail="the case is no longer in the user's teams",
        )
        return render(request, "work/notification_case_gone.html", status=404)
    return redirect(notification.url)


@login_required
@require_POST
def notification_read_all(request):
    marked = Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        messages.success(request, _("All your notifications are marked as read"))
    return redirect("work:notification-list")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email", "language"]
        labels = {
            "email": gettext_lazy("Email me when I have new reminders"),
            "language": gettext_lazy("Language of the emails"),
        }
        help_texts = {
            "email": gettext_lazy(
                "The email says only how many new reminders you have, with a link to sign in. "
                "It never names a young person."
            ),
        }


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    preference, _created = NotificationPreference.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["email"] and not request.user.email:
            form.add_error(
                "email",
                _(
                    "Your account has no email address. Ask your service administrator to "
                    "add one, then turn emails on."
                ),
            )
        else:
            form.save()
            messages.success(request, _("Your reminder settings are saved"))
            return redirect("work:notification-list")
    return render(request, "work/notification_settings.html", {"form": form})


@login_required
@require_POST
def follow_up_complete(request, pk):
    """Whoever the service gave a follow-up marks it done (today)."""
    follow_up = get_object_or_404(FollowUp, pk=pk, assignee=request.user, done_on__isnull=True)
    tasks.mark_done(follow_up, by=request.user, done_on=timezone.localdate())
    record_access(request, action="tasks.complete", obj=follow_up.young_person)
    messages.success(request, _("Task marked as done"))
    return redirect("work:task-list")
