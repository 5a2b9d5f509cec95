"""Transfers (组织关系接转), dues (党费), care visits (四必访一报告) and term renewals (换届)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Least
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branches.expressions import FirstOfMonth
from branches.models import Organization
from members.models.core import Member
from members.models.rules import DuesBracket


# --- transfers ---------------------------------------------------------------------------------------------


class Transfer(models.Model):
    """A member's organisational relationship moving out of, into or within the university.

    The member's branch changes only when the transfer completes (``transfer_complete``)."""

    class Direction(models.TextChoices):
        OUT = "out", _("Out of the university")
        IN = "in", _("Into the university")
        WITHIN = "within", _("Within the university")

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("member")
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    from_branch = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_out",
        verbose_name=_("from branch"),
    )
    to_branch = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
        verbose_name=_("to branch"),
    )
    outside_unit = models.CharField(
        _("outside organisation"),
        max_length=120,
        blank=True,
        help_text=_("Where the member goes to (out) or comes from (in)."),
    )
    letter_number = models.CharField(_("letter number"), max_length=40)
    issued_on = models.DateField(_("letter issued on"))
    valid_until = models.DateField(_("letter valid until"))
    dues_paid_to = models.DateField(_("dues paid up to (month)"), null=True, blank=True)
    receipt_returned_on = models.DateField(_("receipt returned on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            # One transfer in flight per member: a second letter would move them twice.
            models.UniqueConstraint(fields=["member"], condition=Q(status="open"), name="transfer_one_open"),
            models.CheckConstraint(
                name="transfer_validity_after_issue", condition=Q(valid_until__gte=models.F("issued_on"))
            ),
            models.CheckConstraint(
                name="transfer_within_has_both_branches",
                condition=~Q(direction="within") | Q(from_branch__isnull=False, to_branch__isnull=False),
            ),
        ]
        indexes = [
            # The to-do selector: open letters by validity.
            models.Index(fields=["status", "valid_until"], name="transfer_open_validity"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.letter_number}"


# --- dues -----------------------------------------------------------------------------------------------------


class DuesDeclaration(models.Model):
    """A member's declared base from a month on; the monthly amount is computed from the brackets then."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="dues_declarations", verbose_name=_("member")
    )
    valid_from = models.DateField(_("from month"))
    kind = models.CharField(_("payer kind"), max_length=20, choices=DuesBracket.Kind.choices)
    base = models.DecimalField(_("declared monthly base (yuan)"), max_digits=10, decimal_places=2, default=0)
    amount = models.DecimalField(_("monthly dues (yuan)"), max_digits=8, decimal_places=2)
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dues declaration")
        verbose_name_plural = _("dues declarations")
        ordering = ["member_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["member", "valid_from"], name="dues_declaration_one_per_month"),
            models.CheckConstraint(name="dues_declaration_base_not_negative", condition=Q(base__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.valid_from:%Y-%m}: ¥{self.amount}"


class DuesPayment(models.Model):
    """One member's dues for one month in the branch's ledger: paid, paid by another member, or exempt."""

    class Status(models.TextChoices):
        PAID = "paid", _("Paid")
        PAID_BY_OTHER = "paid_by_other", _("Paid on their behalf")
        EXEMPT = "exempt", _("Exempt (approved)")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="dues_payments", verbose_name=_("member")
    )
    branch = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="dues_payments", verbose_name=_("branch")
    )
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("paid by")
    )
    approval = models.CharField(_("exemption approved by"), max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["branch_id", "-month", "member_id"]
        constraints = [
            # A double submit or a re-imported ledger cannot count a month twice.
            models.UniqueConstraint(fields=["member", "month"], name="dues_payment_one_per_month"),
            # Not month__day=1: on SQLite that compiles to a function only Django registers (branches.expressions).
            models.CheckConstraint(
                name="dues_payment_first_of_month", condition=Q(month=FirstOfMonth("month"))
            ),
            models.CheckConstraint(name="dues_payment_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="dues_exempt_has_approval", condition=~Q(status="exempt") | ~Q(approval="")
            ),
        ]
        indexes = [
            # The monthly ledger of one branch.
            models.Index(fields=["branch", "month"], name="dues_ledger"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m}"


class DuesExemptionQuerySet(models.QuerySet["DuesExemption"]):
    def approved(self) -> DuesExemptionQuerySet:
        return self.filter(status=DuesExemption.Status.APPROVED)


class DuesExemption(models.Model):
    """A branch's request that a member be exempted from dues (党费减免/免交) for a run of months, and the
    secondary committee's decision: approved, or returned with the reason (the branch may correct and send it
    again). An approved exemption settles its months in the dues lapse and arrears rules."""

    MAX_MONTHS = 12  # one request covers at most a year; a longer hardship is asked for again

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="dues_exemptions", verbose_name=_("member")
    )
    branch = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="dues_exemptions", verbose_name=_("branch")
    )
    approver = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="dues_exemptions_to_approve",
        verbose_name=_("approved by (unit)"),
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    return_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    history = HistoricalRecords()
    objects = DuesExemptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues exemption")
        verbose_name_plural = _("dues exemptions")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="dues_exemption_first_of_month", condition=Q(first_month=FirstOfMonth("first_month"))
            ),
            models.CheckConstraint(
                name="dues_exemption_last_of_month", condition=Q(last_month=FirstOfMonth("last_month"))
            ),
            models.CheckConstraint(
                name="dues_exemption_months_in_order", condition=Q(last_month__gte=models.F("first_month"))
            ),
            models.CheckConstraint(
                name="dues_exemption_returned_has_reason",
                condition=~Q(status="returned") | ~Q(return_reason=""),
            ),
        ]
        indexes = [
            # The approver's queue (status = submitted) and the lapse rule's "approved, covering a month".
            models.Index(fields=["approver", "status"], name="dues_exemption_queue"),
            models.Index(fields=["member", "status", "last_month"], name="dues_exemption_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"

    @property
    def months(self) -> int:
        return (
            (self.last_month.year - self.first_month.year) * 12
            + self.last_month.month
            - self.first_month.month
            + 1
        )


def exempt_through(this_month: datetime.date) -> Subquery:
    """For a ``Member`` queryset: the latest month up to ``this_month`` that an approved exemption of the
    member covers (NULL without one). The lapse and arrears rules count it as a settled month, like the
    month of a paid line. A subquery, so it adds no query and no join to the member list."""
    return Subquery(
        DuesExemption.objects.approved()
        .filter(member=OuterRef("pk"), first_month__lte=this_month)
        .annotate(upto=Least("last_month", Value(this_month, output_field=models.DateField())))
        .order_by("-upto")
        .values("upto")[:1],
        output_field=models.DateField(),
    )


# --- care visits ------------------------------------------------------------------------------------------------


class CareOccasionKind(models.Model):
    """An occasion that calls for a visit (四必访), with how soon the visit is due. Data, not code."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    visit_within_days = models.PositiveSmallIntegerField(_("visit within (days)"), default=7)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("care occasion kind")
        verbose_name_plural = _("care occasion kinds")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class CareOccasion(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="care_occasions", verbose_name=_("member")
    )
    kind = models.ForeignKey(
        CareOccasionKind, on_delete=models.PROTECT, related_name="occasions", verbose_name=_("occasion")
    )
    noted_on = models.DateField(_("noted on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care occasion")
        verbose_name_plural = _("care occasions")
        ordering = ["-noted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.member} · {self.kind}"


class CareVisit(models.Model):
    occasion = models.ForeignKey(
        CareOccasion, on_delete=models.CASCADE, related_name="visits", verbose_name=_("occasion")
    )
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(_("visitors"), max_length=200)
    help_given = models.CharField(_("help given"), max_length=300, blank=True)
    amount = models.DecimalField(
        _("money given (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.occasion} {self.visited_on}"


class CareReport(models.Model):
    """一报告: the branch's report on its visits to the committee above, one per branch and half-year."""

    branch = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="care_reports", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    half = models.PositiveSmallIntegerField(
        _("half-year"), choices=[(1, _("First half")), (2, _("Second half"))]
    )
    text = models.TextField(_("report"))
    submitted_on = models.DateField(_("submitted on"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("care report")
        verbose_name_plural = _("care reports")
        ordering = ["-year", "-half"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year", "half"], name="care_report_one_per_half"),
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}-{self.half}"


# --- term renewals ----------------------------------------------------------------------------------------------


class TermElection(models.Model):
    """A unit's election (换届选举): starts a new term and names the committee that serves in it."""

    MAX_VOTERS = 100_000  # a 党员大会 or, at the top, a 党代会 of delegates: far fewer voters than this

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="elections", verbose_name=_("organization")
    )
    elected_on = models.DateField(_("elected on"))
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    previous_term_started_on = models.DateField(_("previous term started on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # 实到会有选举权的党员: the 决议 states it and a seat's votes cannot exceed it (issue 21). Optional: older
    # elections were recorded without it.
    voters = models.PositiveIntegerField(_("voting members present"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("term election")
        verbose_name_plural = _("term elections")
        ordering = ["-elected_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "elected_on"], name="term_election_once_a_day"),
            models.CheckConstraint(
                name="term_election_years_1_to_5", condition=Q(term_years__gte=1, term_years__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.elected_on}"


class ElectedSeat(models.Model):
    election = models.ForeignKey(
        TermElection, on_delete=models.CASCADE, related_name="seats", verbose_name=_("election")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20)
    # The votes the person received as a committee member (赞成票), for the 决议 (issue 21); optional.
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)

    class Meta:
        verbose_name = _("elected seat")
        verbose_name_plural = _("elected seats")
        constraints = [
            models.UniqueConstraint(fields=["election", "user", "role"], name="elected_seat_once"),
        ]

    def __str__(self) -> str:
        return f"{self.election} {self.user} {self.role}"


class TermCandidate(models.Model):
    """A candidate (候选人) for a unit's next election, printed on its ballot and tally sheet. A candidate
    stands for the election that ends the term begun on ``term_started_on`` (the unit's at nomination), so
    recording the election (a new term) leaves the list behind as the record of who stood."""

    MAX_PER_ELECTION = 30  # 差额选举 of a committee of at most 9-11 seats: more than enough

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="term_candidates", verbose_name=_("organization")
    )
    term_started_on = models.DateField(_("term being renewed started on"), null=True, blank=True)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("election candidate")
        verbose_name_plural = _("election candidates")
        ordering = ["organization", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "term_started_on", "member"], name="term_candidate_once"
            ),
        ]
        # the ballot and the terms page: one unit's candidates for its current term
        indexes = [models.Index(fields=["organization", "term_started_on"], name="term_candidate_unit_term")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.member}"
