"""Carry out the retention schedule from the command line, safely.

``--dry-run`` prints who would be anonymised today (or who a given ``--review`` would
anonymise), under which rule and why (the dates), and changes nothing. Without it the
command approves one pending review (``--review <id>``) on behalf of an administrator
(``--approved-by <username>``), exactly as the review page does; anything else is refused.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from accounts import policy
from accounts.management.base import AccessLoggedCommand
from governance import due, retention, schedules
from governance.models import RetentionReview


class Command(AccessLoggedCommand):
    help = "Show who is due under the retention rules (--dry-run), or approve a review."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print who would be anonymised; change nothing."
        )
        parser.add_argument("--review", type=int, help="The id of a pending retention review.")
        parser.add_argument(
            "--approved-by", help="The username of the administrator approving the review."
        )

    def check_arguments(self, *args, dry_run=False, review=None, approved_by=None, **options):
        if dry_run:
            return
        if review is None or not approved_by:
            raise CommandError(
                "Nothing was changed. Use --dry-run to see who is due, or approve a pending "
                "review with --review <id> --approved-by <administrator's username>."
            )

    def handle(self, *args, dry_run=False, review=None, approved_by=None, **options):
        if dry_run:
            self._dry_run(review)
            return
        found = RetentionReview.objects.filter(pk=review).first()
        if found is None:
            raise CommandError(f"There is no retention review {review}. Nothing was changed.")
        user = get_user_model().objects.filter(username=approved_by, is_active=True).first()
        if user is None or not policy.may(user, schedules.REVIEW_CAPABILITY):
            raise CommandError(
                f"{approved_by} is not an active administrator, who alone may approve a "
                "retention review. Nothing was changed."
            )
        try:
            run = retention.review_approve(review=found, by=user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Review {found.pk} approved by {user.username}: {run.anonymised} young people "
                f"anonymised, {run.skipped_on_hold} skipped (on legal hold); run {run.pk}."
            )
        )

    def _dry_run(self, review_pk):
        if review_pk is None:
            on = timezone.localdate()
            rows = [
                (item.reference, item.team_code, item.rule, item.counted_from_date, item.due_on)
                for item in due.due_young_people(on)
            ]
            heading = f"Due on {on.isoformat()} under the rules in force"
        else:
            found = RetentionReview.objects.filter(pk=review_pk).first()
            if found is None:
                raise CommandError(f"There is no retention review {review_pk}.")
            rows = [
                (
                    item.young_person.reference,
                    item.young_person.team.code,
                    item.rule,
                    item.counted_from_date,
                    item.due_on,
                )
                for item in retention.review_items(found)
                if not item.on_hold
            ]
            heading = f"Review {found.pk} of {found.as_of.isoformat()} ({found.status})"
        self.stdout.write(f"{heading}: {len(rows)} young people would be anonymised.")
        for reference, team_code, rule, counted_from, due_on in rows:
            self.stdout.write(
                f"{reference} (team {team_code}): rule {rule.pk} v{rule.version}, "
                f"{rule.case_kind}, {rule.years} years after {rule.counted_from} "
                f"({counted_from.isoformat()}), due since {due_on.isoformat()}"
            )
        self.stdout.write("Dry run: nothing was changed.")
